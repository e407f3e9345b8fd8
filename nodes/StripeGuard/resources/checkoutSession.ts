import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, joined } from '../framework/lookup';
import { defineReadResource, subListOperation, type Shape } from '../framework/read-resource';

/** A checkout session's line item, simplified (it has no dates of its own). */
export const checkoutLineShape: Shape = {
	simplify: (l: IDataObject) => ({
		id: l.id,
		description: l.description,
		quantity: l.quantity,
		price: (l.price as IDataObject | null)?.id ?? null,
		...money('amount_total', l.amount_total, l.currency),
		currency: l.currency,
	}),
};

export const checkoutSession = defineReadResource(
	{
		value: 'checkoutSession',
		name: 'Checkout Session',
		label: 'checkout session',
		plural: 'checkout_sessions',
		objectType: 'checkout.session',
		idPrefix: 'cs_',
		path: '/v1/checkout/sessions',
		dashboard: 'checkout/sessions',
		permission: 'rak_checkout_session_read',
		lookup: {
			describe: (c) =>
				joined(
					amountText(c.amount_total, c.currency),
					c.status,
					c.mode,
					(c.customer_details as IDataObject | null)?.email ?? c.customer_email,
				),
		},
		filters: [
			{
				name: 'status',
				displayName: 'Status',
				kind: 'options',
				options: [
					{ name: 'Complete', value: 'complete' },
					{ name: 'Expired', value: 'expired' },
					{ name: 'Open', value: 'open' },
				],
				description: 'Only sessions in this status',
			},
			{
				name: 'customer',
				displayName: 'Customer ID',
				kind: 'id',
				idPrefix: 'cus_',
				description: "Only this customer's sessions",
			},
			{
				name: 'payment_intent',
				displayName: 'Payment Intent ID',
				kind: 'id',
				idPrefix: 'pi_',
				description: 'Only the session of this payment intent',
			},
			{
				name: 'subscription',
				displayName: 'Subscription ID',
				kind: 'id',
				idPrefix: 'sub_',
				description: 'Only the session that created this subscription',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the session was created',
			},
		],
		expand: ['customer', 'payment_intent', 'subscription', 'invoice'],
		dates: ['expires_at', 'created'],
		simplify: (s: IDataObject) => {
			const details = s.customer_details as IDataObject | null;
			return {
				id: s.id,
				status: s.status,
				payment_status: s.payment_status,
				mode: s.mode,
				...money('amount_total', s.amount_total, s.currency),
				currency: s.currency,
				customer: s.customer,
				customer_email: details?.email ?? s.customer_email ?? null,
				payment_intent: s.payment_intent,
				subscription: s.subscription,
				url: s.url,
				expires_at: s.expires_at,
				created: s.created,
				metadata: s.metadata,
			};
		},
	},
	[
		subListOperation({
			parent: { value: 'checkoutSession', label: 'checkout session', idPrefix: 'cs_' },
			value: 'listLineItems',
			name: 'List Line Items',
			action: 'List line items of a checkout session',
			description:
				'List what a checkout session sold: products, quantities and amounts. ' +
				'Needs Checkout Sessions: Read (rak_checkout_session_read).',
			list: (stripe, id, params) => stripe.checkout.sessions.listLineItems(id, params),
			...checkoutLineShape,
		}),
	],
);
