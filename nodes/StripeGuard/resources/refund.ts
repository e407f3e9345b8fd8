import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, idOf, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const refund = defineReadResource({
	value: 'refund',
	name: 'Refund',
	label: 'refund',
	plural: 'refunds',
	idPrefix: 're_',
	path: '/v1/refunds',
	dashboard: 'refunds',
	permission: 'rak_charge_read',
	lookup: {
		describe: (r) =>
			joined(
				amountText(r.amount, r.currency),
				r.status,
				r.reason,
				idOf(r.charge) ? `of ${idOf(r.charge)}` : '',
			),
	},
	filters: [
		{
			name: 'charge',
			displayName: 'Charge ID',
			kind: 'id',
			idPrefix: 'ch_',
			description: 'Only refunds of this charge',
		},
		{
			name: 'payment_intent',
			displayName: 'Payment Intent ID',
			kind: 'id',
			idPrefix: 'pi_',
			description: 'Only refunds of this payment intent',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the refund was created',
		},
	],
	expand: ['charge', 'payment_intent', 'balance_transaction'],
	dates: ['created'],
	simplify: (r: IDataObject) => ({
		id: r.id,
		...money('amount', r.amount, r.currency),
		currency: r.currency,
		status: r.status,
		reason: r.reason,
		charge: r.charge,
		payment_intent: r.payment_intent,
		created: r.created,
		metadata: r.metadata,
	}),
});
