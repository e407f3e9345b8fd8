/** Subscription writes: update (cancel at period end, description, metadata), cancel now. */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineWrite } from './define';
import { booleanField, fieldCollection, metadataField, textField } from './fields';
import { changes, del, flag, id, optional, post, PROBE_ID, someChange, targetOf } from './inputs';

const probe = `/v1/subscriptions/sub_${PROBE_ID}`;
const subscriptionIdField = idField('subscriptionId', 'subscription', 'sub_');

export const subscriptionUpdate = defineWrite({
	resource: 'subscription',
	operation: 'update',
	name: 'Update',
	action: 'Update a subscription',
	description:
		'Propose cancelling a subscription at the end of its period (or undoing that), ' +
		'or changing its description or metadata.',
	permission: 'rak_subscription_write',
	properties: [
		subscriptionIdField,
		fieldCollection('updateFields', [
			booleanField(
				'cancelAtPeriodEnd',
				'Cancel at Period End',
				'Whether the subscription ends when the current period ends (off: keep renewing)',
			),
			textField('description', 'Description', 'An internal note shown in the Stripe Dashboard'),
			metadataField,
		]),
	],
	build(input) {
		const subscription = id(input, 'subscriptionId', 'subscription', 'sub_');
		// Stripe's maxLength for a subscription's description.
		const params: Record<string, unknown> = optional(input, {
			metadata: 'metadata',
			description: 500,
		});
		const cancelAtPeriodEnd = flag(input, 'cancelAtPeriodEnd');
		if (cancelAtPeriodEnd !== undefined) params.cancel_at_period_end = cancelAtPeriodEnd;
		someChange(params);
		const what =
			params.cancel_at_period_end === true
				? 'cancel at the end of the current period'
				: params.cancel_at_period_end === false
					? 'keep renewing'
					: changes(params);
		return {
			request: post(`/v1/subscriptions/${subscription}`, params),
			summary: `Update subscription ${subscription}: ${what}`,
		};
	},
	review: { labels: { cancel_at_period_end: 'Cancel at the end of the period' } },
	money: { kind: 'none' },
	probe,
	example: { input: { subscriptionId: 'sub_Example1', cancelAtPeriodEnd: true }, context: {} },
});

export const subscriptionCancel = defineWrite({
	resource: 'subscription',
	operation: 'cancel',
	name: 'Cancel',
	action: 'Cancel a subscription now',
	description:
		'Propose cancelling a subscription immediately ' +
		'(use Update with Cancel at Period End to let it run out).',
	permission: 'rak_subscription_write',
	properties: [
		subscriptionIdField,
		fieldCollection('additionalFields', [
			booleanField(
				'invoiceNow',
				'Invoice Now',
				'Whether to invoice pending usage and proration items right away',
			),
			booleanField('prorate', 'Prorate', 'Whether to credit the unused time of the current period'),
		]),
	],
	build(input) {
		const subscription = id(input, 'subscriptionId', 'subscription', 'sub_');
		const params: Record<string, unknown> = {};
		if (flag(input, 'invoiceNow')) params.invoice_now = true;
		if (flag(input, 'prorate')) params.prorate = true;
		return {
			request: del(`/v1/subscriptions/${subscription}`, params),
			summary: `Cancel subscription ${subscription} now${params.prorate ? ', prorated' : ''}`,
		};
	},
	review: { labels: { invoice_now: 'Invoice now', prorate: 'Prorate' } },
	// Invoicing now or prorating makes a final invoice whose amount Stripe decides.
	money: {
		kind: 'decidedByStripe',
		open: (request) => {
			const { invoice_now: invoiceNow, prorate } = request.params;
			if (invoiceNow !== true && prorate !== true) return [];
			const usage = `outstanding usage${prorate === true ? ' and prorations' : ''}`;
			return [
				`the final invoice of subscription ${targetOf(request)} ` +
					`(${usage}, amount decided by Stripe)`,
			];
		},
		// Stripe's preview of cancelling now, with the same invoicing and proration: what the final
		// invoice bills, or the unused time it credits to the customer's balance.
		async read(stripe, request) {
			const { invoice_now: invoiceNow, prorate } = request.params;
			if (invoiceNow !== true && prorate !== true) return { amounts: {}, words: [] };
			const subscription = targetOf(request);
			const preview = (await stripe.invoices.createPreview({
				subscription,
				subscription_details: {
					cancel_now: true,
					proration_behavior:
						prorate !== true
							? 'none'
							: invoiceNow === true
								? 'always_invoice'
								: 'create_prorations',
				},
			})) as unknown as IDataObject;
			const { amount_due: due, total } = preview;
			const currency = typeof preview.currency === 'string' ? preview.currency.toLowerCase() : '';
			const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);
			if (!whole(due) || !whole(total) || !/^[a-z]{3}$/.test(currency)) return undefined;
			const credit = total < 0 && due === 0;
			const what = credit
				? `a credit of ${formatAmount(-total, currency)} to the customer's balance`
				: `${formatAmount(due, currency)} due`;
			return {
				amounts: { [currency]: Math.max(due, Math.abs(total)) },
				words: [
					`the final invoice of subscription ${subscription}, as Stripe previews it: ${what}`,
				],
			};
		},
	},
	probe,
	example: { input: { subscriptionId: 'sub_Example1', invoiceNow: true }, context: {} },
});

export const subscriptionWrites = [subscriptionUpdate, subscriptionCancel] as const;
