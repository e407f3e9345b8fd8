import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { capitalize } from '../framework/words';
import { amountText, dateOf, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

const TYPES = [
	'adjustment',
	'application_fee',
	'charge',
	'payment',
	'payment_failure_refund',
	'payment_refund',
	'payout',
	'payout_failure',
	'refund',
	'refund_failure',
	'stripe_fee',
	'transfer',
];

export const balanceTransaction = defineReadResource({
	value: 'balanceTransaction',
	name: 'Balance Transaction',
	label: 'balance transaction',
	plural: 'balance_transactions',
	idPrefix: 'txn_',
	path: '/v1/balance_transactions',
	dashboard: 'balance_transactions',
	permission: 'rak_balance_transaction_source_read',
	lookup: {
		describe: (t) =>
			joined(t.type, amountText(t.amount, t.currency), t.description, dateOf(t.created)),
	},
	listHint:
		'Each money movement with its fee and net amount: ' +
		'the basis of reconciling revenue and payouts. ',
	filters: [
		{
			name: 'type',
			displayName: 'Type',
			kind: 'options',
			options: TYPES.map((t) => ({ name: capitalize(t.replace(/_/g, ' ')), value: t })),
			description: 'Only transactions of this type',
		},
		{
			name: 'payout',
			displayName: 'Payout ID',
			kind: 'id',
			idPrefix: 'po_',
			description: 'Only the transactions paid out in this payout',
		},
		{
			name: 'currency',
			displayName: 'Currency',
			kind: 'currency',
			description: 'Only transactions in this currency (ISO code such as usd)',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the transaction was created',
		},
	],
	expand: ['source'],
	dates: ['available_on', 'created'],
	simplify: (t: IDataObject) => ({
		id: t.id,
		type: t.type,
		reporting_category: t.reporting_category,
		...money('amount', t.amount, t.currency),
		...money('fee', t.fee, t.currency),
		...money('net', t.net, t.currency),
		currency: t.currency,
		status: t.status,
		available_on: t.available_on,
		source: t.source,
		description: t.description,
		created: t.created,
	}),
});
