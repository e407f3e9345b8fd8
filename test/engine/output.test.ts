import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../nodes/shared/amounts';
import { periodRange } from '../../nodes/StripeGuard/framework/periods';
import { Redactor } from '../../nodes/shared/privacy/privacy';
import { inOneSecond, useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

describe('amounts', () => {
	test.each([
		[1234, 'usd', '$12.34'],
		[1200, 'jpy', '¥1,200'],
		[1200, 'JPY', '¥1,200'],
		[50000, 'krw', '₩50,000'],
		[1500, 'bhd', 'BHD 1.500'],
		[12345, 'kwd', 'KWD 12.345'],
		[-500, 'eur', '-€5.00'],
		[0, 'gbp', '£0.00'],
		[99, 'clp', 'CLP 99'],
	])('%i %s → %s', (amount, currency, expected) => {
		expect(formatAmount(amount, currency).replace(/\u00a0/g, ' ')).toBe(expected);
	});
});

describe('periods', () => {
	const now = Date.parse('2026-03-15T10:00:00Z');
	test('previous month in a time zone', () => {
		expect(periodRange('previous_month', 'UTC', now)).toEqual({
			gte: Date.parse('2026-02-01T00:00:00Z') / 1000,
			lt: Date.parse('2026-03-01T00:00:00Z') / 1000,
		});
		expect(periodRange('previous_month', 'America/New_York', now)).toEqual({
			gte: Date.parse('2026-02-01T05:00:00Z') / 1000,
			lt: Date.parse('2026-03-01T05:00:00Z') / 1000,
		});
	});
	test('month to date and rolling windows', () => {
		expect(periodRange('month_to_date', 'Asia/Tokyo', now).gte).toBe(
			Date.parse('2026-02-28T15:00:00Z') / 1000,
		);
		expect(periodRange('last_7_days', 'UTC', now)).toEqual({
			gte: now / 1000 - 7 * 86400,
			lt: now / 1000 + 1,
		});
	});
});

describe('redaction', () => {
	test('same person, same placeholder; products keep their names', () => {
		const r = new Redactor();
		const customer = {
			object: 'customer',
			id: 'cus_1',
			name: 'Jenny Rosen',
			email: 'jenny@example.com',
			phone: '+15555550100',
			address: { city: 'Berlin' },
		};
		const charge = {
			object: 'charge',
			billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com', address: { line1: 'x' } },
			payment_method_details: { card: { fingerprint: 'Xt5EWLLDS7FJjR1c', last4: '4242' } },
			receipt_email: 'jenny@example.com',
		};
		const product = { object: 'product', name: 'Pro plan' };
		const [a, b, c] = [r.redact(customer), r.redact(charge), r.redact(product)];
		const flat = { billing_name: a.name, billing_email: a.email };
		expect(a).toMatchObject({
			id: 'cus_1',
			name: expect.stringMatching(/^Person [0-9a-f]{8}$/),
			email: expect.stringMatching(/^person-[0-9a-f]{8}@redacted\.invalid$/),
			phone: expect.stringMatching(/^\[phone [0-9a-f]{8}\]$/),
			address: expect.stringMatching(/^\[address /),
		});
		expect(b.billing_details).toMatchObject({ name: flat.billing_name, email: flat.billing_email });
		expect(b.billing_details.address).not.toBe(a.address); // another address, another placeholder
		expect(b.receipt_email).toBe(flat.billing_email);
		expect(b.payment_method_details.card).toEqual({
			fingerprint: expect.stringMatching(/^\[card [0-9a-f]{8}\]$/),
			last4: '4242',
		});
		// Another execution: other placeholders, so they cannot be joined across runs.
		expect(new Redactor('another execution').redact(customer).name).not.toBe(flat.billing_name);
		expect(c.name).toBe('Pro plan');
		expect(customer.name).toBe('Jenny Rosen'); // input untouched
	});
});

describe('output options on the engine', () => {
	const emulator = useEmulator();
	beforeEach(() => emulator().reset());

	test('Redact Personal Data is stable across the items of a run', async () => {
		const e = emulator();
		const c = e.create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const run = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: '={{ $json.id }}',
				redactPersonalData: true,
			},
			credential: { apiKey: e.keys.testRead },
			items: [{ id: c.id }, { id: c.id }],
		});
		const out = JSON.stringify(run.items);
		expect(out).not.toContain('ada@example.com');
		expect(out).not.toContain('Ada Lovelace');
		expect(run.items[0].json.email).toBe(run.items[1].json.email);
		expect(run.items[0].json.id).toBe(c.id);
	});

	test(
		'simplified amounts keep minor units and ' + 'add a formatted amount, zero-decimal aware',
		async () => {
			const e = emulator();
			const pi = e.create<{ id: string }>('payment_intent', 'test', {
				amount: 1200,
				currency: 'jpy',
			});
			const run = await runStripeGuard({
				parameters: {
					resource: 'paymentIntent',
					operation: 'get',
					paymentIntentId: pi.id,
					simplify: true,
				},
				credential: { apiKey: e.keys.testRead },
			});
			expect(run.items[0].json).toMatchObject({
				amount: 1200,
				amount_formatted: '¥1,200',
				currency: 'jpy',
			});
		},
	);

	test('client secrets never reach the output', async () => {
		const e = emulator();
		const pi = e.create<{ id: string }>('payment_intent', 'test', {
			client_secret: 'pi_x_secret_abc',
		});
		const run = await runStripeGuard({
			parameters: { resource: 'paymentIntent', operation: 'get', paymentIntentId: pi.id },
			credential: { apiKey: e.keys.testRead },
		});
		expect(JSON.stringify(run.items)).not.toContain('secret_abc');
	});

	test('as an agent tool: simplified and at most 100 rows, and it says so', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 250);
		e.clearRequests();
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'list', returnAll: true },
			credential: { apiKey: e.keys.testRead },
			asTool: true,
		});
		// A model gets the rows as one item that says Stripe has more (tool-results.test.ts).
		expect(run.items).toHaveLength(1);
		const { results, more_available } = run.items[0].json as {
			results: IDataObject[];
		} & IDataObject;
		expect([results.length, more_available]).toEqual([100, true]);
		expect(results[0]).not.toHaveProperty('livemode');
		expect(run.hints[0].message).toMatch(/Stopped at the tool limit \(100\)/);
		expect(e.requests.length).toBeLessThanOrEqual(2);
	});

	test('lists of 10,001: Return All stops at the 10,000 Max Rows default and says so', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 10_001, inOneSecond());
		e.clearRequests();
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'list', returnAll: true },
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.items).toHaveLength(10_000);
		expect(new Set(run.items.map((i) => (i.json as IDataObject).id)).size).toBe(10_000);
		// 101 pages of the one second they were created in, and the window below that second.
		expect(e.requests).toHaveLength(102);
		expect(run.hints[0].message).toMatch(/Stopped at Max Rows \(10000\)/);
	}, 60_000);
});
