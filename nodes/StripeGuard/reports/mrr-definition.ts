/**
 * Stripe's Billing analytics switches for what MRR counts (discounts, scheduled cancellations,
 * paused collection), shared by every report that values subscriptions (MRR, Movements): the
 * fields, reading them, and how the output states them.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import type { OperationContext } from '../framework/operation';
import { FROM_V2, nodeVersion } from '../framework/node-version';
import {
	CANCELLATION_RULES,
	DISCOUNT_RULES,
	PAUSED_COLLECTION_RULES,
	STRIPE_DEFAULTS,
	type CancellationRule,
	type DiscountRule,
	type PausedCollectionRule,
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
	{
		displayName: 'Paused Collection',
		name: 'pausedCollection',
		type: 'options',
		options: [
			{
				name: 'Count',
				value: 'count',
				description:
					"Stripe's default: pausing collection leaves the subscription active, and Stripe " +
					'counts by status',
			},
			{
				name: 'Exclude',
				value: 'exclude',
				description:
					'Out of MRR while collection is paused: pausing is churn, resuming reactivation',
			},
		],
		default: 'count',
		description:
			'Whether a subscription whose payment collection is paused (pause_collection) counts. ' +
			"Stripe's docs say only that pausing can affect MRR.",
		// Version 1 runs as it always did (paused collection out of MRR): the switch is version 2's.
		displayOptions: FROM_V2,
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
		pausedCollection: choice<PausedCollectionRule>(
			'pausedCollection',
			PAUSED_COLLECTION_RULES,
			nodeVersion(ctx.fn) >= 2 ? 'count' : 'exclude',
		),
		includeTrialing,
	};
}

/** How a report states the definition it used. */
export const describeDefinition = (o: ValueOptions): IDataObject => ({
	discounts: o.discounts,
	scheduled_cancellations: o.cancellations,
	paused_collection: o.pausedCollection ?? 'count',
	include_trialing: o.includeTrialing,
});
