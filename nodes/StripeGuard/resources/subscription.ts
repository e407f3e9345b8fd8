import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { describePriceTerms, joined, personOf, quoted } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const SUBSCRIPTION_STATUSES = [
	{ name: 'Active', value: 'active' },
	{ name: 'All (Including Canceled)', value: 'all' },
	{ name: 'Canceled', value: 'canceled' },
	{ name: 'Ended', value: 'ended' },
	{ name: 'Incomplete', value: 'incomplete' },
	{ name: 'Incomplete Expired', value: 'incomplete_expired' },
	{ name: 'Past Due', value: 'past_due' },
	{ name: 'Paused', value: 'paused' },
	{ name: 'Trialing', value: 'trialing' },
	{ name: 'Unpaid', value: 'unpaid' },
];

export const COLLECTION_METHODS = [
	{ name: 'Charge Automatically', value: 'charge_automatically' },
	{ name: 'Send Invoice', value: 'send_invoice' },
];

export const subscription = defineReadResource({
	value: 'subscription',
	name: 'Subscription',
	label: 'subscription',
	plural: 'subscriptions',
	idPrefix: 'sub_',
	path: '/v1/subscriptions',
	dashboard: 'subscriptions',
	permission: 'rak_subscription_read',
	lookup: {
		// Customer, plan and status: "Ada Lovelace — ada@… — Pro $49.00 / month — active".
		describe: (s) => {
			const items = ((s.items as IDataObject | undefined)?.data as IDataObject[] | undefined) ?? [];
			const first = items[0]?.price as IDataObject | undefined;
			const plan = first
				? joined(first.nickname, describePriceTerms(first)) +
					(items.length > 1 ? ` (+${items.length - 1} more)` : '')
				: '';
			return joined(personOf(s.customer), plan, s.status);
		},
		expand: ['customer'],
		listParams: { status: 'all' },
		// A status word searches by status.
		query: (text) => {
			const status = text.toLowerCase();
			return status !== 'all' && SUBSCRIPTION_STATUSES.some((s) => s.value === status)
				? `status:${quoted(status)}`
				: undefined;
		},
	},
	listHint: 'Without a status filter Stripe leaves out canceled subscriptions. ',
	filters: [
		{
			name: 'status',
			displayName: 'Status',
			kind: 'options',
			options: SUBSCRIPTION_STATUSES,
			description: 'Only subscriptions in this status',
		},
		{
			name: 'customer',
			displayName: 'Customer ID',
			kind: 'id',
			idPrefix: 'cus_',
			description: "Only this customer's subscriptions",
		},
		{
			name: 'price',
			displayName: 'Price ID',
			kind: 'id',
			idPrefix: 'price_',
			description: 'Only subscriptions that include this price',
		},
		{
			name: 'collection_method',
			displayName: 'Collection Method',
			kind: 'options',
			options: COLLECTION_METHODS,
			description: 'Only subscriptions billed this way',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the subscription was created',
		},
	],
	expand: ['customer', 'latest_invoice', 'default_payment_method', 'schedule'],
	dates: [
		'items.current_period_end',
		'cancel_at',
		'canceled_at',
		'trial_end',
		'start_date',
		'created',
	],
	search: {
		// Stripe's query fields for subscriptions (docs.stripe.com/search, "Query fields for
		// subscriptions"; canceled_at as Stripe's own agent toolkit lists it).
		fields: { canceled_at: 'numeric', created: 'numeric', metadata: 'token', status: 'token' },
		offered: ['status', 'created', 'canceled_at', 'metadata'],
		example: "status:'active' AND metadata['plan']:'pro'",
	},
	simplify: (s: IDataObject) => {
		const items = ((s.items as IDataObject | undefined)?.data as IDataObject[] | undefined) ?? [];
		return {
			id: s.id,
			customer: s.customer,
			status: s.status,
			items: items.map((item) => {
				const p = (item.price ?? {}) as IDataObject;
				const recurring = p.recurring as IDataObject | null;
				return {
					id: item.id,
					price: p.id,
					product: p.product,
					...money('unit_amount', p.unit_amount, p.currency),
					currency: p.currency,
					interval: recurring?.interval ?? null,
					interval_count: recurring?.interval_count ?? null,
					quantity: item.quantity,
					current_period_end: item.current_period_end,
				};
			}),
			collection_method: s.collection_method,
			cancel_at_period_end: s.cancel_at_period_end,
			cancel_at: s.cancel_at,
			canceled_at: s.canceled_at,
			trial_end: s.trial_end,
			start_date: s.start_date,
			created: s.created,
			currency: s.currency,
			latest_invoice: s.latest_invoice,
			metadata: s.metadata,
		};
	},
});
