/**
 * The emulator itself, through the real stripe SDK: it must behave as
 * Stripe does, or the product's tests prove nothing. The SDK calls
 * https://api.stripe.com, routed to the emulator (route-stripe.js).
 */
import https from 'node:https';

import Stripe from 'stripe';

import { routeStripeTo } from '../route-stripe';
import { checkObject } from './contract';
import { startEmulator, type StripeEmulator } from './index';

let emu: StripeEmulator;
const sdk = (key: string, maxNetworkRetries = 0) => new Stripe(key, { maxNetworkRetries });

beforeAll(async () => {
	// Stripe's rate limits have their own suite
	// (test/engine/rate-limits.test.ts); here the SDK calls as fast as it can.
	emu = await startEmulator({ seed: 'demo', rateLimits: false });
	routeStripeTo(emu.port);
});
afterAll(async () => {
	routeStripeTo(undefined);
	await emu.stop();
});

const failure = async (call: Promise<unknown>) => {
	try {
		await call;
	} catch (error) {
		return error as InstanceType<typeof Stripe.errors.StripeError>;
	}
	throw new Error('expected the call to fail');
};

describe('lists', () => {
	let key: string;
	beforeAll(() => {
		key = emu.addKey({ mode: 'test', permissions: 'read' });
	});

	test('default limit 10, newest first, has_more and cursors both ways', async () => {
		const s = sdk(key);
		const first = await s.customers.list();
		expect(first.data).toHaveLength(10);
		expect(first.has_more).toBe(true);
		const created = first.data.map((c) => c.created);
		expect(created).toEqual([...created].sort((a, b) => b - a));
		const second = await s.customers.list({ limit: 5, starting_after: first.data[9].id });
		expect(second.data[0].id).not.toBe(first.data[9].id);
		const back = await s.customers.list({ limit: 3, ending_before: second.data[0].id });
		expect(back.data.map((c) => c.id)).toEqual(first.data.slice(7).map((c) => c.id));
	});

	test('limit outside 1–100 is a 400 naming the parameter', async () => {
		for (const limit of [0, 101]) {
			const error = await failure(sdk(key).customers.list({ limit }));
			expect(error.statusCode).toBe(400);
			expect(error.param).toBe('limit');
		}
	});

	test('an unknown parameter is refused as Stripe does', async () => {
		const error = await failure(sdk(key).customers.list({ colour: 'red' } as never));
		expect(error.message).toBe('Received unknown parameter: colour');
		expect(emu.takeViolations().map((v) => v.param)).toEqual(['colour']);
	});

	test('auto-pagination walks every page', async () => {
		const all = await sdk(key).events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
		const kept = Math.floor(Date.now() / 1000) - 30 * 86_400;
		expect(all.length).toBe(
			emu.list('event', 'test').filter((e) => (e.created as number) >= kept).length,
		);
		expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
	});

	test('created ranges and filters', async () => {
		const s = sdk(key);
		const all = emu.list('charge', 'test');
		const middle = all[Math.floor(all.length / 2)].created as number;
		const newer = await s.charges
			.list({ created: { gt: middle }, limit: 100 })
			.autoPagingToArray({ limit: 1000 });
		expect(newer.every((c) => c.created > middle)).toBe(true);
		expect(newer.length).toBe(all.filter((c) => (c.created as number) > middle).length);
		const active = await s.subscriptions.list({ status: 'active', limit: 100 });
		expect(active.data.every((x) => x.status === 'active')).toBe(true);
		const defaults = await s.subscriptions.list({ limit: 100 });
		expect(defaults.data.some((x) => x.status === 'canceled')).toBe(false);
		const paidOut = await s.events.list({ type: 'invoice.*', limit: 100 });
		expect(paidOut.data.every((e) => e.type.startsWith('invoice.'))).toBe(true);
	});

	test("coupons: newest first, by created, in Stripe's schema; codes with -", async () => {
		const s = sdk(key);
		const seeded = emu.list('coupon', 'test');
		expect(seeded.length).toBeGreaterThanOrEqual(3);
		const page = await s.coupons.list({ limit: 100 });
		expect(page.data.map((c) => c.id)).toEqual(
			[...seeded].sort((a, b) => (b.created as number) - (a.created as number)).map((c) => c.id),
		);
		expect(checkObject('list', JSON.parse(JSON.stringify(page)))).toEqual([]);
		const oldest = page.data.at(-1)!;
		const newer = await s.coupons.list({ created: { gt: oldest.created }, limit: 100 });
		expect(newer.data.map((c) => c.id)).not.toContain(oldest.id);
		expect(newer.data.every((c) => c.created > oldest.created)).toBe(true);
		const hyphen = emu.create<{ id: string }>('coupon', 'test', {
			id: 'SUMMER-25',
			percent_off: 25,
		});
		expect((await s.coupons.retrieve(hyphen.id)).percent_off).toBe(25);
		expect(emu.takeViolations()).toEqual([]);
	});

	test('expand replaces an ID with the object', async () => {
		const page = await sdk(key).subscriptions.list({ limit: 2, expand: ['data.customer'] });
		expect((page.data[0].customer as Stripe.Customer).object).toBe('customer');
		const error = await failure(sdk(key).subscriptions.list({ expand: ['data.owner'] }));
		expect(error.message).toBe('This property cannot be expanded (data.owner).');
		expect(emu.takeViolations().map((v) => v.param)).toEqual(['expand[0]']);
	});

	test(
		"events go back 30 days (as Stripe's definitions say); " +
			'`types` takes up to 20 names and not with `type`',
		async () => {
			const s = sdk(key);
			const day = 86_400;
			const now = Math.floor(Date.now() / 1000);
			const old = emu.create('event', 'test', {
				type: 'customer.created',
				created: now - 31 * day,
			});
			const recent = emu.create('event', 'test', {
				type: 'customer.created',
				created: now - 29 * day,
			});
			const seen: string[] = [];
			for await (const e of s.events.list({ limit: 100, type: 'customer.created' }))
				seen.push(e.id);
			expect(seen).toContain(recent.id);
			expect(seen).not.toContain(old.id);
			expect((await failure(s.events.retrieve(old.id))).statusCode).toBe(404);
			expect((await s.events.retrieve(recent.id)).id).toBe(recent.id);

			const names = Array.from({ length: 21 }, (_, i) => `customer.event_${i}`);
			expect((await s.events.list({ types: names.slice(0, 20) })).object).toBe('list');
			const tooMany = await failure(s.events.list({ types: names }));
			expect([tooMany.statusCode, tooMany.param]).toEqual([400, 'types']);
			const both = await failure(
				s.events.list({ types: ['customer.created'], type: 'customer.created' }),
			);
			expect([both.statusCode, both.param]).toEqual([400, 'types']);
		},
	);

	test('search with AND, ~ and metadata, paged with next_page', async () => {
		const s = sdk(key);
		const found = await s.subscriptions.search({
			query: "status:'active' AND metadata['plan']:'pro'",
			limit: 2,
		});
		expect(found.object).toBe('search_result');
		expect(found.data.every((x) => x.status === 'active' && x.metadata.plan === 'pro')).toBe(true);
		const everything = await s.subscriptions
			.search({ query: "status:'active' AND metadata['plan']:'pro'", limit: 2 })
			.autoPagingToArray({ limit: 1000 });
		expect(everything.length).toBeGreaterThan(2);
		const byName = await s.customers.search({ query: "name~'Lovelace'" });
		expect(byName.data.length).toBeGreaterThan(0);
		const error = await failure(
			s.customers.search({ query: "status:'active' AND name:'x' OR email:'y'" }),
		);
		expect(error.message).toMatch(/both 'AND' and 'OR'/);
	});
});

describe('keys', () => {
	test('test and live data are separate and livemode says which', async () => {
		const test = await sdk(emu.keys.testRead).customers.list({ limit: 100 });
		const live = await sdk(emu.keys.liveRead).customers.list({ limit: 100 });
		expect(test.data.every((c) => !c.livemode)).toBe(true);
		expect(live.data.every((c) => c.livemode)).toBe(true);
		expect(live.data.length).toBeLessThan(test.data.length);
	});

	test('401: missing, invalid and revoked keys', async () => {
		const invalidKey = 'rk_test_' + 'x'.repeat(30) + 'abcd';
		const invalid = await failure(sdk(invalidKey).customers.list());
		expect(invalid.statusCode).toBe(401);
		expect(invalid.message).toBe('Invalid API Key provided: rk_test_***abcd');
		const revoked = emu.addKey({ mode: 'test' });
		emu.revokeKey(revoked);
		const expired = await failure(sdk(revoked).customers.list());
		expect(expired.message).toBe(`Expired API Key provided: rk_test_***${revoked.slice(-4)}`);
	});

	test('403 in the legacy wording', async () => {
		const key = emu.addKey({ mode: 'test', permissions: { customer: 'read' } });
		const error = await failure(sdk(key).subscriptions.list());
		expect(error.statusCode).toBe(403);
		expect(error.message).toBe(
			`The provided key 'rk_test_***${key.slice(-6)}' does not have the required ` +
				`permissions for this endpoint on account '${emu.accountId}'. ` +
				`Having the 'rak_subscription_read' permission would allow this request to continue.`,
		);
		expect(error.code).toBeUndefined();
	});

	test('403 in the modern wording; Prices are "plan"', async () => {
		const key = emu.addKey({
			mode: 'live',
			permissions: { customer: 'write' },
			permissionErrorStyle: 'modern',
		});
		const error = await failure(sdk(key).prices.list());
		expect(error.code).toBe('more_permissions_required');
		expect(error.message).toMatch(
			new RegExp(
				String.raw`^Permission denied\. .*Enabling "Prices Read" \('plan_read'\) ` +
					String.raw`permissions on this key would allow this request to continue\.`,
			),
		);
	});

	test('write implies read; read does not allow writes; refunds need refund write', async () => {
		const key = emu.addKey({ mode: 'test', permissions: { customer: 'write', charge: 'read' } });
		const s = sdk(key);
		await expect(s.customers.list({ limit: 1 })).resolves.toBeDefined();
		const charge = emu.list('charge', 'test').find((c) => c.status === 'succeeded' && !c.refunded)!;
		const refund = await failure(s.refunds.create({ charge: charge.id, amount: 1 }));
		expect(refund.message).toMatch(/'rak_refund_write'/);
		const product = await failure(s.products.create({ name: 'x' }));
		expect(product.message).toMatch(/'rak_product_write'/);
	});

	test('a per-key rate limit answers 429 without Stripe-Should-Retry', async () => {
		const key = emu.addKey({ mode: 'test', rateLimitPerSecond: 3 });
		const s = sdk(key);
		const results = await Promise.allSettled(
			Array.from({ length: 8 }, () => s.customers.list({ limit: 1 })),
		);
		const limited = results
			.filter((r) => r.status === 'rejected')
			.map((r) => (r as PromiseRejectedResult).reason);
		expect(limited.length).toBeGreaterThanOrEqual(4);
		expect(limited[0].statusCode).toBe(429);
		expect(limited[0].code).toBe('rate_limit');
		expect(limited[0].headers['stripe-should-retry']).toBeUndefined();
	});
});

describe('connections', () => {
	test(
		'TLS handshakes are counted: ' + 'one for a kept-alive connection, one per request without',
		async () => {
			const key = emu.addKey({ mode: 'test', permissions: 'read' });
			const handshakes = () => emu.tlsHandshakes.full + emu.tlsHandshakes.resumed;
			for (const [keepAlive, expected] of [
				[true, 1],
				[false, 3],
			] as const) {
				const agent = new https.Agent({ keepAlive });
				const s = new Stripe(key, { maxNetworkRetries: 0, httpAgent: agent });
				emu.clearRequests();
				for (let i = 0; i < 3; i++) await s.customers.list({ limit: 1 });
				agent.destroy();
				expect(emu.requests).toHaveLength(3);
				expect(handshakes()).toBe(expected);
			}
		},
	);
});

describe('invoice previews', () => {
	test(
		"a cancellation's final invoice, asked with Stripe's parameters: the customer's pending " +
			"items and a credit for unused time, in Stripe's invoice schema; nothing is created",
		async () => {
			const reader = sdk(emu.addKey({ mode: 'test', permissions: { invoice: 'read' } }));
			const customer = emu.create<{ id: string }>('customer', 'test', { name: 'Preview' });
			// $20.00 a month (the default price), 20 of its 30 days still to come.
			const sub = emu.create<{ id: string }>('subscription', 'test', {
				customer: customer.id,
				status: 'active',
				currency: 'usd',
				created: Math.floor(Date.now() / 1000) - 10 * 86_400,
			});
			emu.create('invoiceitem', 'test', {
				customer: customer.id,
				amount: 1_234,
				currency: 'usd',
				invoice: null,
				description: 'Usage',
			});
			const invoices = emu.list('invoice', 'test').length;
			const cancel = (proration_behavior: 'create_prorations' | 'none') =>
				reader.invoices.createPreview({
					subscription: sub.id,
					subscription_details: { cancel_now: true, proration_behavior },
				});
			const prorated = await cancel('create_prorations');
			expect(checkObject('invoice', JSON.parse(JSON.stringify(prorated)))).toEqual([]);
			expect(prorated.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([
				-1_333, 1_234,
			]);
			expect(prorated).toMatchObject({
				id: expect.stringMatching(/^upcoming_in_/),
				currency: 'usd',
				total: -99,
				amount_due: 0,
			});
			expect(await cancel('none')).toMatchObject({ total: 1_234, amount_due: 1_234 });
			expect(emu.list('invoice', 'test')).toHaveLength(invoices);

			const ended = emu.create<{ id: string }>('subscription', 'test', {
				customer: customer.id,
				status: 'canceled',
			});
			const none = await failure(reader.invoices.createPreview({ subscription: ended.id }));
			expect(none.code).toBe('invoice_upcoming_none');
			const noRead = sdk(emu.addKey({ mode: 'test', permissions: { subscription: 'write' } }));
			const refused = await failure(noRead.invoices.createPreview({ subscription: sub.id }));
			expect(refused.message).toMatch(/'rak_invoice_read'/);
		},
	);
});

describe('writes and idempotency', () => {
	test('the same Idempotency-Key replays the first response and writes once', async () => {
		const s = sdk(emu.keys.testWrite);
		const before = emu.list('customer', 'test').length;
		const a = await s.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'idem-1' });
		emu.clearRequests();
		const b = await s.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'idem-1' });
		expect(b.id).toBe(a.id);
		expect(emu.requests[0].replayed).toBe(true);
		expect(emu.list('customer', 'test').length).toBe(before + 1);
		const error = await failure(
			s.customers.create({ email: 'other@example.com' }, { idempotencyKey: 'idem-1' }),
		);
		expect(error.type).toBe('StripeIdempotencyError');
		expect(error.message).toMatch(
			/^Keys for idempotent requests can only be used with the same parameters/,
		);
	});

	test('a refund updates its charge, adds a balance transaction and an event', async () => {
		const s = sdk(emu.keys.testWrite);
		const charge = emu
			.list('charge', 'test')
			.find((c) => c.status === 'succeeded' && !c.refunded && !c.amount_refunded)!;
		const refund = await s.refunds.create({ charge: charge.id, amount: 100, reason: 'duplicate' });
		expect(refund).toMatchObject({
			object: 'refund',
			amount: 100,
			charge: charge.id,
			status: 'succeeded',
		});
		expect(emu.get('charge', 'test', charge.id)?.amount_refunded).toBe(100);
		const events = await s.events.list({ type: 'charge.refunded', limit: 1 });
		expect((events.data[0].data.object as Stripe.Charge).id).toBe(charge.id);
		const tooMuch = await failure(s.refunds.create({ charge: charge.id, amount: 10_000_000 }));
		expect(tooMuch.code).toBe('amount_too_large');
	});

	test(
		'an update event carries only what changed: ' +
			'metadata keys before (null when new), no request-only parameters',
		async () => {
			const s = sdk(emu.keys.testWrite);
			const sub = (await s.subscriptions.list({ status: 'active', limit: 100 })).data.find(
				(x) => x.metadata.plan,
			)!;
			await s.subscriptions.update(sub.id, {
				metadata: { plan: String(sub.metadata.plan), seats: '5' },
				proration_behavior: 'none',
				description: 'Renamed',
			});
			const [event] = (await s.events.list({ type: 'customer.subscription.updated', limit: 1 }))
				.data;
			expect(event.data.previous_attributes).toEqual({
				metadata: { seats: null },
				description: sub.description,
			});
			expect(event.data.object).not.toHaveProperty('proration_behavior');
			const unchanged = await s.subscriptions.update(sub.id, { description: 'Renamed' });
			expect(unchanged.description).toBe('Renamed');
			expect(
				(await s.events.list({ type: 'customer.subscription.updated', limit: 1 })).data[0].id,
			).toBe(event.id);
		},
	);

	test('deleting a customer leaves a deleted stub', async () => {
		const s = sdk(emu.keys.testWrite);
		const c = await s.customers.create({ name: 'Temp' });
		await s.customers.del(c.id);
		const gone = await s.customers.retrieve(c.id);
		expect(gone).toMatchObject({ id: c.id, deleted: true });
	});

	test('404 wording names the object', async () => {
		const s = sdk(emu.keys.testRead);
		const error = await failure(s.checkout.sessions.retrieve('cs_test_missing'));
		expect(error.statusCode).toBe(404);
		expect(error.message).toBe("No such checkout.session: 'cs_test_missing'");
		expect(error.code).toBe('resource_missing');
	});
});

describe('faults', () => {
	afterEach(() => emu.clearFaults());

	test('500 then success: the SDK retries', async () => {
		emu.addFault({ kind: 'server_error', count: 1, pathPrefix: '/v1/balance' });
		const balance = await sdk(emu.keys.testRead, 1).balance.retrieve();
		expect(balance.object).toBe('balance');
	});

	test('a dropped connection mid-list', async () => {
		// The SDK retries a closed connection once even with retries off, so drop two in a row.
		emu.addFault({ kind: 'drop_connection', count: 2, pathPrefix: '/v1/events', afterRequests: 1 });
		const s = sdk(emu.keys.testRead);
		await s.events.list({ limit: 5 });
		const error = await failure(s.events.list({ limit: 5 }));
		expect(error.type).toBe('StripeConnectionError');
		expect(emu.requests.at(-1)?.fault).toBe('drop_connection');
	});

	test('a slow response meets the client timeout', async () => {
		emu.addFault({ kind: 'slow', count: 1, delayMs: 400 });
		const s = new Stripe(emu.keys.testRead, { maxNetworkRetries: 0, timeout: 100 });
		const error = await failure(s.customers.list({ limit: 1 }));
		expect(error.type).toBe('StripeConnectionError');
	});

	test('a malformed body', async () => {
		emu.addFault({ kind: 'malformed_body', count: 1 });
		const error = await failure(sdk(emu.keys.testRead).customers.list({ limit: 1 }));
		expect(error.type).toBe('StripeAPIError');
		expect(error.message).toMatch(/Invalid JSON/);
	});
});

test('the request log never holds a key, only its hint', () => {
	const log = JSON.stringify(emu.requests);
	for (const key of Object.values(emu.keys)) expect(log).not.toContain(key);
	expect(emu.requests.every((r) => /^(rk|sk)_(test|live)_\*\*\*\w{4}$|^$/.test(r.keyHint))).toBe(
		true,
	);
});

test('demo data is coherent', () => {
	const customers = new Set(emu.list('customer', 'test').map((c) => c.id));
	const subs = emu.list('subscription', 'test');
	expect(subs.length).toBeGreaterThanOrEqual(25);
	expect(subs.every((s) => customers.has(s.customer as string))).toBe(true);
	expect(new Set(subs.map((s) => s.status))).toEqual(
		new Set(['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'paused']),
	);
	for (const charge of emu.list('charge', 'test')) {
		expect(emu.get('payment_intent', 'test', charge.payment_intent as string)?.latest_charge).toBe(
			charge.id,
		);
	}
	const prices = emu.list('price', 'test');
	expect(prices.some((p) => p.currency === 'jpy')).toBe(true);
	expect(new Set(emu.list('payout', 'test').map((p) => p.status))).toEqual(
		new Set(['paid', 'failed', 'in_transit', 'pending']),
	);
});
