/**
 * What a model reads back from Stripe Guard tools, through n8n-core's tool path (agent-tools.ts):
 * a list cut at the tool limit says so and how to read on, with only what the tool's inputs
 * allow; an empty result is an explicit empty list with a sentence, never n8n's `""`.
 */
import type { IDataObject } from 'n8n-workflow';

import { fromAI, runAgent, toolName, type ToolAnswer } from './agent-tools';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();
beforeEach(() => emulator().reset());

interface Listing {
	results: IDataObject[];
	more_available: boolean;
	note?: string;
}

/** The model's view of one answer: the JSON array n8n hands it, here of one listing. */
function listing(answer: ToolAnswer): Listing {
	if ('error' in answer) throw new Error(`the tool failed: ${answer.error}`);
	const items = JSON.parse(answer.text) as Listing[];
	expect(items).toHaveLength(1);
	return items[0];
}

const QUERY = fromAI('query', 'A Stripe Guard JSON query', 'string');

async function ask(parameters: IDataObject, args: IDataObject = {}) {
	const { answers } = await runAgent({
		tools: { Stripe: parameters as never },
		calls: [{ tool: toolName('Stripe'), args }],
		credential: { apiKey: emulator().keys.testRead },
	});
	return answers[0];
}

describe('a list cut at the tool limit says so to the model', () => {
	// Three a second: reading on by creation time repeats the last second's, misses none.
	const start = Math.floor(Date.now() / 1000) - 3600;
	beforeEach(() =>
		emulator().createMany('customer', 'test', 127, (i) => ({ created: start + Math.floor(i / 3) })),
	);

	test('List (Return All): 100 of 127 customers, more available, and how to read on', async () => {
		const seen = listing(
			await ask(
				{
					resource: 'customer',
					operation: 'list',
					returnAll: true,
					filters: { createdBefore: fromAI('created_before', 'Only those created before') },
				},
				{ created_before: '2999-01-01T00:00:00Z' },
			),
		);
		expect(seen.results).toHaveLength(100);
		expect(seen.more_available).toBe(true);
		expect(seen.note).toMatch(/^These are the first 100 customers, newest first; Stripe has more/);
		// The way on names the input the model has, with the value that reads the next ones.
		const next = /created_before set to (\S+) /.exec(seen.note!)![1];
		const again = listing(
			await ask(
				{
					resource: 'customer',
					operation: 'list',
					returnAll: true,
					filters: { createdBefore: fromAI('created_before', 'Only those created before') },
				},
				{ created_before: next },
			),
		);
		const ids = new Set([...seen.results, ...again.results].map((c) => c.id));
		expect(ids.size).toBe(127);
	});

	test('a List with no inputs says it cannot read on, and names no input it lacks', async () => {
		const seen = listing(await ask({ resource: 'customer', operation: 'list', limit: 100 }));
		expect(seen.results).toHaveLength(100);
		expect(seen.more_available).toBe(true);
		expect(seen.note).toMatch(/This tool has no input to narrow the list or read on/);
	});

	test('a List under its limit is whole: more_available false, no note', async () => {
		const seen = listing(await ask({ resource: 'customer', operation: 'list', limit: 100 }));
		expect(seen.more_available).toBe(true);
		emulator().reset();
		emulator().createMany('customer', 'test', 3);
		const whole = listing(await ask({ resource: 'customer', operation: 'list', limit: 100 }));
		expect(whole).toEqual({ results: expect.any(Array), more_available: false });
		expect(whole.results).toHaveLength(3);
	});

	test('the Query: 100 of 127, and the filter that reads the next ones works', async () => {
		const seen = listing(
			await ask(
				{ resource: 'query', operation: 'run', query: QUERY },
				{ query: JSON.stringify({ list: 'customers', limit: 1000 }) },
			),
		);
		expect(seen.results).toHaveLength(100);
		expect(seen.more_available).toBe(true);
		const lte = /"created": \{"lte": (\d+)\}/.exec(seen.note!);
		expect(lte).not.toBeNull();
		const again = listing(
			await ask(
				{ resource: 'query', operation: 'run', query: QUERY },
				{
					query: JSON.stringify({
						list: 'customers',
						limit: 1000,
						filters: { created: { lte: Number(lte![1]) } },
					}),
				},
			),
		);
		const ids = new Set([...seen.results, ...again.results].map((c) => c.id));
		expect(ids.size).toBe(127);
	});

	test('a Query with a small limit says a higher limit returns more', async () => {
		const seen = listing(
			await ask(
				{ resource: 'query', operation: 'run', query: QUERY },
				{ query: JSON.stringify({ list: 'customers', limit: 10 }) },
			),
		);
		expect(seen.results).toHaveLength(10);
		expect(seen.note).toMatch(/A "limit" up to 100 returns more at once/);
	});
});

describe('an empty result is an explicit empty list with a sentence', () => {
	const cases: Array<[string, IDataObject, IDataObject]> = [
		['List', { resource: 'invoice', operation: 'list' }, {}],
		[
			'Search',
			{ resource: 'customer', operation: 'search', query: fromAI('q') },
			{ q: "email:'nobody@example.com'" },
		],
		[
			'Query list',
			{ resource: 'query', operation: 'run', query: QUERY },
			{ query: '{"list": "refunds"}' },
		],
		[
			'Query search',
			{ resource: 'query', operation: 'run', query: QUERY },
			{ query: '{"search": "charges", "query": "status:\'failed\'"}' },
		],
	];
	test.each(cases)('%s', async (_name, parameters, args) => {
		const answer = await ask(parameters, args);
		expect('text' in answer && answer.text).not.toBe('""');
		const seen = listing(answer);
		expect(seen.results).toEqual([]);
		expect(seen.more_available).toBe(false);
		expect(seen.note).toMatch(/^No [a-z ]+ matched\.$/);
	});

	test('reports always answer with one item, also over an empty account', async () => {
		for (const operation of [
			'mrr',
			'revenue',
			'subscriptionMovements',
			'subscriptionMetrics',
			'cohorts',
			'failedPayments',
			'payouts',
		]) {
			const answer = await ask({ resource: 'report', operation });
			if ('error' in answer) throw new Error(`${operation}: ${answer.error}`);
			const items = JSON.parse(answer.text) as IDataObject[];
			expect({ operation, items: items.length }).toEqual({ operation, items: 1 });
		}
	});
});

test('in a workflow nothing changes: rows are items, an empty list is no items', async () => {
	emulator().createMany('customer', 'test', 3);
	const run = await runStripeGuard({
		parameters: { resource: 'customer', operation: 'list' },
		credential: { apiKey: emulator().keys.testRead },
	});
	expect(run.items).toHaveLength(3);
	const none = await runStripeGuard({
		parameters: { resource: 'invoice', operation: 'list' },
		credential: { apiKey: emulator().keys.testRead },
	});
	expect(none.items).toEqual([]);
});
