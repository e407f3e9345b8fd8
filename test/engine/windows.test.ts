/**
 * Parallel reading (nodes/shared/transport/windows.ts) through n8n-core against the emulator over
 * HTTPS, with Stripe's rate limits on: whatever the `created` distribution, a list read in windows
 * is what the emulator holds, in its order, each object once, within the request bound and without
 * a 429; objects created during the read are not in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import {
	PIECES_BASE,
	PIECES_PER_PAGE,
	WINDOW_CONCURRENCY,
	WINDOWED_LISTS,
} from '../../nodes/shared/transport/windows';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();
const DAY = 86_400;
const YEAR = 365 * DAY;

/**
 * Pages not full, read or still to come (one per open window), stay within 2 + 2 × (PIECES_BASE +
 * PIECES_PER_PAGE × pages) (see windows.ts): the sequential minimum plus 5 % and 43; a read that
 * stops early may also have read ahead a page per window, beyond the objects it took.
 */
const requestBound = (objects: number, stoppedEarly: boolean) =>
	Math.floor(
		(Math.ceil(objects / 100) + 2 + 2 * PIECES_BASE + (stoppedEarly ? WINDOW_CONCURRENCY : 0)) /
			(1 - 2 * PIECES_PER_PAGE),
	);

const customerRequests = () => emulator().requests.filter((r) => r.path === '/v1/customers');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

jest.setTimeout(600_000);

beforeEach(() => emulator().reset());

interface Cluster {
	/** Seconds before now. */
	at: number;
	count: number;
	/** Over how many seconds the cluster's objects are spread (0: all in one second). */
	spread: number;
}

function seed(clusters: Cluster[], now: number): void {
	for (const { at, count, spread } of clusters) {
		// A deterministic scatter inside the cluster; 0 spread:
		// many objects, more than a page, in one second.
		emulator().createMany('customer', 'test', count, (i) => ({
			created: now - at - (spread ? (i * 7919) % (spread + 1) : 0),
		}));
	}
}

/**
 * Runs a list and, once its first request is in, creates `during` customers (now, as Stripe would).
 */
async function listWhileCreating(parameters: IDataObject, during: number) {
	const e = emulator();
	const run = runStripeGuard({
		parameters: { resource: 'customer', operation: 'list', ...parameters },
		credential: { apiKey: e.keys.testRead },
	});
	let finished = false;
	void run.finally(() => (finished = true));
	if (during > 0) {
		while (!finished && customerRequests().length === 0) await sleep(2);
		e.createMany('customer', 'test', during);
	}
	return await run;
}

const cluster = fc.record({
	at: fc.oneof(fc.integer({ min: 0, max: 3 * YEAR }), fc.integer({ min: 0, max: 3 * DAY })),
	count: fc.integer({ min: 1, max: 450 }),
	spread: fc.oneof(
		fc.constant(0),
		fc.integer({ min: 1, max: 600 }),
		fc.integer({ min: 1, max: 120 * DAY }),
	),
});
const size = fc.oneof(
	fc.constant<IDataObject>({ returnAll: true, maxRows: 100_000 }),
	fc.integer({ min: 1, max: 1200 }).map((limit): IDataObject => ({ returnAll: false, limit })),
	fc.integer({ min: 1, max: 1200 }).map((maxRows): IDataObject => ({ returnAll: true, maxRows })),
);
const range = fc.option(
	fc.record({
		from: fc.option(fc.integer({ min: 0, max: 3 * YEAR }), { nil: undefined }),
		before: fc.option(fc.integer({ min: 0, max: 3 * YEAR }), { nil: undefined }),
	}),
	{ nil: undefined },
);

test(
	"property: every customer once, in Stripe's order, " +
		'none created during the read, within the request bound, no 429',
	async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(cluster, { maxLength: 5 }),
				fc.integer({ min: 0, max: 40 }),
				size,
				range,
				async (clusters, during, sizeParameters, userRange) => {
					const e = emulator();
					e.reset();
					const now = Math.floor(Date.now() / 1000) - 2;
					seed(clusters, now);
					const iso = (secondsAgo: number) => new Date((now - secondsAgo) * 1000).toISOString();
					const filters: IDataObject = {};
					if (userRange?.from !== undefined) filters.createdFrom = iso(userRange.from);
					if (userRange?.before !== undefined) filters.createdBefore = iso(userRange.before);
					const inRange = (created: number) =>
						(userRange?.from === undefined || created >= now - userRange.from) &&
						(userRange?.before === undefined || created < now - userRange.before);
					// What the emulator holds before the read, newest first: the oracle.
					const held = e.list('customer', 'test').filter((c) => inRange(c.created as number));
					const wanted = sizeParameters.returnAll
						? (sizeParameters.maxRows as number)
						: (sizeParameters.limit as number);

					const run = await listWhileCreating({ ...sizeParameters, filters }, during);

					expect(run.error).toBeUndefined();
					expect(run.items.map((i) => i.json.id)).toEqual(held.slice(0, wanted).map((c) => c.id));
					const requests = customerRequests();
					// Max Rows asks for one more, to say whether Stripe has more.
					const needed = Math.min(held.length, sizeParameters.returnAll ? wanted + 1 : wanted);
					expect(requests.length).toBeLessThanOrEqual(requestBound(needed, needed < held.length));
					expect(requests.filter((r) => r.status === 429)).toEqual([]);
				},
			),
			// WINDOWS_SEED and WINDOWS_PATH replay a failure fast-check
			// reported; shrinking is capped so a failure reports in time.
			{
				numRuns: Number(process.env.WINDOWS_RUNS || 30),
				...(process.env.WINDOWS_SEED
					? { seed: Number(process.env.WINDOWS_SEED), path: process.env.WINDOWS_PATH }
					: {}),
				interruptAfterTimeLimit: 240_000,
				markInterruptAsFailure: true,
			},
		);
	},
);

test(
	'a long list is read in windows, several at once, ' +
		'each its own range of seconds below the first page',
	async () => {
		const e = emulator();
		const now = Math.floor(Date.now() / 1000) - 2;
		seed([{ at: 0, count: 3000, spread: 2 * YEAR }], now);
		e.setLatency(30);
		try {
			const run = await listWhileCreating({ returnAll: true, maxRows: 100_000 }, 0);
			expect(run.items).toHaveLength(3000);
		} finally {
			e.setLatency(0);
		}
		const requests = customerRequests();
		expect(requests[0].query).toEqual({ limit: '100' });
		// Windows beyond the first have a range of their own; several were on their way at once.
		const windows = new Set(requests.slice(1).map((r) => JSON.stringify(r.query.created ?? {})));
		expect(windows.size).toBeGreaterThan(3);
		expect(requests.length).toBeLessThanOrEqual(requestBound(3000, false));
	},
);

// Bursts mislead the density a window's pages show: pieces cut below a burst come back empty or
// short. The bound holds by what windows cost (without it, reads like this took twice the bound).
test.each([
	[20, 3000],
	[30, 6000],
])(
	'%i one-hour bursts over two years, %i customers in all: ' +
		'every customer once, in order, within the request bound',
	async (bursts, count) => {
		const now = Math.floor(Date.now() / 1000) - 2;
		seed(
			Array.from({ length: bursts }, (_, k) => ({
				at: Math.floor((k * 2 * YEAR) / bursts),
				count: count / bursts,
				spread: 3600,
			})),
			now,
		);
		const run = await listWhileCreating({ returnAll: true, maxRows: 100_000 }, 0);
		expect(run.items.map((i) => i.json.id)).toEqual(
			emulator()
				.list('customer', 'test')
				.map((c) => c.id),
		);
		expect(customerRequests().length).toBeLessThanOrEqual(requestBound(count, false));
	},
);

// Where the account starts is unknown: pieces reaching back guess, and stop guessing at 2010.
test(
	'a short list of an account two years old guesses little: ' +
		'137 customers take at most 5 requests for 2 pages',
	async () => {
		const now = Math.floor(Date.now() / 1000) - 2;
		emulator().createMany('customer', 'test', 137, (i) => ({
			created: now - Math.floor((i * 2 * YEAR) / 137),
		}));
		const run = await listWhileCreating({ returnAll: true, maxRows: 100_000 }, 0);
		expect(run.items.map((i) => i.json.id)).toEqual(
			emulator()
				.list('customer', 'test')
				.map((c) => c.id),
		);
		expect(customerRequests().length).toBeLessThanOrEqual(5);
	},
);

test(
	'Parallel Reading off reads one page after another, ' + 'with the parameters as before',
	async () => {
		const now = Math.floor(Date.now() / 1000) - 2;
		seed([{ at: 0, count: 350, spread: YEAR }], now);
		const run = await listWhileCreating({ returnAll: true, parallelReading: false }, 0);
		expect(run.items.map((i) => i.json.id)).toEqual(
			emulator()
				.list('customer', 'test')
				.map((c) => c.id),
		);
		const requests = customerRequests();
		expect(requests.map((r) => Object.keys(r.query).sort().join())).toEqual([
			'limit',
			'limit,starting_after',
			'limit,starting_after',
			'limit,starting_after',
		]);
	},
);

test.each([
	[50, 1],
	[100, 1],
	[250, 4],
])(
	'a Limit of %i asks for at most %i pages, and nothing after the node is done',
	async (limit, pages) => {
		const now = Math.floor(Date.now() / 1000) - 2;
		seed([{ at: 0, count: 5000, spread: YEAR }], now);
		const run = await listWhileCreating({ returnAll: false, limit }, 0);
		expect(run.items).toHaveLength(limit);
		const count = customerRequests().length;
		expect(count).toBeLessThanOrEqual(pages);
		await sleep(300);
		expect(customerRequests()).toHaveLength(count);
	},
);

test(
	"subscriptions: Stripe's default (not canceled) " +
		'and status all read in windows as Stripe lists them',
	async () => {
		const e = emulator();
		const now = Math.floor(Date.now() / 1000) - 2;
		e.createMany('subscription', 'test', 900, (i) => ({
			created: now - ((i * 7919) % YEAR),
			status: i % 4 === 0 ? 'canceled' : 'active',
		}));
		for (const status of [undefined, 'all']) {
			e.clearRequests();
			const run = await runStripeGuard({
				parameters: {
					resource: 'subscription',
					operation: 'list',
					returnAll: true,
					filters: status ? { status } : {},
				},
				credential: { apiKey: e.keys.testRead },
			});
			const held = e
				.list('subscription', 'test')
				.filter((s) => status === 'all' || s.status !== 'canceled');
			expect(run.items.map((i) => i.json.id)).toEqual(held.map((s) => s.id));
			expect(e.requests.every((r) => status === undefined || r.query.status === 'all')).toBe(true);
		}
	},
);

test(
	'MRR read in parallel is the MRR read one page after another, ' +
		'unpriced items listed in the same order',
	async () => {
		const e = emulator();
		const now = Math.floor(Date.now() / 1000) - 2;
		const licensed = e.create('price', 'test', {
			currency: 'usd',
			unit_amount: 1000,
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
		const metered = e.create('price', 'test', {
			currency: 'usd',
			unit_amount: 5,
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'metered',
				meter: null,
				trial_period_days: null,
			},
		});
		// Some of one second, more than a page, and the rest spread over a year.
		e.createMany('subscription', 'test', 1500, (i) => ({
			created: i < 150 ? now - 100 : now - ((i * 7919) % YEAR),
			customer: `cus_mrr${i % 400}`,
			currency: 'usd',
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [
					{
						id: `si_mrr${i}`,
						object: 'subscription_item',
						quantity: i % 3 === 0 ? null : 1,
						discounts: [],
						price: i % 3 === 0 ? metered : licensed,
					},
				],
			},
		}));
		const report = async (parallelReading: boolean) => {
			const run = await runStripeGuard({
				parameters: { resource: 'report', operation: 'mrr', includeTable: false, parallelReading },
				credential: { apiKey: e.keys.testRead },
			});
			expect(run.error).toBeUndefined();
			const { as_of: _asOf, ...json } = run.items[0].json;
			return json;
		};
		const parallel = await report(true);
		expect((parallel.unpriced_items as IDataObject).count).toBe(500);
		expect(parallel).toEqual(await report(false));
	},
);

test(
	'the lists read in windows are the ones whose ' +
		"parameters Stripe's definitions give `created`",
	() => {
		const contract = JSON.parse(
			readFileSync(join(__dirname, '../emulator/contract/stripe-contract.json'), 'utf8'),
		) as {
			endpoints: Array<{ method: string; path: string; params?: { n?: string } }>;
			defs: Record<string, unknown>;
		};
		const paramsOf = (name: string): { props?: Record<string, unknown> } => {
			const def = contract.defs[name] as { t: string; n?: string; props?: Record<string, unknown> };
			return def.t === 'ref' && def.n ? paramsOf(def.n) : def;
		};
		for (const path of WINDOWED_LISTS) {
			const endpoint = contract.endpoints.find((x) => x.method === 'GET' && x.path === path);
			expect(endpoint?.params?.n).toBeDefined();
			expect({
				path,
				created: paramsOf(endpoint!.params!.n!).props?.created !== undefined,
			}).toEqual({
				path,
				created: true,
			});
		}
	},
);
