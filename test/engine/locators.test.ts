/**
 * Resource locator values at run time, through n8n-core's engine: From List, By ID (expressions
 * too), By URL (test/live checked against the credential) and the plain strings of workflows saved
 * before the locators.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { useEmulator } from './emulator-context';
import { runStripeGuard, STRIPE_GUARD } from './harness';

const emulator = useEmulator();

beforeEach(() => {
	emulator().reset();
});

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

describe('a customer named by each mode', () => {
	let id: string;
	beforeEach(() => {
		id = emulator().create<{ id: string }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		}).id;
	});
	const get = async (customerId: unknown, items?: Array<Record<string, string>>) =>
		await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId } as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
			items,
		});

	test.each([
		['From List', () => rl('list', id)],
		['By ID', () => rl('id', id)],
		['By URL (test mode)', () => rl('url', `https://dashboard.stripe.com/test/customers/${id}`)],
		[
			'By URL, account-scoped, with a query',
			() =>
				rl(
					'url',
					`https://dashboard.stripe.com/acct_1Nv0FGQ9RKHgCVdK/test/customers/${id}?tab=payments`,
				),
		],
		['a plain string (saved before the locators)', () => id],
	])('%s', async (_mode, value) => {
		const run = await get(value());
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ id, email: 'ada@example.com' });
	});

	test('an expression in By ID and By URL is resolved per item', async () => {
		const byId = await get(rl('id', '={{ $json.id }}'), [{ id }]);
		expect(byId.items[0].json.id).toBe(id);
		const byUrl = await get(
			rl('url', '=https://dashboard.stripe.com/test/customers/{{ $json.id }}'),
			[{ id }],
		);
		expect(byUrl.items[0].json.id).toBe(id);
	});

	test(
		'a live-mode Dashboard URL with a test key is ' + 'refused before any request, naming the item',
		async () => {
			emulator().clearRequests();
			const run = await get(rl('url', `https://dashboard.stripe.com/customers/${id}`));
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe(
				"The customer URL is from the Stripe Dashboard's live mode, " +
					'but the credential is for test mode (item 0)',
			);
			expect(run.error?.description).toMatch(/no \/test\/ in it/);
			expect(emulator().requests).toHaveLength(0);
		},
	);

	test('a test-mode Dashboard URL with a live key is refused', async () => {
		const run = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: rl('url', `https://dashboard.stripe.com/test/customers/${id}`),
			} as INodeParameters,
			credential: { apiKey: emulator().keys.liveRead },
		});
		expect(run.error?.message).toBe(
			"The customer URL is from the Stripe Dashboard's test mode, " +
				'but the credential is for live mode (item 0)',
		);
	});

	test(
		'a URL of another kind of object is refused by n8n before the ' +
			"run (the mode's validation), and by the node at run time",
		async () => {
			await expect(
				get(rl('url', 'https://dashboard.stripe.com/test/subscriptions/sub_1MowQVLkdIwHu7ix')),
			).rejects.toThrow('Not a Stripe Dashboard URL of a customer (…/cus_…)');
			// An expression skips the editor's validation: the node refuses it.
			const wrong = await get(rl('url', '={{ $json.url }}'), [
				{ url: 'https://dashboard.stripe.com/test/subscriptions/sub_1MowQVLkdIwHu7ix' },
			]);
			expect(wrong.error?.message).toBe(
				'"https://dashboard.stripe.com/test/subscriptions/sub_1MowQVLkdIwHu7ix" ' +
					'is not a Stripe Dashboard URL of a customer (item 0)',
			);
			const other = await get(rl('url', '={{ $json.url }}'), [
				{ url: `https://example.com/customers/${id}` },
			]);
			expect(other.error?.message).toMatch(
				/is not a Stripe Dashboard URL of a customer \(item 0\)/,
			);
		},
	);

	test(
		'By ID: a wrong prefix is refused by n8n before the run, ' +
			'and by the node when an expression gives it',
		async () => {
			await expect(get(rl('id', 'sub_1MowQVLkdIwHu7ix'))).rejects.toThrow(
				'Not a customer ID: Customer IDs start with cus_',
			);
			const run = await get(rl('id', '={{ $json.id }}'), [{ id: 'sub_1MowQVLkdIwHu7ix' }]);
			expect(run.error?.message).toBe('"sub_1MowQVLkdIwHu7ix" is not a customer ID (item 0)');
		},
	);

	test(
		'With Continue On Fail, a mismatched URL ' + 'is an error item and the other items run',
		async () => {
			const run = await runStripeGuard({
				parameters: {
					resource: 'customer',
					operation: 'get',
					customerId: rl('url', '={{ $json.url }}'),
				} as INodeParameters,
				credential: { apiKey: emulator().keys.testRead },
				items: [
					{ url: `https://dashboard.stripe.com/customers/${id}` },
					{ url: `https://dashboard.stripe.com/test/customers/${id}` },
				],
				continueOnFail: true,
			});
			expect(run.items.map((i) => i.json.error ?? i.json.id)).toEqual([
				"The customer URL is from the Stripe Dashboard's live mode, " +
					'but the credential is for test mode (item 0)',
				id,
			]);
		},
	);
});

describe('a coupon, whose ID is a code without a prefix', () => {
	beforeEach(() => {
		emulator().create('coupon', 'test', {
			id: 'SUMMER-25',
			name: 'Summer sale',
			percent_off: 25,
		});
	});
	const get = async (couponId: unknown, items?: Array<Record<string, string>>) =>
		await runStripeGuard({
			parameters: { resource: 'coupon', operation: 'get', couponId } as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
			items,
		});

	test.each([
		['From List', rl('list', 'SUMMER-25')],
		['By ID', rl('id', 'SUMMER-25')],
		['By URL (test mode)', rl('url', 'https://dashboard.stripe.com/test/coupons/SUMMER-25')],
		[
			'By URL, account-scoped, with a query',
			rl('url', 'https://dashboard.stripe.com/acct_1Nv0FGQ9RKHgCVdK/test/coupons/SUMMER-25?a=b'),
		],
		['a plain string', 'SUMMER-25'],
	])('%s', async (_mode, value) => {
		const run = await get(value);
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ id: 'SUMMER-25', name: 'Summer sale' });
	});

	test('By ID: what no code can be is refused by n8n before the run, and by the node', async () => {
		await expect(get(rl('id', 'SUMMER 25'))).rejects.toThrow(
			'Not a coupon ID: Coupon IDs have no prefix: letters, digits, _ and -',
		);
		emulator().clearRequests();
		const run = await get(rl('id', '={{ $json.id }}'), [{ id: 'SUMMER 25' }]);
		expect(run.error?.message).toBe('"SUMMER 25" is not a coupon ID (item 0)');
		expect(emulator().requests).toHaveLength(0);
	});

	test('By URL: only a link to the coupons page, in the credential’s mode', async () => {
		// Without a prefix a customer's ID could be a code: only the page says what the link is of.
		const customerPage = 'https://dashboard.stripe.com/test/customers/cus_NffrFeUfNV2Hib';
		await expect(get(rl('url', customerPage))).rejects.toThrow(
			'Not a Stripe Dashboard URL of a coupon (…/coupons/…)',
		);
		const wrong = await get(rl('url', '={{ $json.url }}'), [{ url: customerPage }]);
		expect(wrong.error?.message).toBe(
			`"${customerPage}" is not a Stripe Dashboard URL of a coupon (item 0)`,
		);
		expect(wrong.error?.description).toContain('https://dashboard.stripe.com/test/coupons/');
		const live = await get(rl('url', 'https://dashboard.stripe.com/coupons/SUMMER-25'));
		expect(live.error?.message).toBe(
			"The coupon URL is from the Stripe Dashboard's live mode, " +
				'but the credential is for test mode (item 0)',
		);
	});
});

describe('write operations read locators too', () => {
	test('a refund proposed for a charge picked By URL names that charge', async () => {
		const charge = emulator().create<{ id: string }>('charge', 'test', {
			amount: 5000,
			currency: 'usd',
		});
		const run = await runStripeGuard({
			parameters: {
				resource: 'refund',
				operation: 'create',
				chargeId: rl('url', `https://dashboard.stripe.com/test/payments/${charge.id}`),
			} as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({
			request: { method: 'POST', path: '/v1/refunds', params: { charge: charge.id } },
		});
	});

	test('a customer update picked From List, and a live URL refused', async () => {
		const id = emulator().create<{ id: string }>('customer', 'test').id;
		const ok = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'update',
				customerId: rl('list', id),
				updateFields: { name: 'Ada' },
			} as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(ok.items[0].json).toMatchObject({ request: { path: `/v1/customers/${id}` } });
		const refused = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'delete',
				customerId: rl('url', `https://dashboard.stripe.com/customers/${id}`),
			} as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(refused.error?.message).toBe(
			"The customer URL is from the Stripe Dashboard's live mode, " +
				'but the credential is for test mode (item 0)',
		);
	});
});

describe('ID filters and optional ID fields are locators too', () => {
	test(
		'a list filtered by a customer picked From List, ' + 'By URL, or saved as a plain string',
		async () => {
			const e = emulator();
			const ada = e.create<{ id: string }>('customer', 'test', { email: 'ada@example.com' });
			const grace = e.create<{ id: string }>('customer', 'test', { email: 'grace@example.com' });
			const adas = e.create<{ id: string }>('subscription', 'test', { customer: ada.id });
			e.create('subscription', 'test', { customer: grace.id });
			for (const customer of [
				rl('list', ada.id),
				rl('url', `https://dashboard.stripe.com/test/customers/${ada.id}`),
				ada.id,
			]) {
				const run = await runStripeGuard({
					parameters: {
						resource: 'subscription',
						operation: 'list',
						filters: { customer },
					} as INodeParameters,
					credential: { apiKey: e.keys.testRead },
				});
				expect(run.items.map((i) => i.json.id)).toEqual([adas.id]);
			}
			const refused = await runStripeGuard({
				parameters: {
					resource: 'subscription',
					operation: 'list',
					filters: { customer: rl('url', `https://dashboard.stripe.com/customers/${ada.id}`) },
				} as INodeParameters,
				credential: { apiKey: e.keys.testRead },
			});
			expect(refused.error?.message).toBe(
				"The customer URL is from the Stripe Dashboard's live mode, " +
					'but the credential is for test mode (item 0)',
			);
			// A filter added but left empty filters nothing.
			const empty = await runStripeGuard({
				parameters: {
					resource: 'subscription',
					operation: 'list',
					filters: { customer: rl('list', '') },
				} as INodeParameters,
				credential: { apiKey: e.keys.testRead },
			});
			expect(empty.items).toHaveLength(2);
		},
	);

	test("a checkout session's optional customer picked By URL", async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test');
		const price = e.create<{ id: string }>('price', 'test', { unit_amount: 1200, currency: 'usd' });
		const run = await runStripeGuard({
			parameters: {
				resource: 'checkoutSession',
				operation: 'create',
				mode: 'payment',
				successUrl: 'https://example.com/ok',
				lineItems: { item: [{ price: price.id, quantity: 1 }] },
				additionalFields: {
					customerId: rl('url', `https://dashboard.stripe.com/test/customers/${customer.id}`),
				},
			} as INodeParameters,
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ request: { params: { customer: customer.id } } });
	});
});

describe('workflows saved before the locators', () => {
	/** Every Stripe Guard node of the examples whose ID parameters are plain strings. */
	const examples = readdirSync(join(__dirname, '../../examples'))
		.filter((f) => f.endsWith('.json'))
		.flatMap((f) => {
			const workflow = JSON.parse(readFileSync(join(__dirname, '../../examples', f), 'utf8')) as {
				nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
			};
			return workflow.nodes
				.filter((n) => n.type === STRIPE_GUARD)
				.map((n) => [f, n.parameters] as const);
		});

	test('the examples still store plain string IDs where they name an object', () => {
		expect(examples.length).toBeGreaterThan(0);
		for (const [, parameters] of examples) {
			for (const [name, value] of Object.entries(parameters))
				if (/Id$/.test(name)) expect(typeof value).toBe('string');
		}
	});

	test('an old-format get, update and checkout (plain strings) still run', async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test', { email: 'old@example.com' });
		const price = e.create<{ id: string }>('price', 'test', { unit_amount: 1200, currency: 'usd' });
		const credential = { apiKey: e.keys.testRead };
		const get = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: customer.id },
			credential,
		});
		expect(get.items[0].json.email).toBe('old@example.com');
		const update = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'update',
				customerId: customer.id,
				updateFields: { name: 'Old' },
			},
			credential,
		});
		expect(update.items[0].json).toMatchObject({
			request: { path: `/v1/customers/${customer.id}` },
		});
		const checkout = await runStripeGuard({
			parameters: {
				resource: 'checkoutSession',
				operation: 'create',
				mode: 'payment',
				successUrl: 'https://example.com/ok',
				lineItems: { item: [{ price: price.id, quantity: 2 }] },
			},
			credential,
		});
		expect(checkout.error).toBeUndefined();
		expect(checkout.items[0].json).toMatchObject({ amounts: { usd: 2400 } });
	});
});
