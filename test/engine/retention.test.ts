/**
 * Subscription Metrics (reports/subscription-metrics.ts) through n8n-core against the emulator:
 * constructed histories, each figure worked out by hand from its definition.
 *
 * - ARPU: MRR ÷ active subscribers; free subscribers are no active subscribers.
 * - Net revenue retention (no Stripe rule; as ChartMogul and Baremetrics publish it): over the
 *   subscribers paying at the start, (their MRR at the start + expansion − contraction − churn +
 *   reactivation) ÷ their MRR at the start.
 * - Gross revenue retention: what those subscribers kept, each one's MRR at the end capped at its
 *   MRR at the start, ÷ their MRR at the start: at most 100 %.
 * - Trial conversion (Stripe): "dividing the number of conversions in the last 30 days by the
 *   number of ended trials, either by conversion or cancellation"; "A trial converts when the full
 *   trial period has ended, the subscription has not been canceled, and the first invoice has been
 *   paid. Even if a customer cancels shortly after paying their first invoice, we will still
 *   consider their trial converted"; a trial cancellation "occurs when a subscription that is
 *   still trialing is cancelled".
 *
 * The period is 20 to 2 days ago, inside Stripe's 30-day event window.
 */
import type { IDataObject } from 'n8n-workflow';

import { useEmulator } from './emulator-context';
import { DAY, historyOf, runReport } from './retention-history';

const emulator = useEmulator();
const NOW = Math.floor(Date.now() / 1000);
const S = NOW - 20 * DAY;
const E = NOW - 2 * DAY;
const iso = (t: number) => new Date(t * 1000).toISOString();
const PERIOD = { period: 'custom', start: iso(S), end: iso(E), timeZone: 'UTC' };
const h = historyOf(emulator, NOW - 60 * DAY);
const metrics = (parameters: IDataObject = {}, apiKey?: string) =>
	runReport(emulator, 'subscriptionMetrics', { ...PERIOD, ...parameters }, apiKey);
const usd = (json: IDataObject) => (json.by_currency as IDataObject).usd as IDataObject;

describe('revenue retention, ARPU and churn rates', () => {
	let json: IDataObject;
	beforeAll(async () => {
		emulator().reset();
		// A pays $100 and adds a $50 subscription at S+5d: expansion 5,000 (10,000 → 15,000).
		const A = h.customer();
		h.sub(A, 10000);
		h.started(A, 5000, S + 5 * DAY);
		// B pays $40 and cancels at S+3d: churn 4,000 (4,000 → 0).
		h.canceled(h.customer(), 4000, S + 3 * DAY);
		// C pays $60 + $20 and cancels the $20 at S+4d: contraction 2,000 (8,000 → 6,000).
		const C = h.customer();
		h.sub(C, 6000);
		h.canceled(C, 2000, S + 4 * DAY);
		// D is new at S+6d on $30: not among those paying at the start.
		h.started(h.customer(), 3000, S + 6 * DAY);
		// G pays $50, cancels at S+2d (churn 5,000) and comes back at S+10d on $70
		// (reactivation 7,000): 5,000 → 7,000.
		const G = h.customer();
		h.canceled(G, 5000, S + 2 * DAY);
		h.started(G, 7000, S + 10 * DAY);
		// F pays $40 + $60, cancels the $40 at S+3d (contraction 4,000) and adds $60 at S+8d
		// (expansion 6,000): 10,000 → 6,000 → 12,000.
		const F = h.customer();
		h.canceled(F, 4000, S + 3 * DAY);
		h.sub(F, 6000);
		h.started(F, 6000, S + 8 * DAY);
		// Z is on a free plan all along: no subscriber.
		h.sub(h.customer(), 0);
		json = await metrics();
	});

	test('NRR: their MRR at the end over at the start, expansion and churn included', () => {
		// Paying at the start: A 10,000 + B 4,000 + C 8,000 + G 5,000 + F 10,000 = 37,000 (5).
		// Expansion A 5,000 + F 6,000 = 11,000; contraction C 2,000 + F 4,000 = 6,000; churn
		// B 4,000 + G 5,000 = 9,000; reactivation G 7,000.
		// 37,000 + 11,000 − 6,000 − 9,000 + 7,000 = 40,000 (A 15,000, C 6,000, G 7,000, F 12,000);
		// NRR = 40,000 ÷ 37,000 = 108.11 %. D's new MRR is not theirs.
		expect(usd(json).revenue_retention).toMatchObject({
			subscribers: 5,
			mrr_at_start: 37000,
			expansion_mrr: 11000,
			contraction_mrr: 6000,
			churned_mrr: 9000,
			reactivation_mrr: 7000,
			mrr_at_end: 40000,
		});
		expect(usd(json).net_revenue_retention_percent).toBe(108.11);
	});

	test('GRR: each subscriber capped at its start, so at most 100 %', () => {
		// Kept: A min(15,000, 10,000) = 10,000; B 0; C 6,000; G min(7,000, 5,000) = 5,000;
		// F min(12,000, 10,000) = 10,000. 31,000 ÷ 37,000 = 83.78 %. (Summing the period's
		// contraction and churn, 37,000 − 6,000 − 9,000 = 22,000, would count G's churn and F's
		// contraction though both ended the period at or above where they started.)
		expect(usd(json).revenue_retention).toMatchObject({ retained_mrr: 31000 });
		expect(usd(json).gross_revenue_retention_percent).toBe(83.78);
	});

	test('ARPU: MRR ÷ active subscribers, the free subscriber not among them', () => {
		// MRR at the end 40,000 + D 3,000 = 43,000 over A, C, D, G, F = 5 → 8,600
		// (Z's free plan would make it 43,000 ÷ 6 = 7,167).
		expect(usd(json)).toMatchObject({
			mrr_at_end: 43000,
			active_subscribers_at_end: 5,
			arpu: 8600,
			arpu_formatted: '$86.00',
		});
		expect(json.active_subscribers).toBe(5);
	});

	test('subscriber and MRR churn rates, net MRR growth', () => {
		// Churned: B, G = 2 ÷ (5 at the start + 1 new + 1 reactivated) = 28.57 %.
		// MRR churn (9,000 + 6,000) ÷ 37,000 = 40.54 %. Growth 43,000 − 37,000 = 6,000.
		expect(json).toMatchObject({
			active_subscribers_at_start: 5,
			new_subscribers: 1,
			reactivated_subscribers: 1,
			churned_subscribers: 2,
			subscriber_churn_rate_percent: 28.57,
		});
		expect(usd(json)).toMatchObject({
			subscriber_churn_rate_percent: 28.57,
			mrr_churn_rate_percent: 40.54,
			net_mrr_growth: 6000,
		});
		expect(json.table_text).toContain('108.11 %');
		expect(json.table_text).toContain('83.78 %');
	});

	test('one definition: Subscription Movements gives the same MRR, counts and rates', async () => {
		const moves = await runReport(emulator, 'subscriptionMovements', PERIOD);
		const m = usd(moves);
		for (const key of [
			'mrr_at_start',
			'new_mrr',
			'expansion_mrr',
			'contraction_mrr',
			'churned_mrr',
			'reactivation_mrr',
			'mrr_at_end',
			'subscriber_churn_rate_percent',
			'mrr_churn_rate_percent',
			'net_mrr_growth',
		])
			expect([key, usd(json)[key]]).toEqual([key, m[key]]);
		expect(json.subscriber_churn_rate_percent).toBe(moves.subscriber_churn_rate_percent);
	});
});

describe('trial conversion, as Stripe counts it', () => {
	const trial = (from: number, to: number, extra: Record<string, unknown> = {}) =>
		h.sub(h.customer(), 2000, {
			created: from,
			trial_start: from,
			trial_end: to,
			...extra,
		});
	beforeAll(() => {
		emulator().reset();
		// T1 ran from S−5d to S+4d and its first invoice was paid: converted.
		const t1 = trial(S - 5 * DAY, S + 4 * DAY);
		h.invoice(t1, S - 5 * DAY, 'paid', 'subscription_create', 0);
		h.invoice(t1, S + 4 * DAY, 'paid', 'subscription_cycle');
		// T2 started at S+1d and was canceled while trialing at S+6d: a trial cancellation.
		trial(S + DAY, S + 15 * DAY, {
			status: 'canceled',
			canceled_at: S + 6 * DAY,
			ended_at: S + 6 * DAY,
		});
		// T3 converted at S+7d (first invoice paid) and was canceled at S+9d: still converted.
		const t3 = trial(S - 3 * DAY, S + 7 * DAY, {
			status: 'canceled',
			canceled_at: S + 9 * DAY,
			ended_at: S + 9 * DAY,
		});
		h.invoice(t3, S + 7 * DAY, 'paid', 'subscription_cycle');
		// T4 ended at S+5d, its first invoice still open (payment failed): neither.
		const t4 = trial(S - 10 * DAY, S + 5 * DAY, { status: 'past_due' });
		h.invoice(t4, S + 5 * DAY, 'open', 'subscription_cycle');
		// T5 started at S+10d and is still trialing: a new trial, not ended.
		trial(S + 10 * DAY, NOW + 5 * DAY, { status: 'trialing' });
		// T6's trial ended before the period: not counted.
		const t6 = trial(S - 20 * DAY, S - 2 * DAY);
		h.invoice(t6, S - 2 * DAY, 'paid', 'subscription_cycle');
		// T7 asked at S+8d to cancel at the trial's end, S+12d: canceled while still trialing.
		trial(S - 2 * DAY, S + 12 * DAY, {
			status: 'canceled',
			canceled_at: S + 8 * DAY,
			ended_at: S + 12 * DAY,
		});
		// T8, a 12-hour trial from S+13d: its $0 invoice at the start is paid, the first invoice
		// after the trial is open: not converted.
		const t8 = trial(S + 13 * DAY, S + 13 * DAY + 43_200, { status: 'past_due' });
		h.invoice(t8, S + 13 * DAY, 'paid', 'subscription_create', 0);
		h.invoice(t8, S + 13 * DAY + 43_200, 'open', 'subscription_cycle');
	});

	test('converted ÷ (converted + canceled while trialing)', async () => {
		// New trials: T2, T5, T8 (started in the period). Converted: T1, T3; canceled: T2, T7;
		// ended with the first invoice unpaid: T4, T8. 2 ÷ (2 + 2) = 50 %.
		const json = await metrics();
		expect(json).toMatchObject({
			new_trials: 3,
			converted_trials: 2,
			canceled_trials: 2,
			trials_ended_unpaid: 2,
			trial_conversion_rate_percent: 50,
		});
		expect(json.limits).toMatchObject({ invoices_read: true });
		// One look-up per trial that ran to its end in the period: T1, T3, T4, T8.
		expect(json.requests).toMatchObject({ invoice_lookups: 4 });
		expect(json.table_text).toContain('trial conversion 50 %');
	});

	test('without Invoices: Read, by whether it paid after the trial, and said so', async () => {
		const key = emulator().addKey({
			mode: 'test',
			permissions: { subscription: 'read', event: 'read' },
		});
		// T4 and T8 are past due, which MRR counts: converted by this reading. 4 ÷ (4 + 2).
		const json = await metrics({}, key);
		expect(json).toMatchObject({
			converted_trials: 4,
			canceled_trials: 2,
			trials_ended_unpaid: 0,
			trial_conversion_rate_percent: 66.67,
		});
		expect(json.limits).toMatchObject({ invoices_read: false });
		expect(json.table_text).toContain('Invoices: Read');
	});
});

test('an empty account: one report, conversion undefined rather than 0 %', async () => {
	emulator().reset();
	const json = await metrics();
	expect(json).toMatchObject({
		active_subscribers: 0,
		trial_conversion_rate_percent: null,
		by_currency: {},
	});
});
