/**
 * Any past period, exact: a month's Subscription Movements rebuilt beyond Stripe's 30 days of
 * events from the subscriptions' invoices (reports/billed-history.ts). The same month reported
 * on the 1st (events reach all but its first day), on the 5th (events miss its first days) and 90
 * days later (no event left) gives the same figures, each worked out by hand below. The emulator
 * runs on the test's clock (Date faked, timers real), so its events age as Stripe's do.
 */
import type { IDataObject } from 'n8n-workflow';

import { subscriptionInvoice } from '../emulator/billing';
import type { StripeObject } from '../emulator';
import { atTime } from './date-clock';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';
import { pastBilling } from './past-billing';
import { at, DAY, JANUARY, ON_THE_1ST, ON_THE_5TH } from './past-month';

// The emulator reads the clock the test sets.
const emulator = useEmulator({ now: () => Date.now() });

const DAYS_90_LATER = ON_THE_5TH + 90 * DAY;

async function movementsOn(now: number, parameters: IDataObject = {}, apiKey?: string) {
	return await atTime(now * 1000, async () => {
		emulator().clearRequests();
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'subscriptionMovements',
				...JANUARY,
				...parameters,
			} as never,
			credential: { apiKey: apiKey ?? emulator().keys.testRead },
		});
		if (run.status !== 'success')
			throw new Error(`report failed: ${run.error?.message ?? run.status}`);
		return run.items[0].json;
	});
}

const FIGURES = [
	'mrr_at_start',
	'new_mrr',
	'expansion_mrr',
	'contraction_mrr',
	'churned_mrr',
	'reactivation_mrr',
	'mrr_at_end',
	'active_subscribers_at_start',
	'new_subscribers',
	'churned_subscribers',
	'active_subscribers_at_end',
];
const figures = (json: IDataObject) =>
	Object.fromEntries(
		Object.entries(json.by_currency as Record<string, IDataObject>).map(([c, row]) => [
			c,
			Object.fromEntries(FIGURES.map((k) => [k, row[k]])),
		]),
	);

beforeAll(() => {
	const e = emulator();
	e.reset();
	const { monthly, subscription, invoice, cycle, monthlyInvoices, event, customer } =
		pastBilling(e);

	// U: $60.00 a month, renewing on the 20th. The renewal of 20 December failed; when the retries
	// ran out, on 2 January 10:00, Stripe marked the subscription unpaid and the invoice
	// uncollectible (the subscription settings "mark as unpaid" and "mark the invoice as
	// uncollectible"). Paying (past due) at the start: 6,000; churn 6,000 on 2 January.
	const pU = monthly(6000);
	const u = subscription('sub_U', customer(), pU, 1, at(-3, 20), { status: 'unpaid' });
	monthlyInvoices(u, pU, 1, 20, [-2]);
	invoice(u, at(-1, 20), [cycle(u, pU, 1, at(-1, 20), at(0, 20))], {
		status: 'uncollectible',
		markedUncollectibleAt: at(0, 2, 10),
	});
	// An unpaid subscription still invoices; Stripe attempts no payment.
	invoice(u, at(0, 20), [cycle(u, pU, 1, at(0, 20), at(1, 20))], { status: 'draft' });
	event('customer.subscription.updated', at(0, 2, 10), u, { status: 'past_due' });

	// V: $10.00 a seat, 2 seats, renewing on the 15th; 5 seats from 3 January 09:00, prorated: the
	// renewal of 15 January credits 2 seats and bills 5 from that second. Start 2,000; expansion
	// 3,000; end 5,000.
	const pV = monthly(1000);
	const v = subscription('sub_V', customer(), pV, 5, at(-2, 15));
	monthlyInvoices(v, pV, 2, 15, [-2, -1]);
	const change = at(0, 3, 9);
	const share = (at(0, 15) - change) / (at(0, 15) - at(-1, 15));
	invoice(v, at(0, 15), [
		{
			...cycle(v, pV, 2, change, at(0, 15)),
			amount: -Math.round(2000 * share),
			proration: 'credit',
		},
		{ ...cycle(v, pV, 5, change, at(0, 15)), amount: Math.round(5000 * share), proration: 'debit' },
		cycle(v, pV, 5, at(0, 15), at(1, 15)),
	]);
	monthlyInvoices(v, pV, 5, 15, [1, 2, 3]);
	event('customer.subscription.updated', change, v, {
		items: { data: [{ ...(v.items as { data: StripeObject[] }).data[0], quantity: 2 }] },
	});

	// W: $25.00 a month, renewing on the 10th, canceled on 20 January 12:00: churn 2,500.
	const pW = monthly(2500);
	const canceled = at(0, 20, 12);
	const w = subscription('sub_W', customer(), pW, 1, at(-2, 10), {
		status: 'canceled',
		canceled_at: canceled,
		ended_at: canceled,
	});
	monthlyInvoices(w, pW, 1, 10, [-2, -1, 0]);
	event('customer.subscription.deleted', canceled, w);

	// X: $10.00 a month, renewing on the 25th, paying throughout: 1,000.
	const pX = monthly(1000);
	const x = subscription('sub_X', customer(), pX, 1, at(-2, 25));
	monthlyInvoices(x, pX, 1, 25, [-2, -1, 0, 1, 2, 3]);

	// Y: €1,200.00 a year since 1 July 2025, billed once then: its line covering January is older
	// than the bulk read, so one page of its own invoices is read. 10,000 a month throughout.
	const pY = monthly(120_000, 'eur', 'year');
	const y = subscription('sub_Y', customer(), pY, 1, Date.UTC(2025, 6, 1) / 1000);
	invoice(y, Date.UTC(2025, 6, 1) / 1000, [
		cycle(y, pY, 1, Date.UTC(2025, 6, 1) / 1000, Date.UTC(2026, 6, 1) / 1000),
	]);

	// Z: £50.00 a month, renewing on the 5th, with a 20 % coupon for 3 months from 5 November,
	// removed on 12 January: the events name the discount by ID only, the invoices bill it with
	// its coupon. With repeating coupons counted: start 4,000, expansion 1,000, end 5,000.
	const pZ = monthly(5000, 'gbp');
	const coupon = e.create('coupon', 'test', {
		percent_off: 20,
		duration: 'repeating',
		duration_in_months: 3,
	});
	const z = subscription('sub_Z', customer(), pZ, 1, at(-2, 5));
	const discount = e.create('discount', 'test', {
		source: { coupon: coupon.id, type: 'coupon' },
		subscription: z.id,
		start: at(-2, 5),
		end: at(1, 5),
	});
	for (const m of [-2, -1, 0])
		invoice(z, at(m, 5), [cycle(z, pZ, 1, at(m, 5), at(m + 1, 5))], {
			discounts: [discount.id],
		});
	invoice(z, at(1, 5), [cycle(z, pZ, 1, at(1, 5), at(2, 5))]);
	event('customer.subscription.updated', at(0, 12), z, { discounts: [discount.id] });
});

describe('January reported on the 1st, on the 5th and 90 days later', () => {
	// USD, by hand: start U 6,000 (past due) + V 2,000 + W 2,500 + X 1,000 = 11,500; churn U
	// 6,000 (2 January) + W 2,500 (20 January) = 8,500; expansion V 3,000 (3 January); end V
	// 5,000 + X 1,000 = 6,000 = 11,500 + 3,000 − 8,500. Subscribers: 4 at the start, 2 churned, 2
	// at the end. EUR: Y 10,000 throughout. GBP (forever coupons only, the default): Z 5,000.
	const want = {
		usd: {
			mrr_at_start: 11_500,
			new_mrr: 0,
			expansion_mrr: 3_000,
			contraction_mrr: 0,
			churned_mrr: 8_500,
			reactivation_mrr: 0,
			mrr_at_end: 6_000,
			active_subscribers_at_start: 4,
			new_subscribers: 0,
			churned_subscribers: 2,
			active_subscribers_at_end: 2,
		},
		eur: {
			mrr_at_start: 10_000,
			new_mrr: 0,
			expansion_mrr: 0,
			contraction_mrr: 0,
			churned_mrr: 0,
			reactivation_mrr: 0,
			mrr_at_end: 10_000,
			active_subscribers_at_start: 1,
			new_subscribers: 0,
			churned_subscribers: 0,
			active_subscribers_at_end: 1,
		},
		gbp: {
			mrr_at_start: 5_000,
			new_mrr: 0,
			expansion_mrr: 0,
			contraction_mrr: 0,
			churned_mrr: 0,
			reactivation_mrr: 0,
			mrr_at_end: 5_000,
			active_subscribers_at_start: 1,
			new_subscribers: 0,
			churned_subscribers: 0,
			active_subscribers_at_end: 1,
		},
	};

	test.each([
		['on the 1st (events miss the first day)', ON_THE_1ST],
		["on the 5th (events miss the unpaid marking and the seats, the issue's case)", ON_THE_5TH],
		['90 days later (no event left)', DAYS_90_LATER],
	])('%s: the hand-worked figures, nothing valued with a later state', async (_, now) => {
		const json = await movementsOn(now);
		expect(figures(json)).toEqual(want);
		expect(json.limits).toMatchObject({
			invoices_read: true,
			valued_with_later_state: 0,
			removed_discounts_unknown: 0,
			figures_not_exact: {},
			not_known: [],
		});
		// What the report states it read is what it sent.
		const e = emulator();
		const sent = (path: string) => e.requests.filter((r) => r.path === path).length;
		const requests = json.requests as IDataObject;
		expect(requests).toMatchObject({
			subscription_pages: sent('/v1/subscriptions'),
			event_pages: sent('/v1/events'),
			// One page of Y's own older invoices.
			invoice_lookups: 1,
			invoice_line_pages: 0,
		});
		expect(Number(requests.invoice_pages) + 1).toBe(sent('/v1/invoices'));
		expect(requests.total_list_requests).toBe(e.requests.length);
	});

	test('without Invoices: Read, the 5th is valued with the later state, and says so', async () => {
		const key = emulator().addKey({
			mode: 'test',
			permissions: { subscription: 'read', customer: 'read', plan: 'read', event: 'read' },
		});
		const json = await movementsOn(ON_THE_5TH, {}, key);
		// U is unpaid and V has 5 seats at the start by their later state: 0 + 5,000 + 2,500 + 1,000.
		expect(figures(json).usd).toMatchObject({ mrr_at_start: 8_500, churned_mrr: 2_500 });
		expect(json.limits).toMatchObject({ invoices_read: false, valued_with_later_state: 6 });
		expect(json.table_text).toContain('cannot read invoices (Invoices: Read, rak_invoice_read)');
	});

	test('a repeating coupon removed since is valued as billed', async () => {
		// On the 5th the removal (12 January) is in the events, which name the discount by ID; the
		// invoices billed it with its coupon: 5,000 − 20 % = 4,000 at the start, expansion 1,000.
		const json = await movementsOn(ON_THE_5TH, { countDiscounts: 'foreverAndRepeating' });
		expect(figures(json).gbp).toMatchObject({
			mrr_at_start: 4_000,
			expansion_mrr: 1_000,
			mrr_at_end: 5_000,
		});
		expect(json.limits).toMatchObject({ removed_discounts_unknown: 0 });
	});
});

describe('what the invoices cannot date is named per figure', () => {
	// S: C$30.00 a month, renewing on the 28th; the renewal of 28 December failed and was left
	// open (no invoice marked uncollectible), and Stripe marked S unpaid on 3 January. On the 1st
	// the events show the marking: start 3,000, churn 3,000. On the 5th they do not: S is known
	// unpaid only somewhere from 28 December to the events' reach, is valued unpaid from the
	// failed invoice (start 0), and the figures it can move are named.
	beforeAll(() => {
		const e = emulator();
		const price = e.create('price', 'test', {
			currency: 'cad',
			unit_amount: 3000,
			unit_amount_decimal: '3000',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		const s = e.create('subscription', 'test', {
			customer: e.create('customer', 'test').id,
			status: 'unpaid',
			currency: 'cad',
			created: at(-2, 28),
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [{ id: 'si_S', object: 'subscription_item', quantity: 1, discounts: [], price }],
			},
		});
		const line = (m: number) => ({
			item: 'si_S',
			price: price as never,
			quantity: 1,
			start: at(m, 28),
			end: at(m + 1, 28),
			amount: 3000,
		});
		const bill = (m: number, status: 'paid' | 'open' | 'draft') =>
			e.create(
				'invoice',
				'test',
				subscriptionInvoice({
					subscription: String(s.id),
					customer: String(s.customer),
					currency: 'cad',
					created: at(m, 28),
					status,
					lines: [line(m)],
				}),
			);
		bill(-2, 'paid');
		bill(-1, 'open');
		bill(0, 'draft');
		e.create('event', 'test', {
			type: 'customer.subscription.updated',
			created: at(0, 3),
			data: { object: structuredClone(s), previous_attributes: { status: 'past_due' } },
		});
	});

	test('on the 1st the events date it: exact', async () => {
		const json = await movementsOn(ON_THE_1ST);
		expect(figures(json).cad).toMatchObject({ mrr_at_start: 3000, churned_mrr: 3000 });
		expect(json.limits).toMatchObject({ figures_not_exact: {}, not_known: [] });
	});

	test('on the 5th it is named, with the figures it can move', async () => {
		const json = await movementsOn(ON_THE_5TH);
		expect(figures(json).cad).toMatchObject({ mrr_at_start: 0, churned_mrr: 0 });
		const limits = json.limits as IDataObject;
		expect(limits.figures_not_exact).toMatchObject({
			mrr_at_start: 1,
			active_subscribers_at_start: 1,
			churned_mrr: 1,
		});
		expect(limits.not_known).toEqual([
			expect.objectContaining({ what: 'unpaid_marked_at', subscriptions: 1 }),
		]);
		expect(json.table_text).toContain('Not known for 1 subscription(s): unpaid_marked_at');
		// The other currencies keep their exact figures.
		expect(figures(json).usd).toMatchObject({ mrr_at_start: 11_500, churned_mrr: 8_500 });
	});
});
