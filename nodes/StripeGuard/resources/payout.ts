import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, dateOf, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const payout = defineReadResource({
	value: 'payout',
	name: 'Payout',
	label: 'payout',
	plural: 'payouts',
	idPrefix: 'po_',
	path: '/v1/payouts',
	dashboard: 'payouts',
	permission: 'rak_payout_read',
	lookup: {
		describe: (p) =>
			joined(
				amountText(p.amount, p.currency),
				p.status,
				dateOf(p.arrival_date) ? `arrives ${dateOf(p.arrival_date)}` : '',
			),
	},
	filters: [
		{
			name: 'status',
			displayName: 'Status',
			kind: 'options',
			options: [
				{ name: 'Canceled', value: 'canceled' },
				{ name: 'Failed', value: 'failed' },
				{ name: 'Paid', value: 'paid' },
				{ name: 'Pending', value: 'pending' },
			],
			// Stripe's list filters by these four only; a payout in transit has no filter of its own.
			description:
				'Only payouts in this status. Payouts in transit: filter by Arrival Date instead.',
		},
		{
			name: 'arrival_date',
			displayName: 'Arrival Date',
			kind: 'dateRange',
			description: 'When the payout arrives (or arrived) in the bank',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the payout was created',
		},
	],
	expand: ['destination', 'balance_transaction'],
	dates: ['arrival_date', 'created'],
	simplify: (p: IDataObject) => ({
		id: p.id,
		...money('amount', p.amount, p.currency),
		currency: p.currency,
		status: p.status,
		arrival_date: p.arrival_date,
		method: p.method,
		type: p.type,
		automatic: p.automatic,
		failure_code: p.failure_code,
		failure_message: p.failure_message,
		description: p.description,
		created: p.created,
	}),
});
