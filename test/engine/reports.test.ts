/**
 * Reports through n8n-core against emulator datasets whose expected figures are worked out by
 * hand in the comments next to them, never computed by the code under test.
 */
import type { IDataObject } from 'n8n-workflow';

import { periodRange } from '../../nodes/StripeGuard/framework/periods';
import type { StripeObject } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const utc = (iso: string) => Math.floor(Date.parse(iso) / 1000);

async function report(operation: string, parameters: IDataObject = {}, apiKey?: string) {
	const run = await runStripeGuard({
		parameters: { resource: 'report', operation, ...parameters } as never,
		credential: { apiKey: apiKey ?? emulator().keys.testRead },
	});
	if (run.status !== 'success')
		throw new Error(
			`report failed: ${run.error?.message ?? run.status} ${run.error?.description ?? ''}`,
		);
	expect(run.items).toHaveLength(1);
	return run.items[0].json;
}

const MARCH = {
	period: 'custom',
	start: '2026-03-01T00:00:00Z',
	end: '2026-04-01T00:00:00Z',
	timeZone: 'UTC',
};

describe('mrr', () => {
	let customers: string[];
	/** A subscription whose items carry their prices, as Stripe lists them. */
	function subscription(
		customer: string,
		status: string,
		currency: string,
		items: Array<{
			amount: number;
			interval: string;
			count?: number;
			quantity?: number;
			metered?: boolean;
			discounts?: string[];
		}>,
		extra: Record<string, unknown> = {},
	): StripeObject {
		const e = emulator();
		return e.create('subscription', 'test', {
			customer,
			status,
			currency,
			created: NOW - 90 * DAY,
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: items.map((i, n) => ({
					id: `si_item${n}${Math.floor(Math.random() * 1e9)}`,
					object: 'subscription_item',
					quantity: i.metered ? null : (i.quantity ?? 1),
					discounts: i.discounts ?? [],
					price: e.create('price', 'test', {
						currency,
						unit_amount: i.amount,
						unit_amount_decimal: String(i.amount),
						recurring: {
							interval: i.interval,
							interval_count: i.count ?? 1,
							usage_type: i.metered ? 'metered' : 'licensed',
							meter: null,
							trial_period_days: null,
						},
					}),
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

	beforeAll(() => {
		const e = emulator();
		e.reset();
		customers = 'ABCDEFGHIJ'
			.split('')
			.map((name) => e.create('customer', 'test', { name: `Customer ${name}` }).id);
		const [A, B, C, D, E, F, G, H, I, J] = customers;
		// S1 monthly $49.00 × 3 → 14,700 a month.
		subscription(A, 'active', 'usd', [{ amount: 4900, interval: 'month', quantity: 3 }]);
		// S2 yearly $490.00 → 49,000 / 12 = 4,083.33… a month.
		subscription(B, 'active', 'usd', [{ amount: 49000, interval: 'year' }]);
		// S3 weekly $10.00 × 2, past due → 2,000 × 52 / 12 =
		// 8,666.66… a month (S2 + S3 = 12,750 exactly).
		subscription(C, 'past_due', 'usd', [{ amount: 1000, interval: 'week', quantity: 2 }]);
		// S4 every 3 months $90.00, 20 % off for ever →
		// 9,000 / 3 × 0.8 = 2,400 a month (customer A again).
		subscription(A, 'active', 'usd', [{ amount: 9000, interval: 'month', count: 3 }], {
			discounts: [discount({ percent_off: 20 })],
		});
		// S5 monthly $100.00 with $15.00 off each invoice → 8,500.
		subscription(D, 'active', 'usd', [{ amount: 10000, interval: 'month' }], {
			discounts: [discount({ amount_off: 1500, currency: 'usd' })],
		});
		// S6 trialing $30.00 → 0 unless trials count, then 3,000.
		subscription(E, 'trialing', 'usd', [{ amount: 3000, interval: 'month' }], {
			trial_start: NOW - DAY,
			trial_end: NOW + 13 * DAY,
		});
		// S7 canceled $20.00 → never counted.
		subscription(F, 'canceled', 'usd', [{ amount: 2000, interval: 'month' }], {
			canceled_at: NOW - DAY,
			ended_at: NOW - DAY,
		});
		// S8 ¥5,000 × 2 monthly (zero-decimal) → 10,000 yen.
		subscription(G, 'active', 'jpy', [{ amount: 5000, interval: 'month', quantity: 2 }]);
		// S9 metered usage → not in MRR, listed apart; H is not a paying customer.
		subscription(H, 'active', 'usd', [{ amount: 5, interval: 'month', metered: true }]);
		// S10 $40.00 with a 50 % repeating discount that
		// ended yesterday, and a 'once' $10 coupon → 4,000.
		subscription(I, 'active', 'usd', [{ amount: 4000, interval: 'month' }], {
			discounts: [
				discount(
					{ percent_off: 50, duration: 'repeating', duration_in_months: 3 },
					{ start: NOW - 90 * DAY, end: NOW - DAY },
				),
				discount({ amount_off: 1000, currency: 'usd', duration: 'once' }),
			],
		});
		// S11 $60.00 with 10 % off on the item (coupon looked up by ID) → 5,400.
		subscription(J, 'active', 'usd', [
			{ amount: 6000, interval: 'month', discounts: [discount({ percent_off: 10 })] },
		]);
		// S12 €50.00 with a $10.00-off coupon worth €9.00 in euros (its currency_options, which Stripe
		// returns only when the coupon is expanded with them) → 4,100 euro cents.
		subscription(G, 'active', 'eur', [{ amount: 5000, interval: 'month' }], {
			discounts: [
				discount({
					amount_off: 1000,
					currency: 'usd',
					currency_options: { eur: { amount_off: 900 } },
				}),
			],
		});
		// S13 €20.00 with the same kind of coupon on the
		// item, €5.00 in euros → 1,500. EUR: 5,600 from 2.
		subscription(J, 'active', 'eur', [
			{
				amount: 2000,
				interval: 'month',
				discounts: [
					discount({
						amount_off: 700,
						currency: 'usd',
						currency_options: { eur: { amount_off: 500 } },
					}),
				],
			},
		]);
		// USD: 14,700 + 12,750 + 2,400 + 8,500 + 4,000 + 5,400 = 47,750 from 8 subscriptions (S1–S5,
		// S9–S11) of 6 paying customers (A, B, C, D, I, J) → ARPA 47,750 / 6 = 7,958.33 → 7,958.
	});

	test(
		'active and past-due subscriptions, ' + 'normalised to a month, discounts in effect applied',
		async () => {
			const json = await report('mrr');
			expect(json.included_statuses).toEqual(['active', 'past_due']);
			expect(json.subscriptions).toBe(11);
			expect(json.subscriptions_by_status).toEqual({ active: 10, past_due: 1 });
			expect(json.by_currency).toEqual({
				eur: {
					mrr: 5600,
					mrr_formatted: '€56.00',
					subscriptions: 2,
					paying_customers: 2,
					arr: 67200,
					arr_formatted: '€672.00',
					arpa: 2800,
					arpa_formatted: '€28.00',
				},
				jpy: {
					mrr: 10000,
					mrr_formatted: '¥10,000',
					subscriptions: 1,
					paying_customers: 1,
					arr: 120000,
					arr_formatted: '¥120,000',
					arpa: 10000,
					arpa_formatted: '¥10,000',
				},
				usd: {
					mrr: 47750,
					mrr_formatted: '$477.50',
					subscriptions: 8,
					paying_customers: 6,
					arr: 573000,
					arr_formatted: '$5,730.00',
					arpa: 7958,
					arpa_formatted: '$79.58',
				},
			});
			const unpriced = json.unpriced_items as IDataObject;
			expect(unpriced.count).toBe(1);
			expect((unpriced.items as IDataObject[])[0]).toMatchObject({
				reason: 'metered',
				currency: 'usd',
			});
			expect(json.table_text).toContain('$477.50');
			expect(json.table_markdown).toContain('| USD | $477.50 | $5,730.00 | 8 | 6 | $79.58 |');
			expect(json.table_html).toContain(
				'<td style="text-align:right;padding:4px 8px">$477.50</td>',
			);
		},
	);

	test('trialing subscriptions count when asked', async () => {
		const json = await report('mrr', { includeTrialing: true, includeTable: false });
		// 47,750 + 3,000 = 50,750 from 9 subscriptions and 7 paying customers → ARPA 7,250.
		expect((json.by_currency as IDataObject).usd).toMatchObject({
			mrr: 50750,
			subscriptions: 9,
			paying_customers: 7,
			arpa: 7250,
		});
		expect(json.table_text).toBeUndefined();
	});

	test('pages through subscriptions with prices and discounts in the same requests', async () => {
		const e = emulator();
		e.clearRequests();
		await report('mrr');
		const lists = e.requests.filter((r) => r.path === '/v1/subscriptions');
		expect(lists).toHaveLength(1);
		expect(lists[0].query.expand).toEqual([
			'data.discounts.source.coupon',
			'data.items.data.discounts',
		]);
		// Besides the list, one lookup per coupon the list cannot expand fully: S11's and S13's on
		// items, and S12's amount off in another currency; each with its currency_options.
		const lookups = e.requests.filter((r) => r.path.startsWith('/v1/coupons/'));
		expect(e.requests).toHaveLength(1 + 3);
		expect(new Set(lookups.map((r) => r.path)).size).toBe(3);
		expect(lookups.every((r) => JSON.stringify(r.query.expand) === '["currency_options"]')).toBe(
			true,
		);
	});

	test('a key without Subscriptions: Read is told which permission to add', async () => {
		const e = emulator();
		const key = e.addKey({ mode: 'test', permissions: { customer: 'read' } });
		const run = await runStripeGuard({
			parameters: { resource: 'report', operation: 'mrr' } as never,
			credential: { apiKey: key },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('rak_subscription_read');
	});
});

describe('revenue', () => {
	beforeAll(() => {
		const e = emulator();
		e.reset();
		const txn = (created: string, fields: Record<string, unknown>) =>
			e.create('balance_transaction', 'test', { created: utc(created), fee: 0, ...fields });
		txn('2026-02-27T12:00:00Z', {
			amount: 7777,
			fee: 255,
			net: 7522,
			currency: 'usd',
			type: 'charge',
			reporting_category: 'charge',
		}); // before the period
		txn('2026-03-02T10:00:00Z', {
			amount: 10000,
			fee: 320,
			net: 9680,
			currency: 'usd',
			type: 'charge',
			reporting_category: 'charge',
		});
		txn('2026-03-02T23:30:00Z', {
			amount: 5000,
			fee: 175,
			net: 4825,
			currency: 'usd',
			type: 'charge',
			reporting_category: 'charge',
		}); // 3 March in Berlin
		txn('2026-03-03T09:00:00Z', {
			amount: -2000,
			net: -2000,
			currency: 'usd',
			type: 'refund',
			reporting_category: 'refund',
		});
		txn('2026-03-04T09:00:00Z', {
			amount: -5000,
			fee: 1500,
			net: -6500,
			currency: 'usd',
			type: 'adjustment',
			reporting_category: 'dispute',
		});
		txn('2026-03-05T09:00:00Z', {
			amount: -8000,
			net: -8000,
			currency: 'usd',
			type: 'payout',
			reporting_category: 'payout',
		}); // not revenue
		txn('2026-03-06T09:00:00Z', {
			amount: -100,
			net: -100,
			currency: 'usd',
			type: 'stripe_fee',
			reporting_category: 'fee',
		}); // a billing fee
		txn('2026-03-10T09:00:00Z', {
			amount: 3000,
			fee: 108,
			net: 2892,
			currency: 'jpy',
			type: 'charge',
			reporting_category: 'charge',
		});
		txn('2026-03-11T09:00:00Z', {
			amount: -1000,
			net: -1000,
			currency: 'jpy',
			type: 'refund',
			reporting_category: 'refund',
		});
		txn('2026-04-01T00:00:00Z', {
			amount: 999,
			fee: 59,
			net: 940,
			currency: 'usd',
			type: 'charge',
			reporting_category: 'charge',
		}); // at the end: excluded
	});

	test('gross, refunds, disputes, fees and net per currency', async () => {
		const json = await report('revenue', MARCH);
		expect(json).toMatchObject({
			period: 'custom',
			start: '2026-03-01T00:00:00.000Z',
			end: '2026-04-01T00:00:00.000Z',
			time_zone: 'UTC',
		});
		// USD: gross 10,000 + 5,000; refunds 2,000; disputes 5,000; fees 320 +
		// 175 + 1,500 + 100 = 2,095; net 9,680 + 4,825 − 2,000 − 6,500 − 100 =
		// 5,905 (= 15,000 − 2,000 − 5,000 − 2,095). Five transactions.
		expect((json.by_currency as IDataObject).usd).toEqual({
			gross: 15000,
			gross_formatted: '$150.00',
			refunds: 2000,
			refunds_formatted: '$20.00',
			disputes: 5000,
			disputes_formatted: '$50.00',
			fees: 2095,
			fees_formatted: '$20.95',
			other: 0,
			other_formatted: '$0.00',
			net: 5905,
			net_formatted: '$59.05',
			transactions: 5,
		});
		// JPY (no minor unit): gross ¥3,000, refunds ¥1,000, fees ¥108, net ¥1,892.
		expect((json.by_currency as IDataObject).jpy).toMatchObject({
			gross: 3000,
			gross_formatted: '¥3,000',
			refunds: 1000,
			fees: 108,
			net: 1892,
			net_formatted: '¥1,892',
			transactions: 2,
		});
		expect(json.by_day).toBeUndefined();
	});

	test('by day in the chosen time zone', async () => {
		const json = await report('revenue', {
			...MARCH,
			start: '2026-03-01',
			end: '2026-04-01',
			timeZone: 'Europe/Berlin',
			byDay: true,
		});
		// Berlin is UTC+1 in March until the 29th: the range starts 28 Feb 23:00 UTC.
		expect(json.start).toBe('2026-02-28T23:00:00.000Z');
		const days = (json.by_day as IDataObject[]).map((d) => [d.date, d.currency, d.gross, d.net]);
		expect(days).toEqual([
			['2026-03-02', 'usd', 10000, 9680],
			['2026-03-03', 'usd', 5000, 4825 - 2000],
			['2026-03-04', 'usd', 0, -6500],
			['2026-03-06', 'usd', 0, -100],
			['2026-03-10', 'jpy', 3000, 2892],
			['2026-03-11', 'jpy', 0, -1000],
		]);
	});

	test('a custom range that ends before it starts is refused with the fix', async () => {
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'revenue',
				...MARCH,
				start: '2026-04-01',
				end: '2026-03-01',
			} as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('The custom range ends before it starts');
		expect(run.error?.description).toContain('End');
	});

	test('a period that is not in the list (from an expression or an agent) is refused', async () => {
		const run = await runStripeGuard({
			parameters: { resource: 'report', operation: 'revenue', period: 'last_fortnight' } as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(
			'"last_fortnight" is not one of last_24_hours, today, yesterday',
		);
	});

	test('an unknown time zone is refused', async () => {
		const run = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'revenue',
				period: 'last_7_days',
				timeZone: 'Mars/Olympus',
			} as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Mars/Olympus');
	});
});

describe('subscriptionMovements', () => {
	beforeAll(() => {
		const e = emulator();
		e.reset();
		const sub = (
			created: string,
			status: string,
			currency: string,
			amount: number,
			interval: string,
			extra: Record<string, unknown> = {},
		) =>
			e.create('subscription', 'test', {
				created: utc(created),
				status,
				currency,
				customer: e.create('customer', 'test').id,
				items: {
					object: 'list',
					has_more: false,
					url: '/v1/subscription_items',
					data: [
						{
							id: `si_${created}`,
							object: 'subscription_item',
							quantity: 1,
							discounts: [],
							price: e.create('price', 'test', {
								currency,
								unit_amount: amount,
								recurring: { interval, interval_count: 1, usage_type: 'licensed' },
							}),
						},
					],
				},
				...extra,
			});
		const ended = (iso: string) => ({ canceled_at: utc(iso), ended_at: utc(iso) });
		// M1 paying at the start
		sub('2026-01-10T00:00:00Z', 'active', 'usd', 5000, 'month');
		// M2 paying at start, churned: −3,000
		sub('2026-01-15T00:00:00Z', 'canceled', 'usd', 3000, 'month', ended('2026-03-10T00:00:00Z'));
		// M3 ended before the period
		sub('2026-02-01T00:00:00Z', 'canceled', 'usd', 9900, 'month', ended('2026-02-20T00:00:00Z'));
		// M4 new: +1,000
		sub('2026-03-05T00:00:00Z', 'active', 'usd', 12000, 'year');
		// M5 new and canceled: +2,000 −2,000
		sub('2026-03-08T00:00:00Z', 'canceled', 'usd', 2000, 'month', ended('2026-03-20T00:00:00Z'));
		// M6 in trial at the start
		sub('2026-02-20T00:00:00Z', 'active', 'usd', 7000, 'month', {
			trial_start: utc('2026-02-20T00:00:00Z'),
			trial_end: utc('2026-03-06T00:00:00Z'),
		});
		// M7 never started
		sub('2026-01-01T00:00:00Z', 'incomplete_expired', 'usd', 4000, 'month');
		// M8 after the period
		sub('2026-04-05T00:00:00Z', 'active', 'usd', 8000, 'month');
		// M9 paying at start, churned: −¥1,000
		sub('2026-02-01T00:00:00Z', 'canceled', 'jpy', 1000, 'month', ended('2026-03-31T00:00:00Z'));
		// M10 paying at the start
		sub('2026-01-05T00:00:00Z', 'past_due', 'usd', 1000, 'month');
	});

	test('new, canceled, net MRR and churn against the start', async () => {
		const json = await report('subscriptionMovements', MARCH);
		// Changed with the definitions MRR shares (reports/subscription-value.ts,
		// README): M6's trial converting on 03-06 is new MRR, and churn is Stripe's
		// rate, churned ÷ (paying at the start + new). New: M4, M5, M6. Stopped paying:
		// M2, M5, M9. Paying at the start: M1, M2, M9, M10; at the end: M1, M4, M6, M10.
		// Churned of those paying at the start: M2, M9. Churn 3 ÷ (4 + 3) = 42.86 %.
		expect(json).toMatchObject({
			new_subscriptions: 3,
			canceled_subscriptions: 3,
			net_new_subscriptions: 0,
			active_at_start: 4,
			active_at_end: 4,
			churned_from_start: 2,
			churn_rate_percent: 42.86,
		});
		// USD: start M1 5,000 + M2 3,000 + M10 1,000 = 9,000; new 1,000 + 2,000 + 7,000 = 10,000;
		// churned 3,000 + 2,000 = 5,000; end 9,000 + 10,000 − 5,000 = 14,000; net +5,000.
		// JPY: start ¥1,000, churned ¥1,000, end ¥0.
		expect(json.by_currency).toMatchObject({
			jpy: {
				mrr_at_start: 1000,
				new_mrr: 0,
				new_mrr_formatted: '¥0',
				churned_mrr: 1000,
				churned_mrr_formatted: '¥1,000',
				net_new_mrr: -1000,
				net_new_mrr_formatted: '-¥1,000',
				mrr_at_end: 0,
				rounding: 0,
			},
			usd: {
				mrr_at_start: 9000,
				new_mrr: 10000,
				new_mrr_formatted: '$100.00',
				churned_mrr: 5000,
				churned_mrr_formatted: '$50.00',
				net_new_mrr: 5000,
				net_new_mrr_formatted: '$50.00',
				mrr_at_end: 14000,
				rounding: 0,
			},
		});
		expect(json.table_text).toContain('+3 new, −3 churned, churn 42.86 %');
		// March is more than 30 days back: no events, every subscription that existed then (M1, M2,
		// M4–M7, M9, M10) was valued with its current state, and the report says so.
		expect(json.limits).toMatchObject({ valued_with_later_state: 8, valued_with_current_state: 8 });
	});
});

describe('failedPayments', () => {
	let invoiceId: string;
	beforeAll(() => {
		const e = emulator();
		e.reset();
		const customer = e.create('customer', 'test', {
			email: 'ada@example.com',
			name: 'Ada Lovelace',
		});
		const charge = (created: string, fields: Record<string, unknown>) => {
			const pi = e.create('payment_intent', 'test', {
				created: utc(created),
				customer: customer.id,
				amount: fields.amount,
				currency: fields.currency,
			});
			return {
				pi,
				charge: e.create('charge', 'test', {
					created: utc(created),
					customer: customer.id,
					payment_intent: pi.id,
					billing_details: {
						email: 'ada@example.com',
						name: 'Ada Lovelace',
						phone: null,
						address: null,
					},
					...fields,
				}),
			};
		};
		const failed = (code: string | null, failure: string) => ({
			status: 'failed',
			paid: false,
			failure_code: failure,
			failure_message: 'Your card was declined.',
			outcome: { reason: code, type: 'issuer_declined' },
		});
		const f1 = charge('2026-03-03T10:00:00Z', {
			amount: 4900,
			currency: 'usd',
			...failed('insufficient_funds', 'card_declined'),
		});
		invoiceId = e.create('invoice', 'test', { customer: customer.id, status: 'open' }).id;
		e.create('invoice_payment', 'test', {
			invoice: invoiceId,
			payment: { type: 'payment_intent', payment_intent: f1.pi.id },
			status: 'open',
		});
		charge('2026-03-04T10:00:00Z', {
			amount: 1900,
			currency: 'usd',
			...failed('insufficient_funds', 'card_declined'),
		});
		charge('2026-03-05T10:00:00Z', {
			amount: 4500,
			currency: 'eur',
			...failed(null, 'expired_card'),
		});
		charge('2026-03-06T10:00:00Z', { amount: 9900, currency: 'usd', status: 'succeeded' });
		charge('2026-02-26T10:00:00Z', {
			amount: 7000,
			currency: 'usd',
			...failed('do_not_honor', 'card_declined'),
		}); // before the period
	});

	test('count, amount, top decline codes and the list with customer and invoice', async () => {
		const json = await report('failedPayments', MARCH);
		// Three failed in March: USD 4,900 + 1,900 = 6,800 (two), EUR 4,500 (one).
		expect(json.failed_payments).toBe(3);
		expect(json.by_currency).toEqual({
			eur: { failed: 1, amount: 4500, amount_formatted: '€45.00' },
			usd: { failed: 2, amount: 6800, amount_formatted: '$68.00' },
		});
		expect(json.top_decline_codes).toEqual([
			{ code: 'insufficient_funds', count: 2 },
			{ code: 'expired_card', count: 1 },
		]);
		const payments = json.payments as IDataObject[];
		expect(payments.map((p) => p.amount)).toEqual([4500, 1900, 4900]);
		expect(payments[2]).toMatchObject({
			email: 'ada@example.com',
			customer_name: 'Ada Lovelace',
			invoice: invoiceId,
			decline_code: 'insufficient_funds',
		});
		expect(payments[0].invoice).toBeNull();
	});

	test(
		'personal data redacted on request; ' + 'the list limit caps the list, not the counts',
		async () => {
			const json = await report('failedPayments', {
				...MARCH,
				redactPersonalData: true,
				listLimit: 1,
				includeInvoices: false,
			});
			expect(json.failed_payments).toBe(3);
			expect(json.payments).toEqual([
				expect.objectContaining({
					email: expect.stringMatching(/^person-[0-9a-f]{8}@redacted\.invalid$/),
					customer_name: expect.stringMatching(/^Person [0-9a-f]{8}$/),
					invoice: null,
				}),
			]);
			expect(JSON.stringify(json)).not.toContain('ada@example.com');
		},
	);
});

describe('payouts', () => {
	beforeAll(() => {
		const e = emulator();
		e.reset();
		const payout = (
			created: string,
			status: string,
			amount: number,
			currency: string,
			arrival: string,
			extra: Record<string, unknown> = {},
		) =>
			e.create('payout', 'test', {
				created: utc(created),
				status,
				amount,
				currency,
				arrival_date: utc(arrival),
				...extra,
			});
		payout('2026-03-02T00:00:00Z', 'paid', 10000, 'usd', '2026-03-04T00:00:00Z');
		payout('2026-03-09T00:00:00Z', 'paid', 5000, 'usd', '2026-03-11T00:00:00Z');
		payout('2026-03-16T00:00:00Z', 'failed', 2000, 'usd', '2026-03-18T00:00:00Z', {
			failure_code: 'account_closed',
			failure_message: 'The bank account has been closed.',
		});
		payout('2026-03-30T00:00:00Z', 'in_transit', 3000, 'eur', '2026-04-03T00:00:00Z');
		payout('2026-03-31T00:00:00Z', 'pending', 700, 'usd', '2026-04-02T00:00:00Z');
		// After the period, and long overdue.
		payout('2026-04-07T00:00:00Z', 'pending', 900, 'usd', '2026-04-09T00:00:00Z');
		// On their way now (created after the period): the next arrival is the earliest of these.
		const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
		payout(day(-2), 'pending', 900, 'usd', day(3));
		payout(day(-1), 'in_transit', 400, 'eur', day(1));
		payout(day(-3), 'paid', 800, 'usd', day(0.5));
	});

	test('by status and currency, failed ones with the reason, and the next arrival', async () => {
		const json = await report('payouts', MARCH);
		expect(json.payouts).toBe(5);
		// USD: paid 10,000 + 5,000 = 15,000 (two), pending 700, failed 2,000; EUR: in transit 3,000.
		expect((json.by_currency as IDataObject).usd).toMatchObject({
			paid: 15000,
			paid_count: 2,
			pending: 700,
			pending_count: 1,
			failed: 2000,
			failed_count: 1,
			in_transit: 0,
			paid_formatted: '$150.00',
		});
		expect((json.by_currency as IDataObject).eur).toMatchObject({
			in_transit: 3000,
			in_transit_count: 1,
			paid: 0,
		});
		expect(json.failed).toEqual([
			expect.objectContaining({ amount: 2000, failure_code: 'account_closed' }),
		]);
		// On their way now: 4 EUR tomorrow (in transit), $9 in three days; the April ones are
		// more than a week overdue, and the one arriving in half a day is paid already.
		expect(json.next_arrival).toMatchObject({ amount: 400, currency: 'eur', status: 'in_transit' });
		// Stripe's payout list filters status by pending, paid, failed or canceled only.
		expect(
			emulator()
				.requests.filter((r) => r.path === '/v1/payouts')
				.map((r) => r.query.status),
		).not.toContain('in_transit');
		expect(json.table_markdown).toContain(
			'| USD | $150.00 (2) | $7.00 (1) | $0.00 (0) | $20.00 (1) |',
		);
	});
});

describe('periods', () => {
	test(
		'yesterday, today and the previous month are calendar ' +
			'days in the zone, across a month end and DST',
		() => {
			// 1 April 2026 01:30 in Berlin (CEST, UTC+2) is 31 March 23:30 UTC.
			const now = Date.parse('2026-03-31T23:30:00Z');
			expect(periodRange('yesterday', 'Europe/Berlin', now)).toEqual({
				gte: utc('2026-03-30T22:00:00Z'),
				lt: utc('2026-03-31T22:00:00Z'),
			});
			expect(periodRange('today', 'Europe/Berlin', now).gte).toBe(utc('2026-03-31T22:00:00Z'));
			// March in Berlin began at UTC+1 and ended at UTC+2 (the clocks went forward on the 29th).
			expect(periodRange('previous_month', 'Europe/Berlin', now)).toEqual({
				gte: utc('2026-02-28T23:00:00Z'),
				lt: utc('2026-03-31T22:00:00Z'),
			});
			// The same instant in New York is still 31 March: yesterday is the 30th there.
			expect(periodRange('yesterday', 'America/New_York', now)).toEqual({
				gte: utc('2026-03-30T04:00:00Z'),
				lt: utc('2026-03-31T04:00:00Z'),
			});
		},
	);
});

describe('a report runs once per execution, whatever the number of input items', () => {
	beforeEach(() => {
		const e = emulator();
		e.reset();
		const price = e.create('price', 'test', {
			currency: 'usd',
			unit_amount: 5000,
			unit_amount_decimal: '5000',
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		e.create('subscription', 'test', {
			customer: e.create('customer', 'test').id,
			status: 'active',
			currency: 'usd',
			created: NOW - 40 * DAY,
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [{ id: 'si_once1', object: 'subscription_item', quantity: 1, discounts: [], price }],
			},
		});
		e.clearRequests();
	});

	test('six items with the same settings: one report, one read, paired with all six', async () => {
		const run = await runStripeGuard({
			items: Array.from({ length: 6 }, (_, i) => ({ row: i })),
			parameters: { resource: 'report', operation: 'mrr', includeTable: false } as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({ report: 'mrr' });
		expect(run.items[0].pairedItem).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		expect(emulator().requests.filter((r) => r.path === '/v1/subscriptions')).toHaveLength(1);
	});

	test('settings mapped from the items: one report per distinct value, in item order', async () => {
		const items = ['forever', 'all', 'forever', 'all', 'foreverAndOnce'].map((rule) => ({ rule }));
		const run = await runStripeGuard({
			items,
			parameters: {
				resource: 'report',
				operation: 'mrr',
				includeTable: false,
				countDiscounts: '={{ $json.rule }}',
			} as never,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.items.map((i) => (i.json.definition as IDataObject).discounts)).toEqual([
			'forever',
			'all',
			'foreverAndOnce',
		]);
		expect(run.items.map((i) => i.pairedItem)).toEqual([
			[{ item: 0 }, { item: 2 }],
			[{ item: 1 }, { item: 3 }],
			{ item: 4 },
		]);
	});
});
