/**
 * Stripe's subscription metrics over a period, per currency, as its Billing analytics names them
 * (its "Subscription metrics summary": MRR and active subscriber roll-forwards, trial conversion),
 * with what finance teams ask next, net and gross revenue retention. Every figure comes from the
 * same per-subscriber MRR as Subscription Movements (./subscriber-tally.ts): one definition.
 *
 * - Active subscribers and ARPU (MRR ÷ active subscribers) at the period's end; subscriber churn
 *   rate, MRR churn rate and net MRR growth over it (./subscriber-rates.ts).
 * - Net and gross revenue retention of the subscribers paying at the start (./subscriber-rates.ts).
 * - Trial conversion, Stripe's: "Trial conversions are calculated by dividing the number of
 *   conversions in the last 30 days by the number of ended trials, either by conversion or
 *   cancellation, in the last 30 days." "A trial converts when the full trial period has ended,
 *   the subscription has not been canceled, and the first invoice has been paid. Even if a customer
 *   cancels shortly after paying their first invoice, we will still consider their trial
 *   converted." A trial cancellation "occurs when a subscription that is still trialing is
 *   cancelled" (support.stripe.com/questions/calculating-trial-conversion-rate-in-billing).
 *   Counted per subscription, over the report's period; the first invoice is read from Stripe's
 *   invoices (kept forever), so the figure is exact for any past period.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { toNodeError } from '../../shared/errors';
import { isStripeApiError, type StripeObject, type Subscription } from '../../shared/transport';
import { mapInOrder } from '../framework/concurrency';
import type { OperationContext } from '../framework/operation';
import { describeDefinition, readDefinition } from './mrr-definition';
import { describePeriod, periodDays, readPeriod, type ReportPeriod } from './report-period';
import { SUBSCRIBER_KEYS, type SubscriberKey, type SubscriberPath } from './subscriber-movements';
import {
	arpu,
	grossRevenueRetention,
	mrrChurnRate,
	netRevenueRetention,
	RETENTION_KEYS,
	subscriberChurnRate,
	type RetentionKey,
} from './subscriber-rates';
import {
	laterStateNote,
	tallyLimits,
	tallySubscribers,
	type SubscriberTally,
} from './subscriber-tally';
import type { SubscriptionMovements } from './subscription-history';
import { CurrencySums, percent } from './sums';
import { withTable, type Table } from './table';

const SUBSCRIBER_COUNTS = SUBSCRIBER_KEYS.filter((k) => k.includes('subscribers'));

/** First invoices looked up at once (the key's pace still applies). */
const INVOICE_LOOKUPS = 8;
/**
 * Where a trial's first invoice is looked for: Stripe creates it when the trial ends (or when an
 * update ends it early, then `trial_end` is that moment), so within a day after it.
 */
const FIRST_INVOICE_WINDOW = { before: 3600, after: 86_400 };

export async function subscriptionMetricsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const definition = readDefinition(ctx);
	const now = Math.floor(nowMs / 1000);
	const trials = new Trials(period, now);
	const tally = await tallySubscribers(ctx, period, definition, nowMs, (sub, m) =>
		trials.see(sub, m),
	);
	const judged = await trials.judge(ctx);
	const retention = new CurrencySums(RETENTION_KEYS);
	const sums = tally.ledger.totals((path) => followFromStart(retention, path));

	const all = Object.fromEntries(SUBSCRIBER_COUNTS.map((k) => [k, 0])) as Record<
		SubscriberKey,
		number
	>;
	for (const currency of sums.currencies())
		for (const k of SUBSCRIBER_COUNTS) all[k] += sums.get(currency)[k];
	const trialFields = trials.fields();
	const byCurrency = metricRows(sums, retention);
	const limits = {
		...tallyLimits(tally),
		invoices_read: judged.invoicesRead && tally.invoicesRead,
		figures_valued_with_later_state: laterStateFigures(period, tally, judged.invoicesRead, now),
	};
	const report: IDataObject = {
		report: 'subscriptionMetrics',
		...describePeriod(period),
		definition: describeDefinition(definition),
		active_subscribers: all.active_subscribers_at_end,
		active_subscribers_at_start: all.active_subscribers_at_start,
		new_subscribers: all.new_subscribers,
		reactivated_subscribers: all.reactivated_subscribers,
		churned_subscribers: all.churned_subscribers,
		subscriber_churn_rate_percent: subscriberChurnRate(all),
		...trialFields,
		by_currency: byCurrency,
		limits,
		requests: {
			subscription_pages: tally.subscriptionPages,
			event_pages: tally.eventPages,
			invoice_pages: tally.invoicePages,
			invoice_line_pages: tally.invoiceLinePages,
			// Each trial's first invoice, and a subscription's own invoices where the past needs them.
			invoice_lookups: judged.lookups + tally.invoiceLookups,
		},
	};
	const notes = metricNotes(report, tally, judged.invoicesRead);
	return withTable(ctx, report, () => metricsTable(period, report, sums.currencies(), notes));
}

/** A subscriber paying at the start, followed through the period (its movements and its end). */
function followFromStart(retention: CurrencySums<RetentionKey>, path: SubscriberPath): void {
	if (path.start <= 0) return;
	const c = path.currency;
	const end = path.moves.length ? path.moves[path.moves.length - 1].mrr : path.start;
	retention.add(c, 'subscribers', 1);
	retention.add(c, 'mrr_at_start', path.start);
	retention.add(c, 'mrr_at_end', end);
	retention.add(c, 'retained_mrr', Math.min(end, path.start));
	for (const move of path.moves) {
		const key = `${move.kind === 'churn' ? 'churned' : move.kind}_mrr` as RetentionKey;
		// A subscriber paying at the start is never new: it can only come back (reactivation).
		if (move.kind !== 'new') retention.add(c, key, move.amount);
	}
}

/** Per currency: the roll-forwards, ARPU, the rates and the revenue retention. */
function metricRows(
	sums: CurrencySums<SubscriberKey>,
	retention: CurrencySums<RetentionKey>,
): IDataObject {
	const byCurrency = sums.toJson(SUBSCRIBER_COUNTS);
	const cohorts = retention.toJson(['subscribers']);
	for (const currency of sums.currencies()) {
		const exact = sums.get(currency);
		const kept = retention.get(currency);
		const money = (n: number) => ({ value: n, text: formatAmount(n, currency) });
		const perSubscriber = money(arpu(exact.mrr_at_end, exact.active_subscribers_at_end));
		const growth = money(Math.round(exact.mrr_at_end - exact.mrr_at_start));
		Object.assign(byCurrency[currency] as IDataObject, {
			arpu: perSubscriber.value,
			arpu_formatted: perSubscriber.text,
			net_mrr_growth: growth.value,
			net_mrr_growth_formatted: growth.text,
			subscriber_churn_rate_percent: subscriberChurnRate(exact),
			mrr_churn_rate_percent: mrrChurnRate(exact),
			net_revenue_retention_percent: netRevenueRetention(kept),
			gross_revenue_retention_percent: grossRevenueRetention(kept),
			revenue_retention: cohorts[currency] ?? retentionOfNone(currency),
		});
	}
	return byCurrency;
}

const retentionOfNone = (currency: string) => {
	const none = new CurrencySums(RETENTION_KEYS);
	none.add(currency, 'subscribers', 0);
	return none.toJson(['subscribers'])[currency];
};

/**
 * Trials that ended in the period, as Stripe counts them: converted (ran to their end, not
 * canceled, first invoice paid) or canceled while trialing. Kept per trial until the end of the
 * list: only trials that ended in the period, each an ID and two numbers.
 */
class Trials {
	started = 0;
	canceled = 0;
	/** Ran to their end in the period: judged by their first invoice. */
	private ended: Array<{ id: string; trialEnd: number; payingAfter: boolean }> = [];
	private converted = 0;
	private unpaid = 0;

	constructor(
		private readonly period: ReportPeriod,
		private readonly now: number,
	) {}

	private inPeriod = (t: number) => t >= this.period.start && t < this.period.end && t <= this.now;

	see(sub: Subscription, m: SubscriptionMovements): void {
		const { trial_start: start, trial_end: end } = sub;
		if (sub.test_clock || start === null || end === null || end <= start) return;
		if (this.inPeriod(start)) this.started++;
		const endedAt = sub.status === 'canceled' ? (sub.ended_at ?? sub.canceled_at) : null;
		if (endedAt !== null && endedAt <= end) {
			// Canceled while still trialing (at once, or at the trial's end as scheduled).
			if (this.inPeriod(endedAt)) this.canceled++;
			return;
		}
		if (!this.inPeriod(end)) return;
		this.ended.push({ id: sub.id, trialEnd: end, payingAfter: paysAt(m, end) });
	}

	/**
	 * Each trial that ran to its end: converted when the first invoice from its end on was paid.
	 * Without Invoices: Read, by whether the subscription paid right after (by the MRR definition).
	 */
	async judge(ctx: OperationContext): Promise<{ invoicesRead: boolean; lookups: number }> {
		let invoicesRead = true;
		let lookups = 0;
		const paid = await mapInOrder(this.ended.length, INVOICE_LOOKUPS, async (i) => {
			const trial = this.ended[i];
			if (!invoicesRead) return trial.payingAfter;
			try {
				lookups++;
				return await firstInvoicePaid(ctx, trial.id, trial.trialEnd);
			} catch (error) {
				if (!(isStripeApiError(error) && error.statusCode === 403))
					throw toNodeError(ctx.fn.getNode(), error, ctx.itemIndex);
				invoicesRead = false;
				return trial.payingAfter;
			}
		});
		// A refusal part-way: every trial judged the same way, by the subscription.
		const judged = invoicesRead ? paid : this.ended.map((t) => t.payingAfter);
		this.converted = judged.filter(Boolean).length;
		this.unpaid = judged.length - this.converted;
		return { invoicesRead, lookups };
	}

	fields(): IDataObject {
		const ended = this.converted + this.canceled;
		return {
			new_trials: this.started,
			converted_trials: this.converted,
			canceled_trials: this.canceled,
			trials_ended_unpaid: this.unpaid,
			trial_conversion_rate_percent: ended ? percent(this.converted, ended) : null,
		};
	}
}

/** Whether the subscription was worth something at t, by the values its movements walked. */
function paysAt(m: SubscriptionMovements, t: number): boolean {
	let value = m.start;
	for (let i = 0; i < m.timeline.length && m.timeline[i] <= t; i += 2) value = m.timeline[i + 1];
	return value > 0;
}

/**
 * The trial's first invoice: the oldest one Stripe created from its end on (a subscription's own
 * first invoice, for the trial's start, is not it), paid or not.
 */
async function firstInvoicePaid(
	ctx: OperationContext,
	subscription: string,
	trialEnd: number,
): Promise<boolean> {
	const page = await ctx.stripe.invoices.list({
		subscription,
		created: {
			gte: trialEnd - FIRST_INVOICE_WINDOW.before,
			lte: trialEnd + FIRST_INVOICE_WINDOW.after,
		},
		limit: 100,
	});
	// The fields read of an invoice (StripeObject names only its ID and type).
	const invoices = page.data as Array<
		StripeObject & { created: number; status: string | null; billing_reason?: string | null }
	>;
	let first: (typeof invoices)[number] | undefined;
	for (const invoice of invoices) {
		if (invoice.billing_reason === 'subscription_create') continue;
		if (!first || invoice.created < first.created) first = invoice;
	}
	return first?.status === 'paid';
}

/**
 * The figures that rest on a moment before Stripe's event window, where subscriptions were valued
 * with a later state (none when no subscription was).
 */
function laterStateFigures(
	period: ReportPeriod,
	tally: SubscriberTally,
	invoicesRead: boolean,
	now: number,
): string[] {
	if (!tally.laterState) return [];
	const before = (t: number) => !tally.eventsRead || t < tally.windowStart;
	const figures: string[] = [];
	if (before(period.start - 1))
		figures.push(
			'mrr_at_start',
			'active_subscribers_at_start',
			'movements',
			'subscriber_churn_rate_percent',
			'mrr_churn_rate_percent',
			'net_mrr_growth',
			'net_revenue_retention_percent',
			'gross_revenue_retention_percent',
		);
	if (before(Math.min(period.end, now + 1) - 1))
		figures.push('mrr_at_end', 'active_subscribers', 'arpu');
	if (!invoicesRead && before(period.start)) figures.push('trial_conversion_rate_percent');
	return figures;
}

function metricNotes(report: IDataObject, tally: SubscriberTally, invoicesRead: boolean) {
	const n = (k: string) => String(report[k]);
	const notes = [
		'ARPU = MRR ÷ active subscribers at the end (free subscriptions are none). Subscriber churn ' +
			'= churned ÷ (active at the start + new + reactivated); MRR churn = (churned + ' +
			'contraction MRR) ÷ MRR at the start.',
		'NRR and GRR follow the subscribers paying at the start: NRR = their MRR at the end ÷ at ' +
			'the start (expansion, contraction, churn and reactivation); GRR = what they kept, each ' +
			"capped at its start (at most 100 %). Stripe's dashboard has no such figure.",
		`Trial conversion = converted (${n('converted_trials')}) ÷ ended by conversion or ` +
			`cancellation (${n('converted_trials')} + ${n('canceled_trials')}), as Stripe counts ` +
			`it; ${n('trials_ended_unpaid')} ended with the first invoice not paid (yet).`,
	];
	if (!invoicesRead)
		notes.push(
			'The key cannot read invoices (Invoices: Read, rak_invoice_read): a trial counts as ' +
				'converted when its subscription paid right after it, not by its first invoice.',
		);
	return [...notes, ...laterStateNote(tally)];
}

const rate = (v: unknown) => (v === null || v === undefined ? '–' : `${String(v)} %`);

function metricsTable(
	period: ReportPeriod,
	report: IDataObject,
	currencies: string[],
	notes: string[],
): Table {
	const byCurrency = report.by_currency as IDataObject;
	return {
		title:
			`Subscription metrics ${periodDays(period)}: ${String(report.active_subscribers)} ` +
			`active subscribers, churn ${rate(report.subscriber_churn_rate_percent)}, ` +
			`trial conversion ${rate(report.trial_conversion_rate_percent)}`,
		columns: [
			'Currency',
			'MRR',
			'Subscribers',
			'ARPU',
			'Net MRR growth',
			'Subscriber churn',
			'MRR churn',
			'NRR',
			'GRR',
		],
		rows: currencies.map((c) => {
			const r = byCurrency[c] as IDataObject;
			return [
				c.toUpperCase(),
				r.mrr_at_end_formatted as string,
				r.active_subscribers_at_end as number,
				r.arpu_formatted as string,
				r.net_mrr_growth_formatted as string,
				rate(r.subscriber_churn_rate_percent),
				rate(r.mrr_churn_rate_percent),
				rate(r.net_revenue_retention_percent),
				rate(r.gross_revenue_retention_percent),
			];
		}),
		notes,
	};
}
