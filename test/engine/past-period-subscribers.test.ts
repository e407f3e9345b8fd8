/**
 * Any past period, exact, for the reports that follow subscribers: Subscription Metrics and
 * Retention by Cohort read the same invoices before Stripe's 30 days of events as Subscription
 * Movements does (reports/subscription-past.ts). January 2026 reported on the 1st of February
 * (events reach all but its first day), on the 5th (they miss its first days) and 90 days later
 * (no event left) gives the same figures, each worked out by hand below from Stripe's definitions.
 * The emulator runs on the test's clock (Date faked, timers real), so its events age as Stripe's.
 */
import type { IDataObject } from 'n8n-workflow';

import type { StripeObject } from '../emulator';
import { atTime } from './date-clock';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';
import { pastBilling } from './past-billing';
import { at, DAY, JANUARY, ON_THE_1ST, ON_THE_5TH } from './past-month';

const emulator = useEmulator({ now: () => Date.now() });

const DAYS_90_LATER = ON_THE_1ST + 90 * DAY;

async function reportOn(now: number, operation: string, parameters: IDataObject) {
	return await atTime(now * 1000, async () => {
		const run = await runStripeGuard({
			parameters: { resource: 'report', operation, ...parameters } as never,
			credential: { apiKey: emulator().keys.testRead },
			typeVersion: 2,
		});
		if (run.status !== 'success')
			throw new Error(`report failed: ${run.error?.message ?? run.status}`);
		return run.items[0].json;
	});
}

beforeAll(() => {
	const e = emulator();
	e.reset();
	const { monthly, subscription, invoice, cycle, monthlyInvoices, event, customer } =
		pastBilling(e);
	/** A change at `t` prorated on the renewal at `renewal`: credit the old, bill the new. */
	const prorated = (
		sub: StripeObject,
		t: number,
		renewal: number,
		before: [StripeObject, number],
		after: [StripeObject, number],
		next: number,
	) => {
		const share = (renewal - t) / (renewal - (renewal - 31 * DAY));
		invoice(sub, renewal, [
			{
				...cycle(sub, before[0], before[1], t, renewal),
				amount: -Math.round(Number(before[0].unit_amount) * before[1] * share),
				proration: 'credit',
			},
			{
				...cycle(sub, after[0], after[1], t, renewal),
				amount: Math.round(Number(after[0].unit_amount) * after[1] * share),
				proration: 'debit',
			},
			cycle(sub, after[0], after[1], renewal, next),
		]);
	};
	const itemOf = (sub: StripeObject) => (sub.items as { data: StripeObject[] }).data[0];

	// A: $50.00 renewing on the 10th and $30.00 renewing on the 20th, the second canceled on
	// 3 January 12:00: a subscriber downgrade, contraction 3,000 (8,000 → 5,000).
	const A = customer();
	const p50 = monthly(5000);
	const a1 = subscription('sub_A1', A, p50, 1, at(-2, 10));
	monthlyInvoices(a1, p50, 1, 10, [-2, -1, 0, 1, 2, 3]);
	const p30 = monthly(3000);
	const a2 = subscription('sub_A2', A, p30, 1, at(-2, 20), {
		status: 'canceled',
		canceled_at: at(0, 3, 12),
		ended_at: at(0, 3, 12),
	});
	monthlyInvoices(a2, p30, 1, 20, [-2, -1]);
	event('customer.subscription.deleted', at(0, 3, 12), a2);

	// B: $40.00 a seat renewing on the 15th, 1 seat, 3 seats from 4 January 09:00, prorated on
	// the renewal of 15 January: expansion 8,000 (4,000 → 12,000).
	const p40 = monthly(4000);
	const b = subscription('sub_B', customer(), p40, 3, at(-3, 15));
	monthlyInvoices(b, p40, 1, 15, [-2, -1]);
	prorated(b, at(0, 4, 9), at(0, 15), [p40, 1], [p40, 3], at(1, 15));
	monthlyInvoices(b, p40, 3, 15, [1, 2, 3]);
	event('customer.subscription.updated', at(0, 4, 9), b, {
		items: { data: [{ ...itemOf(b), quantity: 1 }] },
	});

	// C: $60.00 renewing on the 20th; the renewal of 20 December failed, and on 2 January 10:00
	// Stripe marked C unpaid and the invoice uncollectible: churn 6,000 (past due pays).
	const p60 = monthly(6000);
	const c = subscription('sub_C', customer(), p60, 1, at(-3, 20), { status: 'unpaid' });
	monthlyInvoices(c, p60, 1, 20, [-2]);
	invoice(c, at(-1, 20), [cycle(c, p60, 1, at(-1, 20), at(0, 20))], {
		status: 'uncollectible',
		markedUncollectibleAt: at(0, 2, 10),
	});
	invoice(c, at(0, 20), [cycle(c, p60, 1, at(0, 20), at(1, 20))], { status: 'draft' });
	event('customer.subscription.updated', at(0, 2, 10), c, { status: 'past_due' });

	// D: $10.00 a seat renewing on the 10th, 2 seats, 1 seat from 1 January 12:00 (before the
	// events' reach even on the 1st), prorated on the renewal of 10 January: contraction 1,000.
	const p10 = monthly(1000);
	const d = subscription('sub_D', customer(), p10, 1, at(-2, 10));
	monthlyInvoices(d, p10, 2, 10, [-2, -1]);
	prorated(d, at(0, 1, 12), at(0, 10), [p10, 2], [p10, 1], at(1, 10));
	monthlyInvoices(d, p10, 1, 10, [1, 2, 3]);
	event('customer.subscription.updated', at(0, 1, 12), d, {
		items: { data: [{ ...itemOf(d), quantity: 2 }] },
	});

	// E: new on 12 January, $20.00: a new subscriber, 2,000.
	const p20 = monthly(2000);
	const eSub = subscription('sub_E', customer(), p20, 1, at(0, 12));
	monthlyInvoices(eSub, p20, 1, 12, [0, 1, 2, 3]);
	event('customer.subscription.created', at(0, 12), eSub);

	// F: $15.00 from 1 October to 1 December, back on 20 January on $15.00: a reactivation, 1,500.
	const F = customer();
	const p15 = monthly(1500);
	const f1 = subscription('sub_F1', F, p15, 1, at(-3, 1), {
		status: 'canceled',
		canceled_at: at(-1, 1),
		ended_at: at(-1, 1),
	});
	monthlyInvoices(f1, p15, 1, 1, [-3, -2]);
	const f2 = subscription('sub_F2', F, p15, 1, at(0, 20));
	monthlyInvoices(f2, p15, 1, 20, [0, 1, 2, 3]);
	event('customer.subscription.created', at(0, 20), f2);

	// G: a free plan renewing on the 3rd, moved to $30.00 on 25 January 12:00, prorated on the
	// renewal of 3 February (after the month): free is no subscriber, so a new one, 3,000.
	const free = monthly(0);
	const g = subscription('sub_G', customer(), p30, 1, at(-2, 3));
	monthlyInvoices(g, free, 1, 3, [-2, -1, 0]);
	prorated(g, at(0, 25, 12), at(1, 3), [free, 1], [p30, 1], at(2, 3));
	monthlyInvoices(g, p30, 1, 3, [2, 3]);
	event('customer.subscription.updated', at(0, 25, 12), g, {
		items: { data: [{ ...itemOf(g), price: free }] },
	});
});

const RUNS: Array<[string, number]> = [
	['on the 1st (events miss its first day)', ON_THE_1ST],
	['on the 5th (events miss the unpaid marking and both seat changes)', ON_THE_5TH],
	['90 days later (no event left)', DAYS_90_LATER],
];

describe('Subscription Metrics for January', () => {
	// By hand, per subscriber (customer). At the start: A 8,000 + B 4,000 + C 6,000 + D 2,000 =
	// 20,000, 4 subscribers (G is free: none). New E 2,000 + G 3,000 (2); reactivation F 1,500
	// (1); expansion B 8,000; contraction A 3,000 + D 1,000; churn C 6,000 (1). At the end
	// 20,000 + 5,000 + 1,500 + 8,000 − 4,000 − 6,000 = 24,500 (A 5,000, B 12,000, D 1,000,
	// E 2,000, F 1,500, G 3,000), 6 subscribers.
	// Subscriber churn = 1 ÷ (4 + 2 + 1) = 14.29 %; MRR churn = (6,000 + 4,000) ÷ 20,000 = 50 %;
	// ARPU = 24,500 ÷ 6 = 4,083; net MRR growth 4,500. NRR over A, B, C, D: (5,000 + 12,000 + 0 +
	// 1,000) ÷ 20,000 = 90 %; GRR, each capped at its start: (5,000 + 4,000 + 0 + 1,000) ÷ 20,000
	// = 50 %.
	const want = {
		active_subscribers: 6,
		active_subscribers_at_start: 4,
		new_subscribers: 2,
		reactivated_subscribers: 1,
		churned_subscribers: 1,
		subscriber_churn_rate_percent: 14.29,
	};
	const wantUsd = {
		mrr_at_start: 20_000,
		mrr_at_end: 24_500,
		arpu: 4_083,
		net_mrr_growth: 4_500,
		subscriber_churn_rate_percent: 14.29,
		mrr_churn_rate_percent: 50,
		net_revenue_retention_percent: 90,
		gross_revenue_retention_percent: 50,
		revenue_retention: {
			subscribers: 4,
			mrr_at_start: 20_000,
			expansion_mrr: 8_000,
			contraction_mrr: 4_000,
			churned_mrr: 6_000,
			reactivation_mrr: 0,
			mrr_at_end: 18_000,
			retained_mrr: 10_000,
		},
	};

	test.each(RUNS)('%s: the hand-worked figures', async (_, now) => {
		const json = await reportOn(now, 'subscriptionMetrics', JANUARY);
		expect(json).toMatchObject(want);
		expect((json.by_currency as IDataObject).usd).toMatchObject(wantUsd);
		expect(json.limits).toMatchObject({ invoices_read: true, removed_discounts_unknown: 0 });
		expect((json.limits as IDataObject).valued_from_invoices).toBeGreaterThan(0);
	});
});

describe('Retention by Cohort: January', () => {
	// January's cohort: the subscribers whose MRR first went above 0 in it, E (12 January, 2,000)
	// and G (25 January, 3,000, free before): 2, 5,000. F came back (paid before): not new, in
	// no cohort of the range, with A, B, C and D (5 before the first cohort). At January's end
	// both pay: 2 ÷ 2 = 100 %, 5,000 ÷ 5,000 = 100 %.
	test.each([
		['on the 1st, two months', ON_THE_1ST, 2],
		['90 days later, five months', DAYS_90_LATER, 5],
	])('%s: the hand-worked figures', async (_, now, months) => {
		const json = await reportOn(now, 'cohorts', { months, timeZone: 'UTC' });
		const [january] = ((json.by_currency as IDataObject).usd as IDataObject)
			.cohorts as IDataObject[];
		expect(january).toMatchObject({ cohort: '2026-01', subscribers: 2, mrr: 5_000 });
		expect((january.months as IDataObject[])[0]).toMatchObject({
			period: '2026-01',
			subscribers: 2,
			subscriber_retention_percent: 100,
			mrr: 5_000,
			mrr_retention_percent: 100,
		});
		expect(json.subscribers_before_first_cohort).toBe(5);
		expect(json.limits).toMatchObject({ invoices_read: true });
	});
});
