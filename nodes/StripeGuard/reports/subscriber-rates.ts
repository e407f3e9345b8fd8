/**
 * Rates over a period from the per-subscriber sums (./subscriber-movements.ts), each by its
 * published definition:
 *
 * - Subscriber churn rate (Stripe): "the sum of churned subscribers in the past 30 days divided by
 *   the number of active subscribers as of 30 days ago, plus any new subscribers in those 30 days"
 *   (support.stripe.com/questions/calculating-subscriber-churn-rate-in-billing), over the report's
 *   period. A reactivated subscriber joins the denominator as a new one does: its second churn is
 *   counted, so the rate stays within 100 %. (Subscription Movements uses these too.)
 * - MRR churn rate, gross (Stripe's churned revenue: "the total MRR lost during a period due to
 *   downgrades or churn"), over the MRR at the start.
 * - ARPU: MRR ÷ active subscribers (Stripe's Billing analytics; free subscriptions are no active
 *   subscribers, so they do not lower it).
 * - Net and gross revenue retention (no Stripe rule; as ChartMogul and Baremetrics publish them):
 *   over the subscribers paying at the period's start, NRR = (their MRR at the start + expansion −
 *   contraction − churn + reactivation) ÷ their MRR at the start, i.e. their MRR at the end over
 *   it;
 *   GRR = what they kept of it, each subscriber's MRR at the end capped at its MRR at the start
 *   (expansion and a loss won back do not count), so at most 100 %.
 */
import { percent } from './sums';
import type { SubscriberKey } from './subscriber-movements';

export const subscriberChurnRate = (r: Record<SubscriberKey, number>) =>
	percent(
		r.churned_subscribers,
		r.active_subscribers_at_start + r.new_subscribers + r.reactivated_subscribers,
	);

export const mrrChurnRate = (r: Record<SubscriberKey, number>) =>
	percent(r.churned_mrr + r.contraction_mrr, r.mrr_at_start);

/** Minor units a month per active subscriber, from the unrounded MRR, rounded once. */
export const arpu = (mrr: number, subscribers: number) =>
	subscribers ? Math.round(mrr / subscribers) : 0;

/** The subscribers paying at the start of a period, followed to its end (per currency). */
export const RETENTION_KEYS = [
	'subscribers',
	'mrr_at_start',
	'expansion_mrr',
	'contraction_mrr',
	'churned_mrr',
	'reactivation_mrr',
	'mrr_at_end',
	'retained_mrr',
] as const;
export type RetentionKey = (typeof RETENTION_KEYS)[number];

/** Null without subscribers at the start: nothing to retain, which is not 0 %. */
export const netRevenueRetention = (r: Record<RetentionKey, number>) =>
	r.mrr_at_start > 0 ? percent(r.mrr_at_end, r.mrr_at_start) : null;
export const grossRevenueRetention = (r: Record<RetentionKey, number>) =>
	r.mrr_at_start > 0 ? percent(r.retained_mrr, r.mrr_at_start) : null;
