/** Payment intent writes: cancel (releases an uncaptured authorization; moves no money). */
import { idField } from '../framework/fields';
import { defineWrite, WriteInputError } from './define';
import { id, post, PROBE_ID } from './inputs';
import { asText } from './validation';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];

export const paymentIntentCancel = defineWrite({
	resource: 'paymentIntent',
	operation: 'cancel',
	name: 'Cancel',
	action: 'Propose cancelling a payment intent',
	description:
		'Propose cancelling a payment intent that has not succeeded yet ' +
		'(releases an uncaptured authorization).',
	permission: 'rak_payment_intent_write',
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
	build(input) {
		const paymentIntent = id(input, 'paymentIntentId', 'payment intent', 'pi_');
		const params: Record<string, unknown> = {};
		if (input.cancellationReason) {
			if (!REASONS.includes(asText(input.cancellationReason)))
				throw new WriteInputError(`Cancellation reason must be one of ${REASONS.join(', ')}`);
			params.cancellation_reason = input.cancellationReason;
		}
		return {
			request: post(`/v1/payment_intents/${paymentIntent}/cancel`, params),
			summary: `Cancel payment intent ${paymentIntent}`,
		};
	},
	review: { labels: { cancellation_reason: 'Cancellation reason' } },
	money: { kind: 'none' },
	probe: `/v1/payment_intents/pi_${PROBE_ID}/cancel`,
	example: {
		input: { paymentIntentId: 'pi_Example1', cancellationReason: 'abandoned' },
		context: {},
	},
});

export const paymentIntentWrites = [paymentIntentCancel] as const;
