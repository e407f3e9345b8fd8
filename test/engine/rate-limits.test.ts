/**
 * Stripe's rate limits as Stripe states them (docs.stripe.com/rate-limits): 100 requests/s live and
 * 25/s in a sandbox per account, 25/s per endpoint, 20/s for search. The endpoint a request counts
 * against is checked against Stripe's own endpoint table (the stripe package's, via the contract);
 * the emulator enforces the limits, and the transport's pace keeps under every one of them.
 */
import Stripe from 'stripe';

import { endpointOf } from '../../nodes/shared/transport/endpoint';
import { contract } from '../emulator/contract';
import type { RequestLogEntry } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

jest.setTimeout(60_000);
const emulator = useEmulator({ latencyMs: 20 });
beforeEach(() => emulator().reset());

/** Most requests that arrived within any one second, per group. */
function busiest(
	requests: RequestLogEntry[],
	groupOf: (r: RequestLogEntry) => string = () => '',
): number {
	const groups = new Map<string, number[]>();
	for (const r of requests) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r.time]);
	let most = 0;
	for (const times of groups.values()) {
		times.sort((a, b) => a - b);
		for (let i = 0, j = 0; i < times.length; i++) {
			while (times[i] - times[j] >= 1000) j++;
			most = Math.max(most, i - j + 1);
		}
	}
	return most;
}
const endpointOfEntry = (r: RequestLogEntry) => endpointOf(r.method, r.path);
test(
	"the endpoint a request counts against is Stripe's: " +
		"every v1 endpoint of the stripe package's table",
	() => {
		const v1 = contract.endpoints.filter((e) => e.path.startsWith('/v1/'));
		expect(v1.length).toBeGreaterThan(500);
		const disagreements = v1
			.map((e) => ({
				want: `${e.method} ${e.path.replace(/\{[^}]+\}/g, '{id}')}`,
				got: endpointOf(e.method, e.path.replace(/\{[^}]+\}/g, 'xx_1NffrFeUfNV2Hib')),
			}))
			.filter(({ want, got }) => want !== got);
		expect(disagreements).toEqual([]);
		// Custom IDs are IDs too: a product may be called "gold".
		expect(endpointOf('GET', '/v1/products/gold')).toBe('GET /v1/products/{id}');
		expect(endpointOf('GET', '/v1/customers/search?query=x')).toBe('GET /v1/customers/search');
	},
);

describe('the emulator limits as Stripe does', () => {
	const burst = (count: number, call: () => Promise<unknown>) =>
		Promise.allSettled(Array.from({ length: count }, call));

	/** At most a full bucket plus what refills while the requests arrive. */
	const allowed = (requests: RequestLogEntry[], limit: number) => {
		const times = requests.map((r) => r.time);
		return limit + Math.ceil(((Math.max(...times) - Math.min(...times)) / 1000) * limit);
	};

	test(
		'one endpoint: 25 at once, then 25 per second; the rest are 429s ' +
			'naming the endpoint limit; another endpoint is not held back',
		async () => {
			const e = emulator();
			const stripe = new Stripe(e.keys.liveRead, { maxNetworkRetries: 0 });
			const customer = e.create<{ id: string }>('customer', 'live', {});
			await burst(60, () => stripe.customers.retrieve(customer.id));
			const gets = e.requests.filter((r) => r.path.startsWith('/v1/customers/'));
			const limited = gets.filter((r) => r.status === 429);
			expect(limited.length).toBeGreaterThan(0);
			expect(limited.every((r) => r.rateLimited === 'endpoint-rate')).toBe(true);
			expect(gets.length - limited.length).toBeLessThanOrEqual(allowed(gets, 25));
			await expect(stripe.products.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
		},
	);

	test('a sandbox account: 25 per second across endpoints, shared by its keys', async () => {
		const e = emulator();
		const a = new Stripe(e.keys.testRead, { maxNetworkRetries: 0 });
		const b = new Stripe(e.addKey({ mode: 'test', permissions: 'read' }), { maxNetworkRetries: 0 });
		await Promise.all([
			burst(20, () => a.customers.list({ limit: 1 })),
			burst(20, () => b.products.list({ limit: 1 })),
		]);
		const limited = e.requests.filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		expect(limited.every((r) => r.rateLimited === 'global-rate')).toBe(true);
		expect(e.requests.length - limited.length).toBeLessThanOrEqual(allowed(e.requests, 25));
	});

	test('search: 20 per second', async () => {
		const e = emulator();
		const stripe = new Stripe(e.keys.liveRead, { maxNetworkRetries: 0 });
		await Promise.all([
			burst(15, () => stripe.customers.search({ query: "email:'a@example.com'" })),
			burst(15, () => stripe.products.search({ query: "active:'true'" })),
		]);
		const limited = e.requests.filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		expect(limited.every((r) => r.rateLimited === 'search-rate')).toBe(true);
		expect(e.requests.length - limited.length).toBeLessThanOrEqual(allowed(e.requests, 20));
	});
});

describe("the transport keeps under every limit: Stripe Guard's items, paced", () => {
	test(
		'120 gets of one endpoint with a live key: ' +
			'just under 25/s per endpoint, not 95/s, and no 429',
		async () => {
			const e = emulator();
			const ids = Array.from(
				{ length: 120 },
				(_, i) => e.create<{ id: string }>('customer', 'live', { name: `Customer ${i}` }).id,
			);
			const run = await runStripeGuard({
				parameters: {
					resource: 'customer',
					operation: 'get',
					customerId: '={{ $json.id }}',
				} as never,
				items: ids.map((id) => ({ id })),
				credential: { apiKey: e.keys.liveRead, environment: 'live' },
			});
			expect(run.status).toBe('success');
			expect(run.items.map((i) => i.json.id)).toEqual(ids);
			expect(e.requests.filter((r) => r.status === 429)).toEqual([]);
			// Paced at the endpoint's limit, not the key's 95/s
			// (a stall under load may bunch a few arrivals).
			expect(busiest(e.requests)).toBeLessThan(35);
		},
	);

	test(
		'a mixed workload over six endpoints with a live key: the key goes ' +
			'past one endpoint’s limit, each endpoint stays under its own, no 429',
		async () => {
			const e = emulator();
			const made = (type: 'customer' | 'product' | 'price' | 'invoice' | 'charge' | 'refund') =>
				e.create<{ id: string }>(type, 'live', {}).id;
			const plural = {
				customer: 'customers',
				product: 'products',
				price: 'prices',
				invoice: 'invoices',
				charge: 'charges',
				refund: 'refunds',
			} as const;
			const queries = Array.from({ length: 240 }, (_, i) => {
				const type = (Object.keys(plural) as Array<keyof typeof plural>)[i % 6];
				return { query: JSON.stringify({ get: plural[type], id: made(type) }) };
			});
			const run = await runStripeGuard({
				parameters: { resource: 'query', operation: 'run', query: '={{ $json.query }}' } as never,
				items: queries,
				credential: { apiKey: e.keys.liveRead, environment: 'live' },
			});
			expect(run.status).toBe('success');
			expect(run.items).toHaveLength(240);
			expect(e.requests.filter((r) => r.status === 429)).toEqual([]);
			// Stripe's limiter (token buckets, in the emulator) refused nothing: that is the guarantee.
			// Counted in sliding seconds, arrivals may bunch a little around the pace; each endpoint's
			// stay near its 24/s, far from the key's 95/s.
			expect(busiest(e.requests, endpointOfEntry)).toBeLessThan(35);
			// More than one endpoint's worth in a second: the key's pace, not one lane, set the speed.
			expect(busiest(e.requests)).toBeGreaterThan(25);
		},
	);
});
