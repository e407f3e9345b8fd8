/**
 * Dispute writes: update the evidence (staged, or submitted to the bank) and close
 * (accept the dispute as lost). Closing gives up the disputed amount, which Stripe holds: the
 * approver is shown it, read from Stripe, and it counts toward Two Approvers Above. For both, the
 * approver sees the dispute as Stripe has it then (status, reason, amount, deadline, charge).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import type { StripeWriteRequest } from '../../shared/proposals/proposals';
import type { ReviewLine } from '../../shared/proposals/review';
import type { StripeClient } from '../../shared/transport';
import { idField } from '../framework/fields';
import { locatorField } from '../framework/locator';
import { dispute as disputeResource } from '../resources/dispute';
import { date } from './context';
import { defineWrite, WriteInputError, type WriteInput } from './define';
import { booleanField, fieldCollection, metadataField, textField } from './fields';
import { check, flag, id, isUnset, optional, post, PROBE_ID, targetOf } from './inputs';
import { textProblem } from './validation';

/**
 * The text evidence Stripe takes (`evidence[…]` of POST /v1/disputes/{id}): the node's field,
 * Stripe's parameter, its maxLength in Stripe's definitions, and our words. The evidence that
 * is a file (receipts, policies, communication) needs a File upload and is not offered.
 */
const EVIDENCE: ReadonlyArray<
	[field: string, param: string, max: number, label: string, what: string]
> = [
	['productDescription', 'product_description', 20000, 'Product Description', 'What was sold'],
	['customerName', 'customer_name', 5000, 'Customer Name', "The customer's name"],
	[
		'customerEmailAddress',
		'customer_email_address',
		5000,
		'Customer Email Address',
		"The customer's email address",
	],
	[
		'customerPurchaseIp',
		'customer_purchase_ip',
		5000,
		'Customer Purchase IP',
		'The IP address of the purchase',
	],
	['billingAddress', 'billing_address', 5000, 'Billing Address', 'The billing address given'],
	['shippingAddress', 'shipping_address', 5000, 'Shipping Address', 'Where it was shipped'],
	['shippingCarrier', 'shipping_carrier', 5000, 'Shipping Carrier', 'Who delivered it'],
	['shippingDate', 'shipping_date', 5000, 'Shipping Date', 'When it was shipped'],
	[
		'shippingTrackingNumber',
		'shipping_tracking_number',
		5000,
		'Shipping Tracking Number',
		'Tracking numbers, separated by commas',
	],
	['serviceDate', 'service_date', 5000, 'Service Date', 'When the service was provided'],
	[
		'accessActivityLog',
		'access_activity_log',
		20000,
		'Access Activity Log',
		'Logs showing the customer used what they bought (IP addresses, times, activity)',
	],
	[
		'cancellationPolicyDisclosure',
		'cancellation_policy_disclosure',
		20000,
		'Cancellation Policy Disclosure',
		'How and when the customer was shown the cancellation policy before buying',
	],
	[
		'cancellationRebuttal',
		'cancellation_rebuttal',
		20000,
		'Cancellation Rebuttal',
		"Why the customer's subscription was not canceled",
	],
	[
		'refundPolicyDisclosure',
		'refund_policy_disclosure',
		20000,
		'Refund Policy Disclosure',
		'How and when the customer was shown the refund policy before buying',
	],
	[
		'refundRefusalExplanation',
		'refund_refusal_explanation',
		20000,
		'Refund Refusal Explanation',
		'Why the customer is not owed a refund',
	],
	[
		'duplicateChargeExplanation',
		'duplicate_charge_explanation',
		20000,
		'Duplicate Charge Explanation',
		'How this charge differs from the earlier one that looks like a duplicate',
	],
	[
		'uncategorizedText',
		'uncategorized_text',
		20000,
		'Additional Text',
		'Any other evidence or statement',
	],
];

/** docs.stripe.com/api/disputes/update: "The combined character count … limited to 150,000". */
const EVIDENCE_CHARACTERS = 150_000;

const evidenceFields: INodeProperties[] = [
	...EVIDENCE.map(([field, , max, label, what]) =>
		textField(field, label, what, max > 5000 ? { typeOptions: { rows: 4 } } : {}),
	),
	locatorField('duplicateChargeId', 'charge', 'ch_', {
		displayName: 'Duplicate Charge',
		required: false,
		description:
			'The earlier charge that the customer says this one duplicates: pick it from the list, ' +
			'or give its ID (ch_…) or its Stripe Dashboard URL',
	}),
	metadataField,
];

/** The evidence the input gives, under Stripe's names, each within Stripe's limits. */
function evidenceOf(input: WriteInput): Record<string, unknown> {
	const evidence: Record<string, unknown> = {};
	for (const [field, param, max, label] of EVIDENCE) {
		if (isUnset(input[field])) continue;
		check(textProblem(input[field], label, max));
		evidence[param] = input[field];
	}
	if (!isUnset(input.duplicateChargeId))
		evidence.duplicate_charge_id = id(input, 'duplicateChargeId', 'charge', 'ch_');
	const total = Object.values(evidence).reduce<number>((n, v) => n + String(v).length, 0);
	if (total > EVIDENCE_CHARACTERS)
		throw new WriteInputError(
			`The evidence is ${total} characters long in all; ` +
				`Stripe takes at most ${EVIDENCE_CHARACTERS}: shorten it`,
		);
	return evidence;
}

/** "Customer Purchase IP" → "Customer purchase IP (evidence)": no colon, as review lines need. */
const reviewLabel = (label: string) =>
	`${label
		.split(' ')
		.map((w, i) => (i === 0 || /^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase()))
		.join(' ')} (evidence)`;

/** Both of Stripe's prefixes (du_…, dp_…), as the Dispute resource declares them. */
const DISPUTE_PREFIX = disputeResource.spec.idPrefix;
const disputeIdField = idField('disputeId', 'dispute', DISPUTE_PREFIX);
const probe = `/v1/disputes/dp_${PROBE_ID}`;

/** Stripe's value as it is, or "unknown" for one that is not text. */
const text = (value: unknown) => (typeof value === 'string' && value ? value : 'unknown');

/** The dispute the request names, as Stripe has it now: what makes its write judgeable. */
async function disputeNow(
	stripe: StripeClient,
	request: StripeWriteRequest,
): Promise<ReviewLine[]> {
	const d = (await stripe
		.readable<IDataObject>('/v1/disputes')
		.retrieve(targetOf(request))) as IDataObject;
	const details = (d.evidence_details ?? {}) as IDataObject;
	const amount =
		typeof d.amount === 'number' && typeof d.currency === 'string'
			? formatAmount(d.amount, d.currency)
			: 'unknown';
	const charge = d.charge && typeof d.charge === 'object' ? (d.charge as IDataObject).id : d.charge;
	return [
		{ label: 'Dispute status', value: text(d.status) },
		{ label: 'Dispute reason', value: text(d.reason) },
		{ label: 'Disputed amount', value: amount },
		{ label: 'Evidence due by', value: details.due_by == null ? 'none' : date(details.due_by) },
		{ label: 'Disputed charge', value: text(charge) },
	];
}

export const disputeUpdateEvidence = defineWrite({
	resource: 'dispute',
	operation: 'updateEvidence',
	name: 'Update Evidence',
	action: 'Update the evidence of a dispute',
	description:
		"Propose text evidence for a dispute (the customer's details, shipping, policies, " +
		'explanations) and metadata, either staged on the dispute or submitted to the bank ' +
		'now; evidence can be submitted once.',
	permission: 'rak_dispute_write',
	properties: [
		disputeIdField,
		booleanField(
			'submit',
			'Submit Now',
			'Whether to submit all evidence of the dispute to the bank now (it can then no ' +
				'longer be changed). Off: it is staged on the dispute, to be submitted later.',
		),
		fieldCollection('updateFields', evidenceFields),
	],
	build(input) {
		const dispute = id(input, 'disputeId', 'dispute', DISPUTE_PREFIX);
		const evidence = evidenceOf(input);
		// Always sent: Stripe's default when it is left out is to submit.
		const submit = flag(input, 'submit') ?? false;
		const params: Record<string, unknown> = {};
		if (Object.keys(evidence).length > 0) params.evidence = evidence;
		Object.assign(params, optional(input, { metadata: 'metadata' }));
		if (Object.keys(params).length === 0 && !submit)
			throw new WriteInputError(
				'Give at least one evidence field or metadata, or turn on Submit Now to submit ' +
					'the evidence staged before',
			);
		params.submit = submit;
		const given = [...Object.keys(evidence), ...(params.metadata ? ['metadata'] : [])];
		const what = given.length ? ` (${given.join(', ')})` : '';
		return {
			request: post(`/v1/disputes/${dispute}`, params),
			summary: submit
				? `Submit the evidence of dispute ${dispute} to the bank now${what}; ` +
					'it can then no longer be changed'
				: `Stage evidence on dispute ${dispute}${what}; not submitted yet`,
		};
	},
	review: {
		labels: {
			submit: 'Submit all evidence to the bank now',
			...Object.fromEntries(
				EVIDENCE.map(([, param, , label]) => [`evidence.${param}`, reviewLabel(label)]),
			),
			'evidence.duplicate_charge_id': reviewLabel('Duplicate Charge'),
		},
		context: disputeNow,
	},
	// Evidence asks the bank to decide for the merchant; it moves no money by itself.
	money: { kind: 'none' },
	probe,
	example: {
		input: {
			disputeId: 'dp_Example1',
			productDescription: 'Annual plan, delivered by email',
			customerName: 'Ada Lovelace',
			submit: false,
		},
		context: {},
	},
});

export const disputeClose = defineWrite({
	resource: 'dispute',
	operation: 'close',
	name: 'Close',
	action: 'Close a dispute, accepting the loss',
	description:
		'Propose closing a dispute: it is accepted as lost and will not be contested, and the ' +
		'disputed amount is not recovered (cannot be undone). The approver sees that amount, ' +
		'read from Stripe.',
	permission: 'rak_dispute_write',
	properties: [disputeIdField],
	build(input) {
		const dispute = id(input, 'disputeId', 'dispute', DISPUTE_PREFIX);
		return {
			request: post(`/v1/disputes/${dispute}/close`, {}),
			summary:
				`Close dispute ${dispute}: accept it as lost, without contesting it ` +
				'(cannot be undone)',
		};
	},
	review: { labels: {}, context: disputeNow },
	money: {
		kind: 'decidedByStripe',
		open: (request) => [
			`dispute ${targetOf(request)}'s disputed amount, given up by closing it ` +
				'(it will not be contested)',
		],
		// The amount the customer disputes: closing accepts that it is lost.
		async read(stripe, request) {
			const dispute = targetOf(request);
			const d = (await stripe
				.readable<IDataObject>('/v1/disputes')
				.retrieve(dispute)) as IDataObject;
			const currency = typeof d.currency === 'string' ? d.currency.toLowerCase() : '';
			if (typeof d.amount !== 'number' || !Number.isSafeInteger(d.amount) || d.amount < 0)
				return undefined;
			if (!/^[a-z]{3}$/.test(currency)) return undefined;
			return {
				amounts: { [currency]: d.amount },
				words: [
					`dispute ${dispute} is for ${formatAmount(d.amount, currency)}; closing it accepts ` +
						'that loss, and the dispute will not be contested',
				],
			};
		},
	},
	probe,
	example: { input: { disputeId: 'dp_Example1' }, context: {} },
});

export const disputeWrites = [disputeUpdateEvidence, disputeClose] as const;
