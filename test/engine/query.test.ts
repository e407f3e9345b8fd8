import { parseQuery } from '../../nodes/StripeGuard/framework/query';
import type { ReadResourceSpec } from '../../nodes/StripeGuard/framework/read-resource';
import { resources } from '../../nodes/StripeGuard/resources';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();
const specs = resources
	.map((r) => (r as { spec?: ReadResourceSpec }).spec)
	.filter((s): s is ReadResourceSpec => s !== undefined);

const runQuery = (query: unknown) =>
	runStripeGuard({
		parameters: {
			resource: 'query',
			operation: 'run',
			query: typeof query === 'string' ? query : JSON.stringify(query),
		},
		credential: { apiKey: emulator().keys.testRead },
	});

beforeEach(() => emulator().reset());

describe('query language: rejections tell how to fix the query', () => {
	const cases: Array<[string, unknown, RegExp]> = [
		['not JSON', '{list: subscriptions', /not JSON. Write an object such as/],
		['not an object', '[1,2]', /must be a JSON object/],
		[
			'unknown resource',
			{ list: 'subscription' },
			new RegExp(
				String.raw`Unknown resource "subscription" for "list". ` +
					String.raw`Use one of: customers, products, prices, subscriptions`,
			),
		],
		[
			'unknown filter',
			{ list: 'subscriptions', filters: { plan: 'pro' } },
			new RegExp(
				String.raw`unknown filters field\(s\) "plan".*Filters for subscriptions: ` +
					String.raw`status, customer, price, collection_method, created`,
			),
		],
		[
			'bad filter value',
			{ list: 'subscriptions', filters: { status: 'happy' } },
			/"filters.status" Invalid enum value.*'active'/,
		],
		[
			'wrong ID prefix in a filter',
			{ list: 'invoices', filters: { customer: 'sub_1' } },
			/"filters.customer" must be an ID starting with cus_/,
		],
		[
			'write verb',
			{ create: 'refunds', charge: 'ch_1', amount: 100 },
			/"create" is not a verb of the query language: queries only read/,
		],
		['delete verb', { delete: 'customers', id: 'cus_1' }, /"delete" is not a verb/],
		['no verb', { resource: 'customers' }, /needs exactly one verb: "list", "search" or "get"/],
		['two verbs', { list: 'customers', get: 'customers' }, /several verbs/],
		[
			'limit 0',
			{ list: 'customers', limit: 0 },
			/"limit" Number must be greater than or equal to 1/,
		],
		[
			'limit too high',
			{ list: 'customers', limit: 5000 },
			/"limit" Number must be less than or equal to 1000/,
		],
		['limit not a number', { list: 'customers', limit: 'all' }, /"limit" Expected number/],
		[
			'search where Stripe has none',
			{ search: 'payouts', query: "status:'paid'" },
			/Stripe has no search for payouts. Use \{"list": "payouts"/,
		],
		[
			'get with a wrong ID',
			{ get: 'invoices', id: 'cus_123' },
			/"id" must be an invoice ID starting with in_/,
		],
		['unknown expand', { list: 'customers', expand: ['secrets'] }, /"expand.0" Invalid enum value/],
		[
			'bad period',
			{ list: 'charges', filters: { created: 'last_week' } },
			/"filters.created" must be one of last_24_hours/,
		],
		[
			'bad date bound',
			{ list: 'charges', filters: { created: { gte: 'yesterday-ish' } } },
			/gte is not a date/,
		],
		['unknown top-level field', { list: 'customers', sort: 'email' }, /unknown field\(s\) "sort"/],
	];

	test.each(cases)('%s', async (_name, query, expected) => {
		const check = parseQuery(query, specs);
		expect(check.ok).toBe(false);
		expect(check.ok ? '' : check.message).toMatch(expected);
	});

	test(
		'a rejected query reaches the user as a ' +
			'NodeOperationError naming the item, with no request',
		async () => {
			emulator().clearRequests();
			const result = await runQuery({ update: 'customers' });
			expect(result.error?.name).toBe('NodeOperationError');
			expect(result.error?.message).toMatch(/"update" is not a verb.*\(item 0\)$/);
			expect(emulator().requests).toHaveLength(0);
		},
	);
});

describe('query language: valid queries', () => {
	test('list with filters and a relative period reaches Stripe as its parameters', async () => {
		const e = emulator();
		e.createMany('subscription', 'test', 5, () => ({ status: 'active' }));
		e.clearRequests();
		const result = await runQuery({
			list: 'subscriptions',
			filters: { status: 'active', created: 'last_30_days' },
			limit: 3,
		});
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(3);
		const query = e.requests[0].query as {
			status: string;
			created: { gte: string; lt: string };
			limit: string;
		};
		expect(query.status).toBe('active');
		// The query's own limit is what was asked for: no extra row to detect a cap, no hint.
		expect(query.limit).toBe('3');
		const now = Date.now() / 1000;
		expect(Number(query.created.gte)).toBeGreaterThan(now - 30 * 86400 - 60);
		expect(Number(query.created.lt)).toBeGreaterThan(now - 60);
		expect(result.items[0].json).toHaveProperty('status', 'active');
		expect(result.items[0].json).not.toHaveProperty('livemode'); // simplified by default
		expect(result.hints).toEqual([]);
	});

	test('get and search', async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test', { email: 'ada@example.com' });
		const got = await runQuery({ get: 'customers', id: customer.id });
		expect(got.items[0].json).toMatchObject({ id: customer.id, email: 'ada@example.com' });
		const found = await runQuery({ search: 'customers', query: "email:'ada@example.com'" });
		expect(found.items.map((i) => i.json.id)).toEqual([customer.id]);
	});

	test('the default limit is 100', () => {
		const check = parseQuery({ list: 'charges' }, specs);
		expect(check.ok && check.plan.verb === 'list' && check.plan.limit).toBe(100);
	});
});
