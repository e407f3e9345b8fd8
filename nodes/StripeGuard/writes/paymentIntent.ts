/** Payment intent writes: cancel (releases an uncaptured authorization; moves no money). */
import type { INodeProperties } from 'n8n-workflow';

import { idField } from '../framework/fields';
import { defineWrite } from './define';
import { optionValues } from './fields';
import { choice, id, post, PROBE_ID } from './inputs';

const reasonField: INodeProperties = {
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
};
/** The reasons Stripe takes (a test holds them against Stripe's definitions). */
const REASONS = optionValues(reasonField);

export const paymentIntentCancel = defineWrite({
	resource: 'paymentIntent',
	operation: 'cancel',
	name: 'Cancel',
	action: 'Cancel a payment intent',
	description:
		'Propose cancelling a payment intent that has not succeeded yet ' +
		'(releases an uncaptured authorization).',
	permission: 'rak_payment_intent_write',
	properties: [idField('paymentIntentId', 'payment intent', 'pi_'), reasonField],
	build(input) {
		const paymentIntent = id(input, 'paymentIntentId', 'payment intent', 'pi_');
		const params: Record<string, unknown> = {};
		const reason = choice(input, 'cancellationReason', 'Cancellation reason', REASONS);
		if (reason) params.cancellation_reason = reason;
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
