import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineReadResource } from '../framework/read-resource';
import { defineWriteOperation } from '../framework/write-operation';

const paymentIntentWrites = [
	defineWriteOperation({
		resource: 'paymentIntent',
		operation: 'cancel',
		name: 'Cancel',
		action: 'Propose cancelling a payment intent',
		description:
			'Propose cancelling a payment intent that has not succeeded yet (releases an uncaptured authorization).',
		permission: 'PaymentIntents: Write (rak_payment_intent_write)',
		properties: [
			idField('paymentIntentId', 'payment intent', 'pi_'),
			{
				displayName: 'Cancellation Reason',
				name: 'cancellationReason',
				type: 'options',
				options: [
					{ name: 'Abandoned', value: 'abandoned' },
					{ name: 'Duplicate', value: 'duplicate' },
					{ name: 'Fraudulent', value: 'fraudulent' },
					{ name: 'None', value: '' },
					{ name: 'Requested by Customer', value: 'requested_by_customer' },
				],
				default: '',
			},
		],
	}),
];

export const paymentIntent = defineReadResource(
	{
		value: 'paymentIntent',
		name: 'Payment Intent',
		label: 'payment intent',
		plural: 'payment_intents',
		idPrefix: 'pi_',
		permission: 'PaymentIntents: Read (rak_payment_intent_read)',
		api: (stripe) => stripe.paymentIntents,
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
			fields: "status, amount, currency, customer, created, metadata['key']",
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
	},
	paymentIntentWrites,
);
