import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, joined, quoted, statusOrCustomer } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const charge = defineReadResource({
	value: 'charge',
	name: 'Charge',
	label: 'charge',
	plural: 'charges',
	idPrefix: 'ch_',
	path: '/v1/charges',
	dashboard: 'payments',
	permission: 'rak_charge_read',
	lookup: {
		describe: (c) => {
			const billing = c.billing_details as IDataObject | null;
			return joined(
				amountText(c.amount, c.currency),
				c.refunded ? 'refunded' : c.status,
				billing?.name ?? billing?.email ?? c.receipt_email,
				c.description,
			);
		},
		query: statusOrCustomer(['failed', 'pending', 'succeeded'], (text) =>
			/^[0-9]{4}$/.test(text) ? `payment_method_details.card.last4:${quoted(text)}` : undefined,
		),
	},
	filters: [
		{
			name: 'customer',
			displayName: 'Customer ID',
			kind: 'id',
			idPrefix: 'cus_',
			description: "Only this customer's charges",
		},
		{
			name: 'payment_intent',
			displayName: 'Payment Intent ID',
			kind: 'id',
			idPrefix: 'pi_',
			description: 'Only charges of this payment intent',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the charge was created',
		},
	],
	expand: ['customer', 'payment_intent', 'balance_transaction'],
	dates: ['created'],
	search: {
		// Stripe's query fields for charges (docs.stripe.com/search#query-fields-for-charges).
		fields: {
			amount: 'numeric',
			'billing_details.address.postal_code': 'token',
			created: 'numeric',
			currency: 'token',
			customer: 'token',
			disputed: 'token',
			metadata: 'token',
			// payment_method_details.{card, card_present, interac_present}.{last4, brand, …}
			...Object.fromEntries(
				['card', 'card_present', 'interac_present'].flatMap((source) =>
					['last4', 'exp_month', 'exp_year', 'brand', 'fingerprint'].map((f) => [
						`payment_method_details.${source}.${f}`,
						'token' as const,
					]),
				),
			),
			refunded: 'token',
			status: 'token',
		},
		// Not the billing postal code or a card's fingerprint: the output redacts them, and a search
		// by them would confirm a guess. The last 4 digits are shown as they are.
		offered: [
			'status',
			'amount',
			'currency',
			'customer',
			'disputed',
			'refunded',
			'created',
			'payment_method_details.card.last4',
			'metadata',
		],
		example: "status:'failed' AND created>1767225600",
	},
	simplify: (c: IDataObject) => {
		const card = ((c.payment_method_details as IDataObject | null)?.card ??
			null) as IDataObject | null;
		const outcome = c.outcome as IDataObject | null;
		const billing = c.billing_details as IDataObject | null;
		return {
			id: c.id,
			...money('amount', c.amount, c.currency),
			...money('amount_refunded', c.amount_refunded, c.currency),
			currency: c.currency,
			status: c.status,
			paid: c.paid,
			refunded: c.refunded,
			disputed: c.disputed,
			customer: c.customer,
			payment_intent: c.payment_intent,
			description: c.description,
			failure_code: c.failure_code,
			failure_message: c.failure_message,
			decline_reason: outcome?.reason ?? null,
			billing_name: billing?.name ?? null,
			billing_email: billing?.email ?? null,
			card_brand: card?.brand ?? null,
			card_last4: card?.last4 ?? null,
			receipt_email: c.receipt_email,
			created: c.created,
			metadata: c.metadata,
		};
	},
});
