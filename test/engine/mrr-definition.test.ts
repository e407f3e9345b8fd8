/**
 * MRR by Stripe's definition (nodes/StripeGuard/reports/subscription-value.ts), through n8n-core
 * against the emulator. Every dataset is small and worked out by hand in the comments; each case
 * failed on the definition before (rounded ARR/ARPA, one interval for all items, quantity packs,
 * tax-inclusive prices, tiers, paused and unpaid, discount and cancellation settings).
 */
import type { IDataObject } from 'n8n-workflow';
import type Stripe from 'stripe';

import type * as Ours from '../../nodes/shared/transport/types';
import type { StripeObject } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);

async function mrr(parameters: IDataObject = {}) {
	const run = await runStripeGuard({
		parameters: {
			resource: 'report',
			operation: 'mrr',
			includeTable: false,
			...parameters,
		} as never,
		credential: { apiKey: emulator().keys.testRead },
		// Version 2, as a node added today: Paused Collection is its switch (version 1 excludes).
		typeVersion: 2,
	});
	if (run.status !== 'success')
		throw new Error(
			`report failed: ${run.error?.message ?? run.status} ${run.error?.description ?? ''}`,
		);
	expect(run.items).toHaveLength(1);
	return run.items[0].json;
}

const usd = (json: IDataObject) => (json.by_currency as IDataObject).usd as IDataObject;
const inCurrency = (json: IDataObject, c: string) =>
	(json.by_currency as IDataObject)[c] as IDataObject;

interface Item {
	/** Unit amount in minor units; null for tiered prices. */
	amount: number | null;
	interval?: string;
	count?: number;
	quantity?: number;
	/** Further price fields: billing_scheme, tiers_mode, tiers, transform_quantity, tax_behavior. */
	price?: Record<string, unknown>;
	taxRates?: Array<Record<string, unknown>>;
	discounts?: string[];
	/** Reuse a price created before (the same tiered price on two subscriptions). */
	priceObject?: StripeObject;
}

function customer(name: string): string {
	return emulator().create('customer', 'test', { name }).id;
}

function price(currency: string, i: Item): StripeObject {
	return emulator().create('price', 'test', {
		currency,
		unit_amount: i.amount,
		unit_amount_decimal: i.amount === null ? null : String(i.amount),
		recurring: {
			interval: i.interval ?? 'month',
			interval_count: i.count ?? 1,
			usage_type: 'licensed',
			meter: null,
			trial_period_days: null,
		},
		...i.price,
	});
}

/** A subscription whose items carry their prices, as Stripe lists them. */
function subscription(
	cus: string,
	items: Item[],
	extra: Record<string, unknown> = {},
	currency = 'usd',
): StripeObject {
	const e = emulator();
	return e.create('subscription', 'test', {
		customer: cus,
		status: 'active',
		currency,
		created: NOW - 90 * DAY,
		items: {
			object: 'list',
			has_more: false,
			url: '/v1/subscription_items',
			data: items.map((i, n) => ({
				id: `si_def${n}${Math.floor(Math.random() * 1e9)}`,
				object: 'subscription_item',
				quantity: i.quantity ?? 1,
				discounts: i.discounts ?? [],
				tax_rates: i.taxRates ?? [],
				price: i.priceObject ?? price(currency, i),
			})),
		},
		...extra,
	});
}

function discount(
	coupon: Record<string, unknown>,
	window: { start?: number; end?: number | null } = {},
): string {
	const e = emulator();
	const c = e.create('coupon', 'test', { duration: 'forever', ...coupon });
	return e.create('discount', 'test', {
		source: { coupon: c.id, type: 'coupon' },
		start: window.start ?? NOW - 30 * DAY,
		end: window.end ?? null,
	}).id;
}

/** A manual tax rate as Stripe embeds it in default_tax_rates and items' tax_rates. */
function taxRate(percentage: number, inclusive: boolean): Record<string, unknown> {
	return {
		id: `txr_def${Math.floor(Math.random() * 1e9)}`,
		object: 'tax_rate',
		active: true,
		country: 'DE',
		created: NOW - 365 * DAY,
		description: null,
		display_name: 'VAT',
		effective_percentage: percentage,
		flat_amount: null,
		inclusive,
		jurisdiction: 'DE',
		jurisdiction_level: null,
		livemode: false,
		metadata: {},
		percentage,
		rate_type: 'percentage',
		state: null,
		tax_type: 'vat',
	};
}

const tier = (up_to: number | null, unit_amount: number, flat_amount: number | null = null) => ({
	up_to,
	unit_amount,
	unit_amount_decimal: String(unit_amount),
	flat_amount,
	flat_amount_decimal: flat_amount === null ? null : String(flat_amount),
});

beforeEach(() => emulator().reset());

test('ARR and ARPA come from the unrounded MRR, rounded once', async () => {
	const [A, B] = [customer('A'), customer('B')];
	subscription(A, [{ amount: 100_000, interval: 'year' }]); // $1,000.00 a year → 8,333.33… a month
	subscription(B, [{ amount: 100_000, interval: 'year' }]); // 8,333.33…
	subscription(A, [{ amount: 1000 }]); // $10.00 a month → 1,000
	// MRR 17,666.67 → 17,667. ARR 12 × 17,666.67 = 212,000 (not 12 × 17,667 = 212,004).
	// ARPA over A and B: 17,666.67 / 2 = 8,833.33 → 8,833 (not 17,667 / 2 = 8,833.5 → 8,834).
	const json = await mrr();
	expect(usd(json)).toEqual({
		mrr: 17667,
		mrr_formatted: '$176.67',
		subscriptions: 3,
		paying_customers: 2,
		arr: 212000,
		arr_formatted: '$2,120.00',
		arpa: 8833,
		arpa_formatted: '$88.33',
	});
});

test(
	'mixed intervals: each item on its own interval, in either order; ' +
		'an amount off per invoice at the shortest interval',
	async () => {
		// $10 a month + $120 a year = 1,000 + 12,000 / 12 = 2,000, whichever item comes first.
		subscription(
			customer('A'),
			[{ amount: 1000 }, { amount: 12_000, interval: 'year' }],
			{},
			'usd',
		);
		subscription(
			customer('B'),
			[{ amount: 12_000, interval: 'year' }, { amount: 1000 }],
			{},
			'eur',
		);
		// The same with £5.00 off for ever at subscription level: it invoices monthly (the yearly item
		// joins every 12th invoice), so 500 a month off → 2,000 − 500 = 1,500.
		subscription(
			customer('C'),
			[{ amount: 1000 }, { amount: 12_000, interval: 'year' }],
			{ discounts: [discount({ amount_off: 500, currency: 'gbp' })] },
			'gbp',
		);
		const json = await mrr();
		expect(inCurrency(json, 'usd')).toMatchObject({ mrr: 2000, arr: 24000 });
		expect(inCurrency(json, 'eur')).toMatchObject({ mrr: 2000, arr: 24000 });
		expect(inCurrency(json, 'gbp')).toMatchObject({ mrr: 1500, arr: 18000 });
	},
);

test('transform_quantity: packs of units, rounded up or down as the price says', async () => {
	// $10.00 per pack of 5 seats, 12 seats, round up → 3 packs → 3,000.
	subscription(
		customer('A'),
		[{ amount: 1000, quantity: 12, price: { transform_quantity: { divide_by: 5, round: 'up' } } }],
		{},
		'usd',
	);
	// €10.00 per pack of 5 seats, 12 seats, round down → 2 packs → 2,000.
	subscription(
		customer('B'),
		[
			{
				amount: 1000,
				quantity: 12,
				price: { transform_quantity: { divide_by: 5, round: 'down' } },
			},
		],
		{},
		'eur',
	);
	const json = await mrr();
	expect(inCurrency(json, 'usd')).toMatchObject({ mrr: 3000 });
	expect(inCurrency(json, 'eur')).toMatchObject({ mrr: 2000 });
});

test(
	'tax-inclusive prices count without their tax; ' +
		'a Stripe Tax rate that is not on the subscription is listed apart',
	async () => {
		const inclusive = { tax_behavior: 'inclusive' };
		// €11.90 with 19 % VAT included (the subscription's default rate) → 1,190 / 1.19 = 1,000.
		subscription(
			customer('A'),
			[{ amount: 1190, price: inclusive }],
			{ default_tax_rates: [taxRate(19, true)] },
			'eur',
		);
		// €11.90 with the item's own 19 % inclusive rate,
		// which replaces the subscription's 7 % → 1,000.
		subscription(
			customer('B'),
			[{ amount: 1190, price: inclusive, taxRates: [taxRate(19, true)] }],
			{ default_tax_rates: [taxRate(7, true)] },
			'eur',
		);
		// €10.00 with 19 % VAT added on top (exclusive): the price is all revenue → 1,000. EUR: 3,000.
		subscription(
			customer('C'),
			[{ amount: 1000, price: { tax_behavior: 'exclusive' } }],
			{ default_tax_rates: [taxRate(19, false)] },
			'eur',
		);
		// Stripe Tax: $11.90 inclusive at a rate computed per invoice → listed apart, not counted;
		// $10.00 exclusive → 1,000. USD: 1,000 from the second only.
		subscription(customer('D'), [{ amount: 1190, price: inclusive }], {
			automatic_tax: { enabled: true, liability: { type: 'self' }, disabled_reason: null },
		});
		subscription(customer('E'), [{ amount: 1000, price: { tax_behavior: 'exclusive' } }], {
			automatic_tax: { enabled: true, liability: { type: 'self' }, disabled_reason: null },
		});
		const json = await mrr();
		expect(inCurrency(json, 'eur')).toMatchObject({
			mrr: 3000,
			subscriptions: 3,
			paying_customers: 3,
		});
		expect(inCurrency(json, 'usd')).toMatchObject({
			mrr: 1000,
			subscriptions: 2,
			paying_customers: 1,
		});
		const unpriced = json.unpriced_items as IDataObject;
		expect(unpriced.count).toBe(1);
		expect(unpriced.by_reason).toEqual({ inclusive_tax_unknown: 1 });
		expect((unpriced.items as IDataObject[])[0]).toMatchObject({
			reason: 'inclusive_tax_unknown',
			currency: 'usd',
		});
	},
);

test(
	'licensed graduated and volume tiers priced from the quantity, ' +
		'each tiered price looked up once with its tiers',
	async () => {
		// Graduated: first 5 units at $10.00, the rest at $5.00.
		const graduated = price('usd', {
			amount: null,
			price: {
				billing_scheme: 'tiered',
				tiers_mode: 'graduated',
				tiers: [tier(5, 1000), tier(null, 500)],
			},
		});
		// Volume: up to 5 units all at €10.00; above, all at €7.00 plus a €10.00 flat fee.
		const volume = price('eur', {
			amount: null,
			price: {
				billing_scheme: 'tiered',
				tiers_mode: 'volume',
				tiers: [tier(5, 1000), tier(null, 700, 1000)],
			},
		});
		// 5 × 1,000 + 3 × 500 = 6,500
		subscription(customer('A'), [{ amount: null, quantity: 8, priceObject: graduated }]);
		// 3 × 1,000 = 3,000 → USD 9,500
		subscription(customer('B'), [{ amount: null, quantity: 3, priceObject: graduated }]);
		// 8 × 700 + 1,000 = 6,600
		subscription(customer('C'), [{ amount: null, quantity: 8, priceObject: volume }], {}, 'eur');
		const e = emulator();
		e.clearRequests();
		const json = await mrr();
		expect(inCurrency(json, 'usd')).toMatchObject({
			mrr: 9500,
			subscriptions: 2,
			paying_customers: 2,
		});
		expect(inCurrency(json, 'eur')).toMatchObject({ mrr: 6600 });
		expect((json.unpriced_items as IDataObject).count).toBe(0);
		// ⌈3 / 100⌉ list page + 2 distinct tiered prices; tiers from a list would be five levels deep.
		expect(e.requests.map((r) => r.path).sort()).toEqual(
			['/v1/prices/' + graduated.id, '/v1/prices/' + volume.id, '/v1/subscriptions'].sort(),
		);
		const lookups = e.requests.filter((r) => r.path.startsWith('/v1/prices/'));
		expect(lookups.every((r) => JSON.stringify(r.query.expand) === '["tiers"]')).toBe(true);
		expect(e.requests.find((r) => r.path === '/v1/subscriptions')?.query.expand).toEqual([
			'data.discounts.source.coupon',
			'data.items.data.discounts',
		]);
	},
);

describe('paused and unpaid subscriptions are not in MRR; paused collection by the switch', () => {
	beforeEach(() => {
		subscription(customer('A'), [{ amount: 5000 }], { status: 'paused' });
		subscription(customer('B'), [{ amount: 4000 }], {
			pause_collection: { behavior: 'void', resumes_at: null },
		});
		subscription(customer('C'), [{ amount: 3500 }], {
			pause_collection: { behavior: 'keep_as_draft', resumes_at: NOW + 7 * DAY },
		});
		subscription(customer('D'), [{ amount: 3000 }], { status: 'unpaid' });
		subscription(customer('E'), [{ amount: 2000 }]);
	});

	test("by Stripe's status (default): B and C stay active → 4,000 + 3,500 + 2,000", async () => {
		// Pausing collection leaves the status active, and Stripe counts active and past_due
		// subscriptions: 9,500; ARPA 9,500 ÷ 3 = 3,166.67 → 3,167.
		const json = await mrr();
		expect(usd(json)).toMatchObject({
			mrr: 9500,
			subscriptions: 3,
			paying_customers: 3,
			arr: 114000,
			arpa: 3167,
		});
		expect(json.subscriptions_by_status).toEqual({ active: 3 });
		expect(json.not_counted).toEqual({ paused: 1, unpaid: 1 });
		expect(json.definition).toMatchObject({ paused_collection: 'count' });
	});

	test('Paused Collection: Exclude leaves B and C out → E alone, 2,000', async () => {
		const json = await mrr({ pausedCollection: 'exclude' });
		expect(usd(json)).toMatchObject({
			mrr: 2000,
			subscriptions: 1,
			paying_customers: 1,
			arr: 24000,
			arpa: 2000,
		});
		expect(json.subscriptions_by_status).toEqual({ active: 1 });
		expect(json.not_counted).toEqual({ paused: 1, collection_paused: 2, unpaid: 1 });
		expect(json.definition).toMatchObject({ paused_collection: 'exclude' });
	});
});

describe('discounts: forever only by default, repeating and one-time ones on request', () => {
	const cases: Array<[string, number]> = [
		// D1 20 % forever: 8,000. D2 50 % repeating, in effect: 10,000 or
		// 5,000. D3 $10 once: 10,000 or 9,000. D4 25 % repeating that ended
		// yesterday: 10,000. D5 10 % repeating on the item: 10,000 or 9,000.
		['forever', 8000 + 10000 + 10000 + 10000 + 10000], // 48,000
		['foreverAndRepeating', 8000 + 5000 + 10000 + 10000 + 9000], // 42,000
		['foreverAndOnce', 8000 + 10000 + 9000 + 10000 + 10000], // 47,000
		['all', 8000 + 5000 + 9000 + 10000 + 9000], // 41,000
	];
	beforeEach(() => {
		const monthly = (discounts: string[] = [], itemDiscounts: string[] = []) =>
			subscription(customer('D'), [{ amount: 10_000, discounts: itemDiscounts }], { discounts });
		monthly([discount({ percent_off: 20 })]);
		monthly([
			discount(
				{ percent_off: 50, duration: 'repeating', duration_in_months: 3 },
				{ start: NOW - 30 * DAY, end: NOW + 60 * DAY },
			),
		]);
		monthly([
			discount({ amount_off: 1000, currency: 'usd', duration: 'once' }, { start: NOW - DAY }),
		]);
		monthly([
			discount(
				{ percent_off: 25, duration: 'repeating', duration_in_months: 2 },
				{ start: NOW - 62 * DAY, end: NOW - DAY },
			),
		]);
		monthly(
			[],
			[
				discount(
					{ percent_off: 10, duration: 'repeating', duration_in_months: 6 },
					{ start: NOW - 30 * DAY, end: NOW + 150 * DAY },
				),
			],
		);
	});

	test.each(cases)('%s → %i', async (rule, expected) => {
		const json = await mrr(rule === 'forever' ? {} : { countDiscounts: rule });
		expect(usd(json)).toMatchObject({ mrr: expected, subscriptions: 5 });
		expect(json.definition).toMatchObject({ discounts: rule });
	});
});

describe('scheduled cancellations: out at the request by default, or at period end', () => {
	beforeEach(() => {
		// C1 set to cancel at period end two days ago: $30.00. C2 set two days ago to cancel at a date
		// in 20 days: $50.00. C3 no cancellation: $20.00.
		subscription(customer('C1'), [{ amount: 3000 }], {
			cancel_at_period_end: true,
			canceled_at: NOW - 2 * DAY,
			cancel_at: NOW + 10 * DAY,
		});
		subscription(customer('C2'), [{ amount: 5000 }], {
			cancel_at: NOW + 20 * DAY,
			canceled_at: NOW - 2 * DAY,
		});
		subscription(customer('C3'), [{ amount: 2000 }]);
	});

	test("at request (Stripe's default): only C3 → 2,000", async () => {
		const json = await mrr();
		expect(usd(json)).toMatchObject({ mrr: 2000, subscriptions: 1, paying_customers: 1 });
		expect(json.not_counted).toEqual({ cancellation_requested: 2 });
	});

	test('at period end: all three until they end → 3,000 + 5,000 + 2,000 = 10,000', async () => {
		const json = await mrr({ scheduledCancellations: 'atPeriodEnd' });
		expect(usd(json)).toMatchObject({ mrr: 10000, subscriptions: 3, paying_customers: 3 });
		expect(json.definition).toMatchObject({ scheduled_cancellations: 'atPeriodEnd' });
	});
});

test(
	'a subscription on a test clock (a sandbox simulation, ' +
		"on the clock's time) is left out and counted as such",
	async () => {
		const clocked = customer('Simulated');
		subscription(clocked, [{ amount: 9000 }], { test_clock: 'clock_1SimulatedYear' });
		subscription(customer('Real'), [{ amount: 2000 }]);
		const json = await mrr();
		expect(usd(json)).toMatchObject({ mrr: 2000, subscriptions: 1, paying_customers: 1 });
		expect(json.not_counted).toEqual({ test_clock: 1 });
		expect(String(json.table_text ?? (await mrr({ includeTable: true })).table_text)).toContain(
			'1 on a test clock (a simulation)',
		);
	},
);

test(
	'an option value that is not in the list ' + '(from an expression or an agent) is refused',
	async () => {
		const run = await runStripeGuard({
			parameters: { resource: 'report', operation: 'mrr', countDiscounts: 'everything' } as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(
			'"everything" is not one of forever, foreverAndRepeating, foreverAndOnce, all',
		);
	},
);

test(
	'the fields read from subscriptions exist in ' + 'the stripe package (API 2026-10-28.endive)',
	() => {
		/** Compiles only when every field named in `Mine` exists on the stripe package's type. */
		const fieldsExist = <Mine, Theirs>(
			..._unknown: Exclude<keyof Mine, keyof Theirs> extends never
				? []
				: [`not a field of the stripe type: ${Exclude<keyof Mine, keyof Theirs> & string}`]
		) => true;
		expect([
			fieldsExist<NonNullable<Ours.Subscription['default_tax_rates']>[number], Stripe.TaxRate>(),
			fieldsExist<NonNullable<Ours.SubscriptionItem['tax_rates']>[number], Stripe.TaxRate>(),
			fieldsExist<
				NonNullable<Ours.Subscription['pause_collection']>,
				Stripe.Subscription.PauseCollection
			>(),
			fieldsExist<
				NonNullable<Ours.Subscription['automatic_tax']>,
				Stripe.Subscription.AutomaticTax
			>(),
			fieldsExist<Omit<Ours.Subscription, keyof Ours.StripeObject>, Stripe.Subscription>(),
		]).not.toContain(false);
	},
);

test("the table's heading says when, in words, in the report's time zone", async () => {
	subscription(customer('A'), [{ amount: 2000 }]);
	const before = new Date();
	const json = await mrr({ includeTable: true, timeZone: 'Asia/Tokyo' });
	const heading = String(json.table_text)
		.split('\n')
		.find((l) => l.includes('MRR on'));
	const m = /MRR on (\d{1,2}) ([A-Z][a-z]+) (\d{4}) at (\d{2}):(\d{2}) \(Asia\/Tokyo\)/.exec(
		String(heading),
	);
	expect(m).not.toBeNull();
	// Tokyo is UTC+9 all year.
	const tokyo = new Date(before.getTime() + 9 * 3600_000);
	expect(Number(m![1])).toBe(tokyo.getUTCDate());
	expect(Number(m![4])).toBe(tokyo.getUTCHours());
});

test('version 1 keeps paused collection out of MRR, as it always did', async () => {
	subscription(customer('B'), [{ amount: 4000 }], {
		pause_collection: { behavior: 'void', resumes_at: null },
	});
	subscription(customer('E'), [{ amount: 2000 }]);
	const run = await runStripeGuard({
		parameters: { resource: 'report', operation: 'mrr', includeTable: false } as never,
		credential: { apiKey: emulator().keys.testRead },
	});
	const json = run.items[0].json;
	expect(usd(json)).toMatchObject({ mrr: 2000, subscriptions: 1 });
	expect(json.definition).toMatchObject({ paused_collection: 'exclude' });
});
