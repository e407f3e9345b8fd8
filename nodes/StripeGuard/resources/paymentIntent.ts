import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, joined, personOf, statusOrCustomer } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const paymentIntent = defineReadResource({
	value: 'paymentIntent',
	name: 'Payment Intent',
	label: 'payment intent',
	plural: 'payment_intents',
	idPrefix: 'pi_',
	path: '/v1/payment_intents',
	dashboard: 'payments',
	permission: 'rak_payment_intent_read',
	lookup: {
		describe: (p) =>
			joined(amountText(p.amount, p.currency), p.status, personOf(p.customer), p.description),
		expand: ['customer'],
		query: statusOrCustomer([
			'canceled',
			'processing',
			'requires_action',
			'requires_capture',
			'requires_confirmation',
			'requires_payment_method',
			'succeeded',
		]),
	},
	filters: [
		{
			name: 'customer',
			displayName: 'Customer ID',
			kind: 'id',
			idPrefix: 'cus_',
			description: "Only this customer's payment intents",
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the payment intent was created',
		},
	],
	expand: ['customer', 'latest_charge', 'payment_method'],
	dates: ['created'],
	search: {
		// Stripe's query fields for payment intents
		// (docs.stripe.com/search#query-fields-for-payment-intents).
		fields: {
			amount: 'numeric',
			created: 'numeric',
			currency: 'token',
			customer: 'token',
			metadata: 'token',
			status: 'token',
		},
		offered: ['status', 'amount', 'currency', 'customer', 'created', 'metadata'],
		example: "status:'requires_payment_method' AND currency:'usd'",
	},
	simplify: (p: IDataObject) => {
		const error = p.last_payment_error as IDataObject | null;
		return {
			id: p.id,
			...money('amount', p.amount, p.currency),
			...money('amount_received', p.amount_received, p.currency),
			currency: p.currency,
			status: p.status,
			customer: p.customer,
			description: p.description,
			latest_charge: p.latest_charge,
			last_payment_error: error
				? { code: error.code, decline_code: error.decline_code, message: error.message }
				: null,
			cancellation_reason: p.cancellation_reason,
			created: p.created,
			metadata: p.metadata,
		};
	},
});
