import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, dateOf, idOf, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

/** The evidence a dispute holds: only the fields given (text, or the ID of an uploaded file). */
function givenEvidence(evidence: unknown): IDataObject {
	const given: IDataObject = {};
	if (!evidence || typeof evidence !== 'object') return given;
	for (const [field, value] of Object.entries(evidence as IDataObject))
		if (typeof value === 'string' && value !== '') given[field] = value;
	return given;
}

export const dispute = defineReadResource({
	value: 'dispute',
	name: 'Dispute',
	label: 'dispute',
	plural: 'disputes',
	// du_… is the current form (Stripe's API reference shows du_1MtJUT2eZvKYlo2CNaw2HvEv); older
	// disputes, and Stripe's example dispute in its OpenAPI fixtures, are dp_…. Both are taken.
	idPrefix: ['du_', 'dp_'],
	path: '/v1/disputes',
	dashboard: 'disputes',
	permission: 'rak_dispute_read',
	// Stripe has no search of disputes: From List filters the list by what the rows show.
	lookup: {
		describe: (d) => {
			const details = d.evidence_details as IDataObject | null;
			const due = dateOf(details?.due_by);
			return joined(
				amountText(d.amount, d.currency),
				typeof d.status === 'string' ? d.status.replace(/_/g, ' ') : '',
				d.reason,
				idOf(d.charge) ? `of ${idOf(d.charge)}` : '',
				due ? `evidence due ${due}` : '',
			);
		},
	},
	listHint:
		'Disputes are chargebacks and inquiries a customer opened with their bank. ' +
		"Stripe's list has no status filter: read the status of each. ",
	filters: [
		{
			name: 'charge',
			displayName: 'Charge ID',
			kind: 'id',
			idPrefix: 'ch_',
			description: 'Only disputes of this charge',
		},
		{
			name: 'payment_intent',
			displayName: 'Payment Intent ID',
			kind: 'id',
			idPrefix: 'pi_',
			description: 'Only disputes of this payment intent',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the dispute was opened',
		},
	],
	expand: ['charge', 'payment_intent'],
	dates: ['evidence_details.due_by', 'created'],
	simplify: (d: IDataObject) => {
		const details = (d.evidence_details ?? {}) as IDataObject;
		return {
			id: d.id,
			...money('amount', d.amount, d.currency),
			currency: d.currency,
			status: d.status,
			reason: d.reason,
			charge: d.charge,
			payment_intent: d.payment_intent,
			// What a response needs: the deadline, and what was staged or sent before it.
			evidence_details: {
				due_by: details.due_by ?? null,
				has_evidence: details.has_evidence ?? null,
				past_due: details.past_due ?? null,
				submission_count: details.submission_count ?? null,
			},
			evidence: givenEvidence(d.evidence),
			is_charge_refundable: d.is_charge_refundable,
			created: d.created,
			metadata: d.metadata,
		};
	},
});
