/**
 * A bad day at Stripe, played by the emulator: 429 storms, 5xx bursts, connections dropped in the
 * middle of a list, answers slower than the timeout, malformed bodies. Reads end with exactly the
 * rows a fault-free run returns, or with a clear error naming the item; approved writes happen
 * once per idempotency key; no unhandled rejection, no stack trace and no key reach the user.
 */
import type { FaultRule } from '../emulator';
import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type NodeRun } from './harness';

// Short enough that "slower than the timeout" fits a test, long enough for a page of 100.
const TIMEOUT_MS = 1500;
const emulator = useEmulator({ seed: 'none' });
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let baseline: string[];

beforeAll(() => {
	process.env.STRIPE_GUARD_TIMEOUT_MS = String(TIMEOUT_MS);
	process.on('unhandledRejection', onUnhandled);
	emulator().createMany('customer', 'test', 250, (i) => ({ name: `Customer ${i}`, email: `c${i}@example.com` }));
	baseline = emulator().list('customer', 'test').map((c) => c.id);
});
afterAll(() => {
	delete process.env.STRIPE_GUARD_TIMEOUT_MS;
	process.off('unhandledRejection', onUnhandled);
	expect(unhandled).toEqual([]);
});
beforeEach(() => {
	emulator().clearFaults();
	emulator().clearRequests();
});

const listAll = () =>
	runStripeGuard({ parameters: { resource: 'customer', operation: 'list', returnAll: true, maxRows: 1000 } as never, credential: { apiKey: emulator().keys.testRead } });

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
const midList = (rule: FaultRule): FaultRule => ({ pathPrefix: '/v1/customers', afterRequests: 1, ...rule });

test.each([
	['a 429 storm', midList({ kind: 'rate_limit', count: 3 })],
	['a burst of 500s', midList({ kind: 'server_error', count: 3 })],
	['dropped connections', midList({ kind: 'drop_connection', count: 2 })],
	['an answer slower than the timeout', midList({ kind: 'slow', count: 1, delayMs: TIMEOUT_MS + 1000 })],
])('%s mid-list: the same 250 rows as without faults', async (_name, rule) => {
	emulator().addFault(rule);
	const run = await listAll();
	expect(run.status).toBe('success');
	expect(run.items.map((i) => i.json.id)).toEqual(baseline);
	// The retries were real: the fault struck and the page was asked for again.
	expect(emulator().requests.filter((r) => r.fault).length).toBe(rule.count);
});

test('a malformed body ends in a clear error naming the item', async () => {
	emulator().addFault(midList({ kind: 'malformed_body', count: 1 }));
	const shown = expectClearError(await listAll());
	expect(shown).toContain('Invalid JSON received from the Stripe API');
	expect(shown).toContain('run the node again, or turn on Retry On Fail');
});

test('a fault that does not pass ends in a clear error naming the item, after the retries', async () => {
	emulator().addFault(midList({ kind: 'server_error' }));
	const shown = expectClearError(await listAll());
	expect(shown).toContain('Stripe could not answer properly, even after retries');
	// The first page and then five tries at the second (one and four retries), no more.
	expect(emulator().requests).toHaveLength(6);
});

test('an approved refund whose request times out or whose connection drops is written once', async () => {
	const receiver = await startReceiver();
	try {
		const e = emulator();
		const writer = { apiKey: e.keys.testWrite, allowWrites: true };
		const charges = [0, 1].map(() => e.create<{ id: string }>('charge', 'test', { amount: 5000, amount_refunded: 0, currency: 'usd' }));
		const proposals = [];
		for (const charge of charges) {
			const run = await runStripeGuard({ parameters: { resource: 'refund', operation: 'create', chargeId: charge.id, additionalFields: { amount: 700 } }, credential: writer });
			proposals.push(run.items[0].json);
		}
		const approval = await runApproval({ proposals, credential: writer, parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' } });
		const approve = /Review and decide: (\S+)/.exec(receiver.messages[0].text)![1];
		// The first refund's answer comes after the timeout (Stripe did write it); the second's connection drops before.
		e.addFault({ kind: 'slow', method: 'POST', pathPrefix: '/v1/refunds', count: 1, delayMs: TIMEOUT_MS + 1000 });
		e.addFault({ kind: 'drop_connection', method: 'POST', pathPrefix: '/v1/refunds', afterRequests: 2, count: 1 });
		const approved = await approval.open(approve, 'POST', { approver: 'Ada Lovelace', decision: 'approve' });
		expect(approved.resumed?.status).toBe('success');
		// Wait for the slow original to be answered, then count.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(e.list('refund', 'test').map((r) => r.charge).sort()).toEqual(charges.map((c) => c.id).sort());
		const posts = e.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
		const keys = new Set(posts.map((r) => r.idempotencyKey));
		expect(keys.size).toBe(2);
		for (const key of keys) {
			const written = posts.filter((r) => r.idempotencyKey === key && r.status === 200 && !r.replayed);
			expect(written).toHaveLength(1);
		}
		// Both faults struck, so there were retries.
		expect(posts.length).toBeGreaterThan(2);
	} finally {
		await receiver.stop();
	}
});
