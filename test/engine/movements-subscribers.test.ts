/**
 * Subscription Movements per subscriber (customer), as Stripe's Billing analytics counts them
 * (reports/subscriber-movements.ts), through n8n-core against the emulator. Each dataset is a few
 * customers, each figure worked out by hand from Stripe's published definitions:
 *
 * - "if a customer has two paid subscriptions and cancels one of them, this will not count as
 *   subscriber churn"; "If a customer has two subscriptions and cancels both, we will count the
 *   first cancellation as a subscriber downgrade and the second as subscriber churn".
 * - "A customer that previously ended all active subscriptions and has now restarted will be
 *   counted as a reactivated subscriber, and if that customer ends all active subscriptions again,
 *   it will be counted as a second churn."
 * - New subscribers: "We don't include free plans or existing subscribers who add additional
 *   subscriptions"; MRR excludes "any subscribers on free plans"; churn is going "from non-zero
 *   MRR to zero MRR".
 * - Subscriber churn rate: churned subscribers ÷ (active subscribers at the start + new ones).
 *
 * The period is 20 to 2 days ago, inside Stripe's 30-day event window.
 */
import type { IDataObject } from 'n8n-workflow';

import type { StripeObject } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';
import { createEvent } from './past-billing';

const emulator = useEmulator();
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const S = NOW - 20 * DAY;
const E = NOW - 2 * DAY;
const iso = (t: number) => new Date(t * 1000).toISOString();
const PERIOD = { period: 'custom', start: iso(S), end: iso(E), timeZone: 'UTC' };

async function movements(parameters: IDataObject = {}) {
	const run = await runStripeGuard({
		parameters: {
			resource: 'report',
			operation: 'subscriptionMovements',
			...PERIOD,
			...parameters,
		} as never,
		credential: { apiKey: emulator().keys.testRead },
		// Version 2, as a node added today: Paused Collection is its switch (version 1 excludes).
		typeVersion: 2,
	});
	if (run.status !== 'success')
		throw new Error(`report failed: ${run.error?.message ?? run.status}`);
	return run.items[0].json;
}
const usd = (json: IDataObject) => (json.by_currency as IDataObject).usd as IDataObject;
const perSubscription = (json: IDataObject) =>
	((json.subscriptions as IDataObject).by_currency as IDataObject).usd as IDataObject;

/** A monthly USD price of `amount` (0: a free plan). */
function price(amount: number): StripeObject {
	return emulator().create('price', 'test', {
		currency: 'usd',
		unit_amount: amount,
		unit_amount_decimal: String(amount),
		recurring: {
			interval: 'month',
			interval_count: 1,
			usage_type: 'licensed',
			meter: null,
			trial_period_days: null,
		},
	});
}
const item = (p: StripeObject) => ({
	id: `si_${Math.floor(Math.random() * 1e12)}`,
	object: 'subscription_item',
	quantity: 1,
	discounts: [],
	price: p,
});
const customer = () => emulator().create('customer', 'test').id;
/** Paying since 60 days ago unless `extra` says otherwise. */
function sub(cus: string, amount: number, extra: Record<string, unknown> = {}): StripeObject {
	return emulator().create('subscription', 'test', {
		customer: cus,
		status: 'active',
		currency: 'usd',
		created: NOW - 60 * DAY,
		items: {
			object: 'list',
			has_more: false,
			url: '/v1/subscription_items',
			data: [item(price(amount))],
		},
		...extra,
	});
}
function event(type: string, at: number, object: StripeObject, previous?: Record<string, unknown>) {
	createEvent(emulator(), type, at, object, previous);
}
/** Canceled at `at` (at once), with its event. */
function canceled(cus: string, amount: number, at: number, created = NOW - 60 * DAY) {
	const s = sub(cus, amount, { status: 'canceled', created, canceled_at: at, ended_at: at });
	if (at > NOW - 30 * DAY) event('customer.subscription.deleted', at, s);
	return s;
}
/** Created at `at` without a trial, with its event. */
function started(cus: string, amount: number, at: number) {
	const s = sub(cus, amount, { created: at });
	event('customer.subscription.created', at, s);
	return s;
}

describe('one customer, several subscriptions: downgrades, upgrades, returns', () => {
	let json: IDataObject;
	beforeAll(async () => {
		emulator().reset();
		// P pays P1 $30 + P2 $20; P2 canceled at S+3d: P still pays → contraction 2,000.
		const P = customer();
		sub(P, 3000);
		canceled(P, 2000, S + 3 * DAY);
		// Q pays $40 and adds a $15 subscription at S+5d: an existing subscriber → expansion 1,500.
		const Q = customer();
		sub(Q, 4000);
		started(Q, 1500, S + 5 * DAY);
		// R paid $25 until 40 days ago (churned before the period) and starts $35 at S+6d →
		// reactivation 3,500, not new.
		const R = customer();
		canceled(R, 2500, NOW - 40 * DAY, NOW - 90 * DAY);
		started(R, 3500, S + 6 * DAY);
		// T pays $50, cancels at S+2d (churn 5,000) and returns on $60 at S+10d (reactivation
		// 6,000): one churned and one reactivated subscriber, though T pays at both ends.
		const T = customer();
		canceled(T, 5000, S + 2 * DAY);
		started(T, 6000, S + 10 * DAY);
		// U swaps $10 for $25 at the same second (S+4d): one change of U's MRR → expansion 1,500.
		const U = customer();
		canceled(U, 1000, S + 4 * DAY);
		started(U, 2500, S + 4 * DAY);
		// V pays V1 $12 + V2 $8 and cancels both: V1 at S+3d is a downgrade (contraction 1,200),
		// V2 at S+8d churn (800).
		const V = customer();
		canceled(V, 1200, S + 3 * DAY);
		canceled(V, 800, S + 8 * DAY);
		json = await movements();
	});

	test('MRR per subscriber: each change of a customer’s MRR is one movement', () => {
		// Start: P 5,000 + Q 4,000 + T 5,000 + U 1,000 + V 2,000 = 17,000 (R 0).
		// Expansion Q 1,500 + U 1,500 = 3,000; contraction P 2,000 + V 1,200 = 3,200;
		// churn T 5,000 + V 800 = 5,800; reactivation R 3,500 + T 6,000 = 9,500; new 0.
		// End: P 3,000 + Q 5,500 + R 3,500 + T 6,000 + U 2,500 = 20,500
		//    = 17,000 + 3,000 − 3,200 − 5,800 + 9,500.
		expect(usd(json)).toMatchObject({
			mrr_at_start: 17000,
			new_mrr: 0,
			expansion_mrr: 3000,
			contraction_mrr: 3200,
			churned_mrr: 5800,
			reactivation_mrr: 9500,
			mrr_at_end: 20500,
			net_mrr_growth: 3500,
			rounding: 0,
			// (5,800 + 3,200) ÷ 17,000 = 52.94 %
			mrr_churn_rate_percent: 52.94,
		});
	});

	test('subscriber counts: churn counted also when the customer came back', () => {
		// Active at the start: P, Q, T, U, V = 5; new: none; reactivated: R, T = 2; churned: T, V
		// = 2; active at the end: 5 + 0 + 2 − 2 = 5 (P, Q, R, T, U). Expanded: Q, U; contracted:
		// P, V. Subscriber churn 2 ÷ (5 + 0 + 2) = 28.57 %.
		expect(json).toMatchObject({
			active_subscribers_at_start: 5,
			new_subscribers: 0,
			reactivated_subscribers: 2,
			churned_subscribers: 2,
			active_subscribers_at_end: 5,
			expanded_subscribers: 2,
			contracted_subscribers: 2,
			subscriber_churn_rate_percent: 28.57,
			churn_rate_percent: 28.57,
		});
		expect(json.table_text).toContain('+0 new, −2 churned, churn 28.57 %');
	});

	test('per subscription, for drill-down: the same changes before customers are added up', () => {
		// New: Q2 1,500 + R2 3,500 + T2 6,000 + U2 2,500 = 13,500 (4 subscriptions);
		// churn: P2 2,000 + T1 5,000 + U1 1,000 + V1 1,200 + V2 800 = 10,000 (5 subscriptions).
		// 17,000 + 13,500 − 10,000 = 20,500, the same end.
		expect(perSubscription(json)).toMatchObject({
			new_mrr: 13500,
			expansion_mrr: 0,
			contraction_mrr: 0,
			churned_mrr: 10000,
			reactivation_mrr: 0,
			new_subscriptions: 4,
			canceled_subscriptions: 5,
		});
		expect(json).toMatchObject({ new_subscriptions: 4, canceled_subscriptions: 5 });
	});
});

describe('free is not paying: moving to or from 0 is new or churn', () => {
	let json: IDataObject;
	beforeAll(async () => {
		const e = emulator();
		e.reset();
		// F1 on a $0 plan since 60 days ago, moved to $30 at S+5d → a new subscriber, new 3,000.
		const f1 = sub(customer(), 3000);
		const paidItem = (f1.items as { data: StripeObject[] }).data[0];
		event('customer.subscription.updated', S + 5 * DAY, f1, {
			items: { data: [{ ...paidItem, price: price(0) }] },
		});
		// F2 pays $40; a 100 %-off forever coupon from S+6d → churn 4,000.
		const f2 = sub(customer(), 4000);
		const coupon = e.create('coupon', 'test', { percent_off: 100, duration: 'forever' });
		const d = e.create('discount', 'test', {
			source: { coupon: coupon.id, type: 'coupon' },
			subscription: f2.id,
			start: S + 6 * DAY,
			end: null,
		});
		f2.discounts = [d.id];
		event('customer.subscription.updated', S + 6 * DAY, f2, { discounts: [] });
		// F3 on a $0 plan all along: no subscriber, no movement.
		sub(customer(), 0);
		// F4 on a $0 plan adds a $20 subscription at S+7d → a new subscriber (not an expansion).
		const F4 = customer();
		sub(F4, 0);
		started(F4, 2000, S + 7 * DAY);
		json = await movements();
	});

	test('free → paid is new, paid → 100 % off is churn, free alone is nothing', () => {
		// Start: F2 4,000. New F1 3,000 + F4 2,000 = 5,000; churn F2 4,000; end 5,000.
		expect(usd(json)).toMatchObject({
			mrr_at_start: 4000,
			new_mrr: 5000,
			expansion_mrr: 0,
			contraction_mrr: 0,
			churned_mrr: 4000,
			reactivation_mrr: 0,
			mrr_at_end: 5000,
			rounding: 0,
		});
		// Active at the start: F2 alone (F1, F3, F4 are free); new: F1, F4; churned: F2; at the
		// end: F1, F4. Churn 1 ÷ (1 + 2) = 33.33 %.
		expect(json).toMatchObject({
			active_subscribers_at_start: 1,
			new_subscribers: 2,
			churned_subscribers: 1,
			reactivated_subscribers: 0,
			active_subscribers_at_end: 2,
			subscriber_churn_rate_percent: 33.33,
			// Subscriptions paying at the start: F2 only; free ones are not counted.
			active_at_start: 1,
			active_at_end: 2,
			new_subscriptions: 2,
			canceled_subscriptions: 1,
		});
	});
});

describe('paused collection: counted by its status, or out with the switch', () => {
	beforeAll(() => {
		emulator().reset();
		// C1 pays $25; collection paused from S+4d until S+12d (invoices voided meanwhile).
		const c1 = sub(customer(), 2500, {
			pause_collection: { behavior: 'void', resumes_at: S + 12 * DAY },
		});
		event('customer.subscription.updated', S + 4 * DAY, c1, { pause_collection: null });
		// C2 pays $10 throughout.
		sub(customer(), 1000);
	});

	test("Count (Stripe's default: the status stays active): no movement", async () => {
		const json = await movements();
		expect(usd(json)).toMatchObject({
			mrr_at_start: 3500,
			churned_mrr: 0,
			reactivation_mrr: 0,
			mrr_at_end: 3500,
		});
		expect(json.definition).toMatchObject({ paused_collection: 'count' });
	});

	test('Exclude: the pause is churn (2,500) and its end a reactivation (2,500)', async () => {
		const json = await movements({ pausedCollection: 'exclude' });
		expect(usd(json)).toMatchObject({
			mrr_at_start: 3500,
			churned_mrr: 2500,
			reactivation_mrr: 2500,
			mrr_at_end: 3500,
			rounding: 0,
		});
		expect(json).toMatchObject({
			active_subscribers_at_start: 2,
			churned_subscribers: 1,
			reactivated_subscribers: 1,
			active_subscribers_at_end: 2,
			// 1 ÷ (2 + 0 + 1)
			subscriber_churn_rate_percent: 33.33,
		});
		expect(json.definition).toMatchObject({ paused_collection: 'exclude' });
	});
});
