/**
 * Stripe Guard version 3 through n8n-core against the emulator, next to the same parameters on
 * version 2: a report's tables only when asked for under Options, the request tuning (Parallel
 * Reading, Request Timeout) under Options, and the Query's JSON under a name of its own, so that
 * switching from Search carries nothing into it (n8n-workflow's own getNodeParameters).
 */
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { runAgent } from './agent-tools';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

jest.setTimeout(60_000);
const emulator = useEmulator({ seed: 'none' });
beforeEach(() => emulator().reset());

const description = new StripeGuard().description;
const run = (typeVersion: number, parameters: INodeParameters) =>
	runStripeGuard({ parameters, credential: { apiKey: emulator().keys.testRead }, typeVersion });
const TABLE_FIELDS = ['table_text', 'table_markdown', 'table_html'];
const tableFieldsOf = (json: object) => Object.keys(json).filter((k) => k.startsWith('table_'));

describe('Include Table', () => {
	test('a new report has no tables; Include Table in Options adds them; v2 has them', async () => {
		const mrr = { resource: 'report', operation: 'mrr' };
		const plain = await run(3, mrr);
		expect(plain.error).toBeUndefined();
		expect(tableFieldsOf(plain.items[0].json)).toEqual([]);
		expect(plain.items[0].json).toHaveProperty('by_currency');

		const asked = await run(3, { ...mrr, options: { includeTable: true } });
		expect(tableFieldsOf(asked.items[0].json)).toEqual(TABLE_FIELDS);

		const v2 = await run(2, mrr);
		expect(tableFieldsOf(v2.items[0].json)).toEqual(TABLE_FIELDS);
		// The figures are the same with or without tables.
		const { as_of: _a, ...withTables } = asked.items[0].json;
		const { as_of: _b, ...without } = plain.items[0].json;
		for (const field of TABLE_FIELDS) delete withTables[field];
		expect(withTables).toEqual(without);
	});

	test('items that differ only in Include Table get a report each', async () => {
		const result = await runStripeGuard({
			parameters: {
				resource: 'report',
				operation: 'mrr',
				options: { includeTable: '={{ $json.table }}' },
			},
			items: [{ table: true }, { table: false }, { table: true }],
			credential: { apiKey: emulator().keys.testRead },
			typeVersion: 3,
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => tableFieldsOf(i.json).length)).toEqual([3, 0]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([
			[{ item: 0 }, { item: 2 }],
			{ item: 1 },
		]);
	});
});

describe('Request tuning under Options', () => {
	test('Request Timeout is read from Options: 0 there is refused before any request', async () => {
		const refused = await run(3, {
			resource: 'customer',
			operation: 'list',
			options: { requestTimeout: 0 },
		});
		expect(refused.error?.message).toBe(
			'Request Timeout (Seconds) must be a number of seconds above 0, not 0',
		);
		expect(emulator().requests).toHaveLength(0);
		// Version 2's place for it is not version 3's: a value left there is not read.
		const leftOver = await run(3, { resource: 'customer', operation: 'list', requestTimeout: 0 });
		expect(leftOver.error).toBeUndefined();
	});

	test('Parallel Reading off in Options reads page after page; on, in windows', async () => {
		const now = Math.floor(Date.now() / 1000) - 2;
		emulator().createMany('customer', 'test', 3000, (i) => ({ created: now - i * 10_000 }));
		const customerQueries = () =>
			emulator()
				.requests.filter((r) => r.path === '/v1/customers')
				.map((r) => r.query);
		const list = { resource: 'customer', operation: 'list', returnAll: true, maxRows: 100_000 };

		const parallel = await run(3, list);
		expect(parallel.items).toHaveLength(3000);
		expect(customerQueries().some((q) => q.created !== undefined)).toBe(true);

		emulator().requests.length = 0;
		const sequential = await run(3, { ...list, options: { parallelReading: false } });
		expect(sequential.items.map((i) => i.json.id)).toEqual(parallel.items.map((i) => i.json.id));
		expect(customerQueries().map((q) => Object.keys(q).sort().join())).toEqual([
			'limit',
			...Array<string>(29).fill('limit,starting_after'),
		]);
	});
});

describe('The Query', () => {
	const searchThenQuery = (typeVersion: number) => {
		const node = { typeVersion };
		const search = NodeHelpers.getNodeParameters(
			description.properties,
			{ resource: 'customer', operation: 'search', query: "email:'ada@example.com'" },
			false,
			false,
			node,
			description,
		)!;
		// What the editor does when the resource and operation change: the values stay, n8n keeps
		// those of the parameters the new operation shows.
		return NodeHelpers.getNodeParameters(
			description.properties,
			{ ...search, resource: 'query', operation: 'run' },
			true,
			false,
			node,
			description,
		)!;
	};

	test("switching from Search leaves the Query's JSON as it was (v2 took the search)", () => {
		const v3 = searchThenQuery(3);
		expect(v3.query).toBeUndefined();
		expect(JSON.parse(v3.queryJson as string)).toEqual({
			list: 'subscriptions',
			filters: { status: 'active' },
			limit: 100,
		});
		expect(searchThenQuery(2).query).toBe("email:'ada@example.com'");
	});

	test('version 3 runs the JSON in queryJson; version 2 in query, as before', async () => {
		const customer = emulator().create<{ id: string }>('customer', 'test', { name: 'Ada' });
		const json = JSON.stringify({ get: 'customers', id: customer.id });
		const v3 = await run(3, { resource: 'query', operation: 'run', queryJson: json });
		expect(v3.error).toBeUndefined();
		expect(v3.items[0].json.id).toBe(customer.id);
		const v2 = await run(2, { resource: 'query', operation: 'run', query: json });
		expect(v2.items[0].json.id).toBe(customer.id);
	});

	test("an agent's Query tool on version 3 takes its JSON through queryJson", async () => {
		const customer = emulator().create<{ id: string }>('customer', 'test', { name: 'Ada' });
		const { tools, answers } = await runAgent({
			tools: {
				Query: { resource: 'query', operation: 'run', queryJson: "={{ $fromAI('query') }}" },
			},
			calls: [
				{ tool: 'Query', args: { query: JSON.stringify({ get: 'customers', id: customer.id }) } },
			],
			credential: { apiKey: emulator().keys.testRead },
			typeVersion: 3,
		});
		expect(tools[0].inputs).toEqual(['query']);
		const answer = answers[0];
		if ('error' in answer) throw new Error(answer.error);
		expect(answer.text).toContain(customer.id);
	});
});
