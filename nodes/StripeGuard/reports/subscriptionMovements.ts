/**
 * New and canceled subscriptions in a period with the recurring revenue they brought or took,
 * and churn against the subscriptions that were active when the period began. One pass over every
 * subscription created before the period's end: Stripe has no list of "what ended in this range".
 */
import type { IDataObject } from 'n8n-workflow';

import type { OperationContext } from '../../shared/operation';
import { PAGE_SIZE } from '../../shared/pagination';
import type { Subscription } from '../../shared/transport';
import { CurrencySums, describePeriod, periodDays, percent, readPeriod, withTable, type Table } from './common';
import { couponCache, recurringValue, SUBSCRIPTION_EXPANSION } from './recurring';

/** Never started: an incomplete subscription is not a customer yet. */
const NEVER_STARTED = new Set(['incomplete', 'incomplete_expired']);

/** When a canceled subscription stopped (ended_at; canceled_at for a subscription that ended at once). */
const endedAt = (s: Subscription) => (s.status === 'canceled' ? (s.ended_at ?? s.canceled_at) : null);

/** Paying at `t`: started, not ended, and not in a free trial. */
function payingAt(s: Subscription, t: number): boolean {
	if (NEVER_STARTED.has(s.status) || s.created >= t) return false;
	const ended = endedAt(s);
	if (ended !== null && ended <= t) return false;
	return !(s.trial_end !== null && s.trial_end > t && (s.trial_start ?? s.created) <= t);
}

export async function subscriptionMovementsReport(ctx: OperationContext, nowMs = Date.now()): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const now = Math.floor(nowMs / 1000);
	const coupons = couponCache(ctx.stripe);
	const sums = new CurrencySums(['new_mrr', 'churned_mrr', 'net_new_mrr'] as const);
	let created = 0;
	let canceled = 0;
	let activeAtStart = 0;
	let churnedFromStart = 0;

	const list = ctx.stripe.subscriptions.list({ limit: PAGE_SIZE, status: 'all', created: { lt: period.end }, expand: SUBSCRIPTION_EXPANSION });
	for await (const sub of list as AsyncIterable<Subscription>) {
		const ended = endedAt(sub);
		const isNew = sub.created >= period.start && !NEVER_STARTED.has(sub.status);
		const isCanceled = ended !== null && ended >= period.start && ended < period.end;
		const wasPaying = payingAt(sub, period.start);
		if (wasPaying) activeAtStart++;
		if (!isNew && !isCanceled) continue;
		const { currency, monthly } = await recurringValue(sub, now, coupons);
		if (isNew) {
			created++;
			sums.add(currency, 'new_mrr', monthly);
			sums.add(currency, 'net_new_mrr', monthly);
		}
		if (isCanceled) {
			canceled++;
			if (wasPaying) churnedFromStart++;
			sums.add(currency, 'churned_mrr', monthly);
			sums.add(currency, 'net_new_mrr', -monthly);
		}
	}

	const report: IDataObject = {
		report: 'subscriptionMovements',
		...describePeriod(period),
		new_subscriptions: created,
		canceled_subscriptions: canceled,
		net_new_subscriptions: created - canceled,
		active_at_start: activeAtStart,
		churned_from_start: churnedFromStart,
		churn_rate_percent: percent(churnedFromStart, activeAtStart),
		by_currency: sums.toJson(),
	};
	const byCurrency = report.by_currency as Record<string, IDataObject>;
	return withTable(ctx, report, (): Table => ({
		title: `Subscriptions ${periodDays(period)}: +${created} new, −${canceled} canceled, churn ${String(report.churn_rate_percent)} %`,
		columns: ['Currency', 'New MRR', 'Churned MRR', 'Net new MRR'],
		rows: Object.keys(byCurrency).map((c) => {
			const r = byCurrency[c];
			return [c.toUpperCase(), r.new_mrr_formatted as string, r.churned_mrr_formatted as string, r.net_new_mrr_formatted as string];
		}),
		notes: [`Churn = subscriptions paying at the start that were canceled in the period (${churnedFromStart}) ÷ subscriptions paying at the start (${activeAtStart}).`],
	}));
}
