/**
 * Stripe's Billing analytics switches for what MRR counts (discounts, scheduled cancellations),
 * shared by every report that values subscriptions (MRR, Movements): the fields, reading them,
 * and how the output states them.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import type { OperationContext } from '../framework/operation';
import {
	CANCELLATION_RULES,
	DISCOUNT_RULES,
	STRIPE_DEFAULTS,
	type CancellationRule,
	type DiscountRule,
	type ValueOptions,
} from './subscription-value';

export const definitionFields: INodeProperties[] = [
	{
		displayName: 'Discounts',
		name: 'countDiscounts',
		type: 'options',
		options: [
			{
				name: 'Forever and One-Time',
				value: 'foreverAndOnce',
				description: 'Also one-time (once) coupons while they are on the subscription',
			},
			{
				name: 'Forever and Repeating',
				value: 'foreverAndRepeating',
				description: 'Also repeating coupons while they last',
			},
			{
				name: 'Forever Only',
				value: 'forever',
				description: "Stripe's default: only coupons with a forever duration lower MRR",
			},
			{
				name: 'Forever, Repeating and One-Time',
				value: 'all',
				description: 'Every coupon in effect lowers MRR',
			},
		],
		default: 'forever',
		description:
			"Which coupons lower MRR, as in Stripe's Billing analytics settings (subtract recurring " +
			'discounts, one-time discounts, or both)',
	},
	{
		displayName: 'Scheduled Cancellations',
		name: 'scheduledCancellations',
		type: 'options',
		options: [
			{
				name: 'At Period End',
				value: 'atPeriodEnd',
				description: 'A subscription set to cancel counts until it actually ends',
			},
			{
				name: 'At Request',
				value: 'atRequest',
				description:
					"Stripe's default: a subscription set to cancel (at period end or at a date) stops " +
					'counting when the cancellation was requested',
			},
		],
		default: 'atRequest',
		description:
			'When a subscription with a scheduled cancellation leaves MRR, as in ' +
			"Stripe's Billing analytics settings",
	},
];

/** The switches of `definitionFields` (trials only where the report offers Include Trialing). */
export function readDefinition(ctx: OperationContext, includeTrialing = false): ValueOptions {
	const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
		const value = ctx.fn.getNodeParameter(name, ctx.itemIndex, fallback) as T;
		if (!allowed.includes(value)) {
			// An expression or an agent ($fromAI) can hand over anything.
			throw new NodeOperationError(
				ctx.fn.getNode(),
				`"${String(value)}" is not one of ${allowed.join(', ')} for ${name}`,
				{
					itemIndex: ctx.itemIndex,
					description: 'Choose a value from the list.',
				},
			);
		}
		return value;
	};
	return {
		discounts: choice<DiscountRule>('countDiscounts', DISCOUNT_RULES, STRIPE_DEFAULTS.discounts),
		cancellations: choice<CancellationRule>(
			'scheduledCancellations',
			CANCELLATION_RULES,
			STRIPE_DEFAULTS.cancellations,
		),
		includeTrialing,
	};
}

/** How a report states the definition it used. */
export const describeDefinition = (o: ValueOptions): IDataObject => ({
	discounts: o.discounts,
	scheduled_cancellations: o.cancellations,
	include_trialing: o.includeTrialing,
});
