/**
 * Many input items through n8n-core against an emulator that enforces Stripe's per-key rate limit:
 * items run in parallel under the key's pace, output keeps item order and pairing, 429s are
 * ridden out, a lower pace is honoured, and a failing item is named.
 */
import type { IDataObject } from 'n8n-workflow';

import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

// A fresh process starts below the key's pace and climbs (slow start): the runs here take seconds.
jest.setTimeout(30_000);
const emulator = useEmulator({ latencyMs: 20 });

function customers(count: number): string[] {
	const e = emulator();
	return Array.from(
		{ length: count },
		(_, i) => e.create<{ id: string }>('customer', 'test', { name: `Customer ${i}` }).id,
	);
}

const get = (ids: string[], apiKey: string, extra: IDataObject = {}, continueOnFail = false) =>
	runStripeGuard({
		parameters: {
			resource: 'customer',
			operation: 'get',
			customerId: '={{ $json.id }}',
			...extra,
		} as never,
		items: ids.map((id) => ({ id })),
		credential: { apiKey },
		continueOnFail,
	});

/** Most requests that arrived within any one second. */
function busiestSecond(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; i < sorted.length; i++) {
		while (sorted[i] - sorted[j] >= 1000) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}

beforeEach(() => emulator().reset());

test(
	'80 items at the test-mode limit (25/s): ' + 'every one answered, in order, paired, with no 429',
	async () => {
		const e = emulator();
		const key = e.addKey({ mode: 'test', permissions: 'read', rateLimitPerSecond: 25 });
		const ids = customers(80);
		const run = await get(ids, key);
		expect(run.status).toBe('success');
		expect(run.items.map((i) => i.json.id)).toEqual(ids);
		expect(run.items.map((i) => i.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
		// Stripe's limiter (the emulator's token buckets) saw nothing over the limit...
		expect(e.requests.filter((r) => r.status === 429)).toEqual([]);
		// ...and the pace held: on a busy machine a stall may bunch a few arrivals, never the starts.
		expect(busiestSecond(e.requests.map((r) => r.time))).toBeLessThan(35);
	},
);

test('Max Requests per Second lowers the pace', async () => {
	const e = emulator();
	const ids = customers(12);
	const run = await get(ids, e.keys.testRead, { maxRequestsPerSecond: 5 });
	expect(run.status).toBe('success');
	expect(run.items).toHaveLength(12);
	// Starts at least 200 ms apart: never more than 5 in a second (one more for the window's edge).
	expect(busiestSecond(e.requests.map((r) => r.time))).toBeLessThanOrEqual(6);
});

test('a storm of 429s is ridden out: nothing fails, nothing is missing or doubled', async () => {
	const e = emulator();
	const ids = customers(30);
	e.addFault({ kind: 'rate_limit', count: 12, pathPrefix: '/v1/customers/' });
	const run = await get(ids, e.keys.testRead);
	expect(run.status).toBe('success');
	expect(run.items.map((i) => i.json.id)).toEqual(ids);
	expect(e.requests.filter((r) => r.status === 429)).toHaveLength(12);
	expect(e.requests.filter((r) => r.status === 200)).toHaveLength(30);
});

test(
	'without Continue On Fail the first failing item is named; ' +
		'with it, the failure takes its place',
	async () => {
		const e = emulator();
		const ids = customers(20);
		ids[7] = 'cus_doesNotExist07';
		ids[13] = 'cus_doesNotExist13';
		const stopped = await get(ids, e.keys.testRead);
		expect(stopped.status).toBe('error');
		expect(stopped.error?.context?.itemIndex).toBe(7);
		expect(stopped.error?.message).toContain('cus_doesNotExist07');

		const continued = await get(ids, e.keys.testRead, {}, true);
		expect(continued.status).toBe('success');
		expect(continued.items).toHaveLength(20);
		expect(continued.items[7].json.error).toContain('cus_doesNotExist07');
		expect(continued.items[13].json.error).toContain('cus_doesNotExist13');
		expect(continued.items[8].json.id).toBe(ids[8]);
	},
);

test(
	"n8n's Retry On Fail still works: " +
		"when the transport's retries are spent, n8n runs the node again",
	async () => {
		const e = emulator();
		const ids = customers(1);
		// The first try's request and its four retries fail; n8n's second try gets through.
		e.addFault({ kind: 'server_error', count: 5, pathPrefix: '/v1/customers/' });
		const withoutRetry = await get(ids, e.keys.testRead);
		expect(withoutRetry.status).toBe('error');

		e.clearRequests();
		e.addFault({ kind: 'server_error', count: 5, pathPrefix: '/v1/customers/' });
		const run = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: '={{ $json.id }}',
			} as never,
			items: ids.map((id) => ({ id })),
			credential: { apiKey: e.keys.testRead },
			retryOnFail: 2,
		});
		expect(run.status).toBe('success');
		expect(run.items.map((i) => i.json.id)).toEqual(ids);
		expect(e.requests.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
	},
	60_000,
); // two rounds of the transport's backoff
