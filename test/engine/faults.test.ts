/**
 * A bad day at Stripe, played by the emulator: 429 storms, 5xx bursts, connections dropped in the
 * middle of a list, answers slower than the timeout, malformed bodies. Reads end with exactly the
 * rows a fault-free run returns, or with a clear error naming the item; approved writes happen
 * once per idempotency key; no unhandled rejection, no stack trace and no key reach the user.
 */
import type { FaultRule } from '../emulator';
import { runApproval, startReceiver } from './approval-harness';
import { inOneSecond, useEmulator } from './emulator-context';
import { runStripeGuard, type NodeRun } from './harness';

// Short enough that "slower than the timeout" fits a test, long enough for a page of 100: the
// node's Request Timeout (Seconds).
const TIMEOUT_MS = 1500;
const emulator = useEmulator({ seed: 'none' });
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let baseline: string[];

beforeAll(() => {
	process.on('unhandledRejection', onUnhandled);
	emulator().createMany(
		'customer',
		'test',
		250,
		inOneSecond((i) => ({ name: `Customer ${i}`, email: `c${i}@example.com` })),
	);
	baseline = emulator()
		.list('customer', 'test')
		.map((c) => c.id);
});
afterAll(() => {
	process.off('unhandledRejection', onUnhandled);
	expect(unhandled).toEqual([]);
});
beforeEach(() => {
	emulator().clearFaults();
	emulator().clearRequests();
});

const listAll = () =>
	runStripeGuard({
		parameters: {
			resource: 'customer',
			operation: 'list',
			returnAll: true,
			maxRows: 1000,
			requestTimeout: TIMEOUT_MS / 1000,
		} as never,
		credential: { apiKey: emulator().keys.testRead },
	});

/** What a user sees of a failure: the message and description, without a stack trace or the key. */
function expectClearError(run: NodeRun) {
	expect(run.status).toBe('error');
	expect(run.error?.context?.itemIndex).toBe(0);
	const shown = `${run.error?.message ?? ''}\n${run.error?.description ?? ''}`;
	expect(shown).not.toMatch(/\n\s+at \S+ \(/);
	expect(shown).not.toContain(emulator().keys.testRead);
	return shown;
}

// The second page (after the first 100) is where each fault strikes: "mid-list".
const midList = (rule: FaultRule): FaultRule => ({
	pathPrefix: '/v1/customers',
	afterRequests: 1,
	...rule,
});

test.each([
	['a 429 storm', midList({ kind: 'rate_limit', count: 3 })],
	['a burst of 500s', midList({ kind: 'server_error', count: 3 })],
	['dropped connections', midList({ kind: 'drop_connection', count: 2 })],
	[
		'an answer slower than the timeout',
		midList({ kind: 'slow', count: 1, delayMs: TIMEOUT_MS + 1000 }),
	],
])('%s mid-list: the same 250 rows as without faults', async (_name, rule) => {
	emulator().addFault(rule);
	const run = await listAll();
	expect(run.status).toBe('success');
	expect(run.items.map((i) => i.json.id)).toEqual(baseline);
	// The retries were real: the fault struck and the page was asked for again (a slow answer
	// too: the node's Request Timeout of 1.5 s gave up on it), once for each fault.
	expect(emulator().requests.filter((r) => r.fault).length).toBe(rule.count);
	// Three pages of the one second the rows were created in, and the window below that second.
	expect(emulator().requests).toHaveLength(3 + 1 + rule.count!);
});

test('a Request Timeout that is not above 0 is refused before any request', async () => {
	const run = await runStripeGuard({
		parameters: { resource: 'customer', operation: 'list', requestTimeout: 0 } as never,
		credential: { apiKey: emulator().keys.testRead },
	});
	expect(run.status).toBe('error');
	expect(run.error?.message).toBe(
		'Request Timeout (Seconds) must be a number of seconds above 0, not 0',
	);
	expect(emulator().requests).toHaveLength(0);
});

test('a malformed body ends in a clear error naming the item', async () => {
	emulator().addFault(midList({ kind: 'malformed_body', count: 1 }));
	const shown = expectClearError(await listAll());
	expect(shown).toContain('Invalid JSON received from the Stripe API');
	expect(shown).toContain('run the node again, or turn on Retry On Fail');
});

test(
	'a fault that does not pass ends in a clear ' + 'error naming the item, after the retries',
	async () => {
		emulator().addFault(midList({ kind: 'server_error' }));
		const shown = expectClearError(await listAll());
		expect(shown).toContain('Stripe could not answer properly, even after retries');
		// The first page and then five tries (one and four retries) at the
		// second page or at the window below the rows' second, both on
		// their way at once, whichever ran out first; no more after that.
		const requests = emulator().requests;
		const tries = new Map<string, number>();
		for (const r of requests.slice(1))
			tries.set(JSON.stringify(r.query), (tries.get(JSON.stringify(r.query)) ?? 0) + 1);
		expect(Math.max(...tries.values())).toBe(5);
		expect(requests.length).toBeLessThanOrEqual(1 + 5 + 5);
	},
);

// The approval node runs with the default request timeout (30 s): a request that outlives it is
// played by `lost_answer`, which is what a timeout leaves behind: Stripe wrote it, no answer came.
test(
	'an approved refund whose answer is lost (as after a timeout) ' +
		'or whose connection drops is written once',
	async () => {
		const receiver = await startReceiver();
		try {
			const e = emulator();
			const writer = { apiKey: e.keys.testWrite, allowWrites: true };
			const charges = [0, 1].map(() =>
				e.create<{ id: string }>('charge', 'test', {
					amount: 5000,
					amount_refunded: 0,
					currency: 'usd',
				}),
			);
			const proposals = [];
			for (const charge of charges) {
				const run = await runStripeGuard({
					parameters: {
						resource: 'refund',
						operation: 'create',
						chargeId: charge.id,
						additionalFields: { amount: 700 },
					},
					credential: writer,
				});
				proposals.push(run.items[0].json);
			}
			const approval = await runApproval({
				proposals,
				credential: writer,
				parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
			});
			const approve = /Review and decide: (\S+)/.exec(receiver.messages[0].text)![1];
			// The first refund is written but its answer never
			// arrives; the second's connection drops before.
			e.addFault({ kind: 'lost_answer', method: 'POST', pathPrefix: '/v1/refunds', count: 1 });
			// (A request taken by the first fault is not counted by
			// the second: its count starts at the first's retry.)
			e.addFault({
				kind: 'drop_connection',
				method: 'POST',
				pathPrefix: '/v1/refunds',
				afterRequests: 1,
				count: 1,
			});
			const approved = await approval.open(approve, 'POST', {
				approver: 'Ada Lovelace',
				decision: 'approve',
			});
			expect(approved.resumed?.status).toBe('success');
			expect(
				e
					.list('refund', 'test')
					.map((r) => r.charge)
					.sort(),
			).toEqual(charges.map((c) => c.id).sort());
			const posts = e.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
			const keys = new Set(posts.map((r) => r.idempotencyKey));
			expect(keys.size).toBe(2);
			for (const key of keys) {
				const written = posts.filter(
					(r) => r.idempotencyKey === key && r.status === 200 && !r.replayed,
				);
				expect(written).toHaveLength(1);
			}
			// Both faults struck, one on each refund, so there were retries.
			expect(posts.filter((r) => r.fault).map((r) => [r.fault, r.idempotencyKey])).toEqual([
				['lost_answer', posts[0].idempotencyKey],
				['drop_connection', expect.not.stringMatching(`^${posts[0].idempotencyKey}$`)],
			]);
			expect(posts).toHaveLength(4);
		} finally {
			await receiver.stop();
		}
	},
);
