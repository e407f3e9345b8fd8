/**
 * Subscription Movements by the definition MRR uses (reports/subscription-value.ts), with history
 * rebuilt from the Events API (reports/subscription-history.ts). The dataset is worked out by hand
 * in the comments; every case failed on the report before (trials as new, conversions not new,
 * canceled trials as churn, unpaid never churn, no expansion/contraction/reactivation). The
 * property test walks random histories inside Stripe's 30-day event window (creation, trial and
 * conversion, quantity changes, unpaid and paid again, pause and resume, cancellation).
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import {
	EVENT_RETENTION_SECONDS,
	movementsOf,
} from '../../nodes/StripeGuard/reports/subscription-history';
import { subscriptionValueAt } from '../../nodes/StripeGuard/reports/subscription-value';
import type { StripeObject } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';
import { createEvent } from './past-billing';
import {
	DAY,
	definitionArb,
	historyArb,
	NOW,
	noLookups,
	simulate,
	trueStateAt,
	W0,
} from './movements-history';

const emulator = useEmulator();
const iso = (t: number) => new Date(t * 1000).toISOString();

async function movements(parameters: IDataObject) {
	const run = await runStripeGuard({
		parameters: { resource: 'report', operation: 'subscriptionMovements', ...parameters } as never,
		credential: { apiKey: emulator().keys.testRead },
	});
	if (run.status !== 'success')
		throw new Error(
			`report failed: ${run.error?.message ?? run.status} ${run.error?.description ?? ''}`,
		);
	expect(run.items).toHaveLength(1);
	return run.items[0].json;
}

/** The period: 20 days ago to 2 days ago, inside Stripe's 30-day event window. */
const S = NOW - 20 * DAY;
const E = NOW - 2 * DAY;
const PERIOD = { period: 'custom', start: iso(S), end: iso(E), timeZone: 'UTC' };

describe('subscription movements (hand-worked, inside the event window)', () => {
	let json: IDataObject;
	beforeAll(async () => {
		const e = emulator();
		e.reset();
		const customer = () => e.create('customer', 'test').id;
		const item = (currency: string, amount: number, quantity: number) => ({
			id: `si_${Math.floor(Math.random() * 1e12)}`,
			object: 'subscription_item',
			quantity,
			discounts: [],
			price: e.create('price', 'test', {
				currency,
				unit_amount: amount,
				unit_amount_decimal: String(amount),
				recurring: {
					interval: 'month',
					interval_count: 1,
					usage_type: 'licensed',
					meter: null,
					trial_period_days: null,
				},
			}),
		});
		const sub = (
			cust: string,
			status: string,
			currency: string,
			items: object[],
			extra: Record<string, unknown> = {},
		): StripeObject =>
			e.create('subscription', 'test', {
				customer: cust,
				status,
				currency,
				created: NOW - 60 * DAY,
				items: { object: 'list', has_more: false, url: '/v1/subscription_items', data: items },
				...extra,
			});
		const event = (
			type: string,
			created: number,
			object: StripeObject,
			previous?: Record<string, unknown>,
		) => createEvent(e, type, created, object, previous);
		const ended = (t: number) => ({ canceled_at: t, ended_at: t });
		const cA = customer();
		const cFG = customer();

		// A: $50.00 paying throughout → start 5,000, end 5,000.
		sub(cA, 'active', 'usd', [item('usd', 5000, 1)]);
		// B: created in the period, still in trial → not new, nothing (the old report: new +7,000).
		sub(customer(), 'trialing', 'usd', [item('usd', 7000, 1)], {
			created: S + DAY,
			trial_start: S + DAY,
			trial_end: NOW + 5 * DAY,
		});
		// C: trial from before the period converts at S+3d → new +4,000 (the old report: not new).
		const c = sub(customer(), 'active', 'usd', [item('usd', 4000, 1)], {
			created: S - 5 * DAY,
			trial_start: S - 5 * DAY,
			trial_end: S + 3 * DAY,
		});
		event('customer.subscription.updated', S + 3 * DAY, c, { status: 'trialing' });
		// D: trial canceled at S+5d before it ever paid →
		// not churn, nothing (the old report: churn 3,000).
		const d = sub(customer(), 'canceled', 'usd', [item('usd', 3000, 1)], {
			created: S - 3 * DAY,
			trial_start: S - 3 * DAY,
			trial_end: S + 10 * DAY,
			...ended(S + 5 * DAY),
		});
		event('customer.subscription.deleted', S + 5 * DAY, d);
		// E: past due at the start, marked unpaid at S+6d → churn 2,000 (the old report: nothing).
		const eSub = sub(customer(), 'unpaid', 'usd', [item('usd', 2000, 1)]);
		event('customer.subscription.updated', S + 6 * DAY, eSub, { status: 'past_due' });
		// F: $10.00 × 1 → × 3 at S+4d → start 1,000, end 3,000: expansion +2,000.
		const fItem = item('usd', 1000, 3);
		const f = sub(cFG, 'active', 'usd', [fItem]);
		event('customer.subscription.updated', S + 4 * DAY, f, {
			items: { data: [{ ...fItem, quantity: 1 }] },
		});
		// G: $15.00 × 4 → × 2 at S+7d → start 6,000, end 3,000: contraction −3,000 (customer of F).
		const gItem = item('usd', 1500, 2);
		const g = sub(cFG, 'active', 'usd', [gItem]);
		event('customer.subscription.updated', S + 7 * DAY, g, {
			items: { data: [{ ...gItem, quantity: 4 }] },
		});
		// H: unpaid at the start, paid again at S+8d → reactivation +2,500 (the old report: nothing).
		const h = sub(customer(), 'active', 'usd', [item('usd', 2500, 1)]);
		event('customer.subscription.updated', S + 8 * DAY, h, { status: 'unpaid' });
		// I: paying at the start, canceled at S+9d → churn 1,200 (customer of A, who still pays).
		const i = sub(cA, 'canceled', 'usd', [item('usd', 1200, 1)], ended(S + 9 * DAY));
		event('customer.subscription.deleted', S + 9 * DAY, i);
		// J: €9.00 created at S+2d, no trial → new +900.
		sub(customer(), 'active', 'eur', [item('eur', 900, 1)], { created: S + 2 * DAY });
		// K: €11.00 paying throughout.
		sub(customer(), 'active', 'eur', [item('eur', 1100, 1)]);
		// L: ended before the period → nothing.
		sub(customer(), 'canceled', 'usd', [item('usd', 9900, 1)], ended(S - 10 * DAY));
		json = await movements(PERIOD);
	});

	test(
		'MRR at start + new + expansion − contraction − ' +
			'churn + reactivation = MRR at end, per currency and per subscriber',
		() => {
			// Per subscriber (customer): cA pays A 5,000 + I 1,200, and I's cancellation leaves cA
			// paying 5,000: contraction 1,200, not churn. cFG pays F + G: 1,000 + 6,000 = 7,000 →
			// 9,000 (S+4d, expansion 2,000) → 6,000 (S+7d, contraction 3,000).
			// USD start: cA 6,200 + E 2,000 + cFG 7,000 = 15,200. New C 4,000; expansion 2,000;
			// contraction 1,200 + 3,000 = 4,200; churn E 2,000; reactivation H 2,500 (paid before it
			// was unpaid). End: cA 5,000 + C 4,000 + cFG 6,000 + H 2,500 = 17,500 =
			// 15,200 + 4,000 + 2,000 − 4,200 − 2,000 + 2,500. EUR start: K 1,100; new J 900; end 2,000.
			const by = json.by_currency as Record<string, IDataObject>;
			expect(by.usd).toMatchObject({
				mrr_at_start: 15200,
				new_mrr: 4000,
				expansion_mrr: 2000,
				contraction_mrr: 4200,
				churned_mrr: 2000,
				reactivation_mrr: 2500,
				mrr_at_end: 17500,
				net_new_mrr: 2300,
				net_mrr_growth: 2300,
				rounding: 0,
				// (churn 2,000 + contraction 4,200) ÷ start 15,200 = 40.79 %.
				mrr_churn_rate_percent: 40.79,
			});
			expect(by.eur).toMatchObject({
				mrr_at_start: 1100,
				new_mrr: 900,
				expansion_mrr: 0,
				contraction_mrr: 0,
				churned_mrr: 0,
				reactivation_mrr: 0,
				mrr_at_end: 2000,
				net_new_mrr: 900,
				rounding: 0,
				mrr_churn_rate_percent: 0,
			});
			for (const row of Object.values(by)) {
				const n = (k: string) => row[k] as number;
				expect(
					n('mrr_at_start') +
						n('new_mrr') +
						n('expansion_mrr') -
						n('contraction_mrr') -
						n('churned_mrr') +
						n('reactivation_mrr') +
						n('rounding'),
				).toBe(n('mrr_at_end'));
			}
			// Per subscription, for drill-down: I's cancellation is churn there.
			expect((json.subscriptions as IDataObject).by_currency).toMatchObject({
				usd: {
					new_mrr: 4000,
					expansion_mrr: 2000,
					contraction_mrr: 3000,
					churned_mrr: 3200,
					reactivation_mrr: 2500,
					canceled_subscriptions: 2,
				},
			});
			expect(json.table_text).toContain('$152.00');
			expect(json.table_text).toContain('$175.00');
		},
	);

	test('counts and churn rates: trials are not new, conversions are, unpaid is churn', () => {
		// Subscriptions paying at the start: A, E, F, G, I, K = 6; new: C, J = 2; reactivated: H;
		// stopped paying: E (unpaid), I (canceled) = 2. Subscription churn 2 ÷ (6 + 2 + 1) =
		// 22.22 %. Paying at the end: A, C, F, G, H, J, K = 7.
		expect(json).toMatchObject({
			new_subscriptions: 2,
			canceled_subscriptions: 2,
			ended_subscriptions: 1,
			expanded_subscriptions: 1,
			contracted_subscriptions: 1,
			reactivated_subscriptions: 1,
			active_at_start: 6,
			active_at_end: 7,
			net_new_subscriptions: 1,
			subscription_churn_rate_percent: 22.22,
		});
		// Subscribers (customers) active at the start: cA, E, cFG (USD), K (EUR) = 4; new: C, J = 2;
		// reactivated: H = 1; churned: E only (cA still pays through A) = 1; active at the end:
		// 4 + 2 + 1 − 1 = 6. Churn 1 ÷ (4 + 2 + 1) = 14.29 %, Stripe's churn rate.
		expect(json).toMatchObject({
			active_subscribers_at_start: 4,
			new_subscribers: 2,
			reactivated_subscribers: 1,
			churned_subscribers: 1,
			active_subscribers_at_end: 6,
			expanded_subscribers: 1,
			contracted_subscribers: 2,
			subscribers_at_start: 4,
			subscriber_churn_rate_percent: 14.29,
			churn_rate_percent: 14.29,
		});
		expect((json.by_currency as Record<string, IDataObject>).usd).toMatchObject({
			active_subscribers_at_start: 3,
			new_subscribers: 1,
			reactivated_subscribers: 1,
			churned_subscribers: 1,
			active_subscribers_at_end: 4,
			// 1 ÷ (3 + 1 + 1)
			subscriber_churn_rate_percent: 20,
		});
		expect(json.limits).toMatchObject({
			events_read: true,
			valued_with_later_state: 0,
			valued_with_current_state: 0,
		});
		// 12 subscriptions and 9 events: one page each; inside the events' reach no invoice.
		expect(json.requests).toEqual({
			subscription_pages: 1,
			event_pages: 1,
			invoice_pages: 0,
			invoice_line_pages: 0,
			invoice_lookups: 0,
			total_list_requests: 2,
		});
	});

	test(
		'before the 30-day window the report values ' + 'with the later state and says how many',
		async () => {
			const before = await movements({
				period: 'custom',
				start: iso(NOW - 50 * DAY),
				end: iso(NOW - 40 * DAY),
				timeZone: 'UTC',
			});
			// Existing then (created 60 days ago): A, E, F, G, H, I, K, and L (ended 30 days ago): 8.
			expect(before.limits).toMatchObject({ events_read: true, valued_with_later_state: 8 });
			expect(before.table_text).toContain('Stripe keeps events for 30 days: 8 subscription(s)');
		},
	);

	test(
		'a key without Events: Read gets the report ' + 'valued with the current state, and is told so',
		async () => {
			const key = emulator().addKey({
				mode: 'test',
				permissions: { subscription: 'read', customer: 'read', plan: 'read' },
			});
			const run = await runStripeGuard({
				parameters: { resource: 'report', operation: 'subscriptionMovements', ...PERIOD } as never,
				credential: { apiKey: key },
			});
			expect(run.status).toBe('success');
			const out = run.items[0].json;
			// Every one of the 11 subscriptions that existed just before the period's end (all but L,
			// ended before it starts) was valued with today's state: E is unpaid and H active all
			// through, so neither churn nor reactivation shows, and F, G show no change. I's end is
			// dated (ended_at): cA keeps paying through A, so contraction 1,200.
			expect(out.limits).toMatchObject({ events_read: false, valued_with_current_state: 11 });
			expect(out.table_text).toContain('cannot read events (Events: Read, rak_event_read)');
			expect((out.by_currency as Record<string, IDataObject>).usd).toMatchObject({
				expansion_mrr: 0,
				contraction_mrr: 1200,
				churned_mrr: 0,
				reactivation_mrr: 0,
			});
		},
	);
});

// ---- Property: random histories inside the event window ----

describe("MRR's definition switches apply to Movements, and the two reports agree", () => {
	// Three $100.00 monthly subscriptions, paying for 60 days:
	//  R: a repeating 50 % coupon added 5 days ago (3 months);
	//  X: a cancellation at period end requested 4 days ago (ends in 20 days);
	//  P: plain.
	// Last 10 days to now: forever-only discounts and cancellations at request (Stripe's defaults):
	//   start 30,000; churn X 10,000; end 20,000. Repeating coupons counted: contraction R 5,000 →
	//   end 15,000. Cancellations at period end: X stays → end 30,000 (or 25,000 with the coupon).
	const LAST_10 = {
		period: 'custom',
		start: iso(NOW - 10 * DAY),
		end: iso(NOW + DAY),
		timeZone: 'UTC',
	};
	beforeAll(() => {
		const e = emulator();
		e.reset();
		const price = e.create('price', 'test', {
			currency: 'usd',
			unit_amount: 10_000,
			unit_amount_decimal: '10000',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		const sub = (extra: Record<string, unknown> = {}) =>
			e.create('subscription', 'test', {
				customer: e.create('customer', 'test').id,
				status: 'active',
				currency: 'usd',
				created: NOW - 60 * DAY,
				items: {
					object: 'list',
					has_more: false,
					url: '/v1/subscription_items',
					data: [
						{
							id: `si_${Math.floor(Math.random() * 1e12)}`,
							object: 'subscription_item',
							quantity: 1,
							discounts: [],
							price,
						},
					],
				},
				...extra,
			});
		const updated = (at: number, object: StripeObject, previous: Record<string, unknown>) =>
			e.create('event', 'test', {
				type: 'customer.subscription.updated',
				created: at,
				data: { object: structuredClone(object), previous_attributes: previous },
			});
		const coupon = e.create('coupon', 'test', {
			percent_off: 50,
			duration: 'repeating',
			duration_in_months: 3,
		});
		const r = sub();
		const d = e.create('discount', 'test', {
			source: { coupon: coupon.id, type: 'coupon' },
			subscription: r.id,
			start: NOW - 5 * DAY,
			end: NOW + 85 * DAY,
		});
		r.discounts = [d.id];
		updated(NOW - 5 * DAY, r, { discounts: [] });
		const x = sub({
			cancel_at_period_end: true,
			cancel_at: NOW + 20 * DAY,
			canceled_at: NOW - 4 * DAY,
		});
		updated(NOW - 4 * DAY, x, { cancel_at_period_end: false, cancel_at: null, canceled_at: null });
		sub();
	});

	const cases: Array<
		[IDataObject, { start: number; end: number; churned_mrr: number; contraction_mrr: number }]
	> = [
		[{}, { start: 30_000, end: 20_000, churned_mrr: 10_000, contraction_mrr: 0 }],
		[
			{ countDiscounts: 'foreverAndRepeating' },
			{ start: 30_000, end: 15_000, churned_mrr: 10_000, contraction_mrr: 5_000 },
		],
		[
			{ scheduledCancellations: 'atPeriodEnd' },
			{ start: 30_000, end: 30_000, churned_mrr: 0, contraction_mrr: 0 },
		],
		[
			{ countDiscounts: 'all', scheduledCancellations: 'atPeriodEnd' },
			{ start: 30_000, end: 25_000, churned_mrr: 0, contraction_mrr: 5_000 },
		],
	];
	test.each(cases)('with %j', async (options, want) => {
		const m = await movements({ ...LAST_10, ...options });
		const usd = (m.by_currency as IDataObject).usd as IDataObject;
		expect(usd).toMatchObject({
			mrr_at_start: want.start,
			mrr_at_end: want.end,
			churned_mrr: want.churned_mrr,
			contraction_mrr: want.contraction_mrr,
		});
		expect(m.definition).toMatchObject({
			discounts: options.countDiscounts ?? 'forever',
			scheduled_cancellations: options.scheduledCancellations ?? 'atRequest',
		});
		// The MRR report with the same switches says the same about now.
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'mrr',
				includeTable: false,
				...options,
			} as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(((run.items[0].json.by_currency as IDataObject).usd as IDataObject).mrr).toBe(
			usd.mrr_at_end,
		);
	});

	test('a value outside the list is refused, naming the field', async () => {
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'subscriptionMovements',
				...LAST_10,
				countDiscounts: 'sometimes',
			} as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.error?.message).toBe(
			'"sometimes" is not one of forever, foreverAndRepeating, ' +
				'foreverAndOnce, all for countDiscounts',
		);
	});
});

test(
	'property: start + new + expansion − contraction − churn + reactivation = end per currency, ' +
		'and both ends are the true values, under every definition switch',
	async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(historyArb, { minLength: 1, maxLength: 6 }),
				fc.integer({ min: W0 + 1, max: NOW - 2 }),
				fc.integer({ min: 1, max: 29 * DAY }),
				definitionArb,
				async (specs, start, length, options) => {
					const period = { start, end: Math.min(NOW, start + length) };
					const windowStart = NOW - EVENT_RETENTION_SECONDS;
					const totals = new Map<string, { start: number; end: number; moved: number }>();
					for (const [n, s] of specs.entries()) {
						const h = simulate(`s${n}`, s);
						const m = await movementsOf(
							h.current,
							h.changes,
							period,
							windowStart,
							noLookups,
							options,
						);
						expect(m.valuedWithLaterState).toBe(false);
						// The rebuilt ends are what the subscription was really worth then.
						const trueStart = await subscriptionValueAt(
							trueStateAt(h, period.start - 1),
							period.start - 1,
							noLookups,
							options,
						);
						const trueEnd = await subscriptionValueAt(
							trueStateAt(h, period.end - 1),
							period.end - 1,
							noLookups,
							options,
						);
						expect(m.start).toBeCloseTo(trueStart.monthly, 6);
						expect(m.end).toBeCloseTo(trueEnd.monthly, 6);
						const a = m.amounts;
						const t = totals.get(m.currency) ?? { start: 0, end: 0, moved: 0 };
						t.start += m.start;
						t.end += m.end;
						t.moved += a.new + a.expansion - a.contraction - a.churn + a.reactivation;
						totals.set(m.currency, t);
					}
					for (const t of totals.values())
						expect(Math.abs(t.start + t.moved - t.end)).toBeLessThan(1e-6);
				},
			),
			{ numRuns: 300 },
		);
	},
);

test(
	'the request cost the report states is what it sent, ' +
		'also when long lists are read in parallel windows',
	async () => {
		const e = emulator();
		e.reset();
		const price = e.create('price', 'test', {
			currency: 'usd',
			unit_amount: 1000,
			unit_amount_decimal: '1000',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		const customer = e.create('customer', 'test').id;
		e.createMany('subscription', 'test', 450, (i) => ({
			customer,
			status: 'active',
			currency: 'usd',
			created: NOW - 400 * DAY + i * 80_000,
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [
					{ id: `si_cost${i}`, object: 'subscription_item', quantity: 1, discounts: [], price },
				],
			},
		}));
		e.clearRequests();
		const json = await movements({ period: 'last_30_days', timeZone: 'UTC' });
		const sent = (path: string) => e.requests.filter((r) => r.path === path).length;
		expect(json.requests).toEqual({
			subscription_pages: sent('/v1/subscriptions'),
			event_pages: sent('/v1/events'),
			invoice_pages: 0,
			invoice_line_pages: 0,
			invoice_lookups: 0,
			total_list_requests: sent('/v1/subscriptions') + sent('/v1/events'),
		});
		expect(sent('/v1/subscriptions')).toBeGreaterThanOrEqual(5);
	},
);
