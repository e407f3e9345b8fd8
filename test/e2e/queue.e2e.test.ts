/**
 * Stripe Guard on n8n's distributed engine: queue mode with Redis and PostgreSQL from Debian's
 * packages on 127.0.0.1, one main and two workers sharing the database. 50 concurrent report
 * executions succeed; the trigger (polled by the main) emits each event once; an approval whose
 * worker is gone is resumed on the other worker and writes once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { executionStatus as statusOf, waitFor } from './polling';

const runtime = require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');
const queue = require('../../scripts/queue-mode.js') as typeof import('../../scripts/queue-mode.js');

jest.setTimeout(15 * 60_000);

const PORTS = { main: 5694, postgres: 55432, redis: 56379 };
const WORKERS = [
	{ name: 'worker A', healthPort: 5695, brokerPort: 5697 },
	{ name: 'worker B', healthPort: 5696, brokerPort: 5698 },
];
const READ = { id: 'sgQueueRead000001', name: 'Stripe Guard (read)' };
const WRITE = { id: 'sgQueueWrite00001', name: 'Stripe Guard (writes)' };

let emulator: StripeEmulator;
let slack: Awaited<ReturnType<typeof startReceiver>>;
let approvals: Awaited<ReturnType<typeof startReceiver>>;
let postgres: Awaited<ReturnType<typeof queue.startPostgres>>;
let redis: Awaited<ReturnType<typeof queue.startRedis>>;
let main: Awaited<ReturnType<typeof runtime.startServer>>;
const workers: Array<Awaited<ReturnType<typeof runtime.startServer>>> = [];
let cookie: string;
let userFolder: string;

const node = (name: string, type: string, parameters: Record<string, unknown>, position: [number, number], extra: Record<string, unknown> = {}) => ({ id: `n-${name.replace(/\W/g, '')}`, name, type, typeVersion: 1, position, parameters, ...extra });
const webhook = (path: string, responseMode: string) =>
	node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path, responseMode, responseData: 'firstEntryJson', options: {} }, [0, 0], { typeVersion: 2, webhookId: `${path}-0000-4000-8000-000000000000`.slice(0, 36) });
const chain = (...names: string[]) => Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

const workflows = () => [
	{
		id: 'sgQueueReport0001',
		name: 'MRR on request',
		nodes: [webhook('sg-queue-mrr', 'lastNode'), node('MRR', 'n8n-nodes-stripe-guard.stripeGuard', { resource: 'report', operation: 'mrr', includeTable: false }, [220, 0], { credentials: { stripeRestrictedKeyApi: READ } })],
		connections: chain('Webhook', 'MRR'),
	},
	{
		id: 'sgQueueTrigger001',
		name: 'New customers to Slack',
		nodes: [
			node('New customer', 'n8n-nodes-stripe-guard.stripeGuardTrigger', { pollTimes: { item: [{ mode: 'everyMinute' }] }, events: ['customer.created'], simplify: true }, [0, 0], { credentials: { stripeRestrictedKeyApi: READ } }),
			node('Post', 'n8n-nodes-base.httpRequest', { method: 'POST', url: slack.url, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify({ text: $json.object_id }) }}', options: {} }, [220, 0], { typeVersion: 4.2 }),
		],
		connections: chain('New customer', 'Post'),
	},
	{
		id: 'sgQueueApprove001',
		name: 'Refund with approval',
		nodes: [
			webhook('sg-queue-refund', 'onReceived'),
			node('Propose refund', 'n8n-nodes-stripe-guard.stripeGuard', { resource: 'refund', operation: 'create', chargeId: '={{ $json.body.chargeId }}', additionalFields: { amount: 300 } }, [220, 0], { credentials: { stripeRestrictedKeyApi: WRITE } }),
			node('Approval', 'n8n-nodes-stripe-guard.stripeGuardApproval', { operation: 'sendAndWait', webhookUrl: approvals.url, expireAfter: 1, expireUnit: 'hours' }, [440, 0], { credentials: { stripeRestrictedKeyApi: WRITE } }),
		],
		connections: chain('Webhook', 'Propose refund', 'Approval'),
	},
];

/** Which worker logged that it started the execution (`Worker started execution <id>`), each time it did. */
const ranOn = (executionId: string) => workers.map((w, i) => (new RegExp(`Worker started execution ${executionId} `).test(w.output()) ? i : -1)).filter((i) => i >= 0);

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	[slack, approvals] = await Promise.all([startReceiver(), startReceiver()]);
	[postgres, redis] = await Promise.all([queue.startPostgres({ port: PORTS.postgres }), queue.startRedis({ port: PORTS.redis })]);
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-queue-e2e-'));
	runtime.installPackage(userFolder);
	const base = runtime.n8nEnv(n8n, { userFolder, port: PORTS.main, extra: { STRIPE_GUARD_API_BASE_URL: emulator.url, N8N_LOG_LEVEL: 'info' } });
	const stores = { postgresPort: postgres.port, redisPort: redis.port };
	const mainEnv = queue.queueEnv(base, stores);
	await runtime.importCredentials(n8n, mainEnv, [
		{ ...READ, type: 'stripeRestrictedKeyApi', data: { apiKey: emulator.keys.testRead, environment: 'test', accountId: '', allowWrites: false } },
		{ ...WRITE, type: 'stripeRestrictedKeyApi', data: { apiKey: emulator.keys.testWrite, environment: 'test', accountId: '', allowWrites: true } },
	]);
	for (const wf of workflows()) {
		await runtime.importWorkflow(n8n, mainEnv, { ...wf, active: false, settings: { executionOrder: 'v1' } });
		await runtime.publishWorkflow(n8n, mainEnv, wf.id);
	}
	emulator.clearRequests();
	main = await runtime.startServer(n8n, mainEnv);
	for (const w of WORKERS) workers.push(await queue.startWorker(n8n, queue.queueEnv(base, stores, w), w));
	({ cookie } = await runtime.setupOwner(main.url));
});

afterAll(async () => {
	await Promise.all([main?.stop(), ...workers.map((w) => w.stop())]);
	await Promise.all([postgres?.stop(), redis?.stop(), emulator?.stop(), slack?.stop(), approvals?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test('50 concurrent MRR reports all succeed, spread over both workers', async () => {
	const answers = await Promise.all(
		Array.from({ length: 50 }, async () => {
			const res = await fetch(`${main.url}/webhook/sg-queue-mrr`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
			return { status: res.status, body: (await res.json()) as { report?: string; by_currency?: Record<string, { mrr: number }> } };
		}),
	);
	expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
	expect(answers.every((a) => a.body.report === 'mrr')).toBe(true);
	// Every run saw the same account: the same figures.
	expect(new Set(answers.map((a) => JSON.stringify(a.body.by_currency))).size).toBe(1);
	for (const w of workers) expect(w.output()).toMatch(/Worker started execution \d+ /);
});

test('the trigger, polled by the main, emits each new event once', async () => {
	await waitFor('the first poll', () => (emulator.requests.some((r) => r.path === '/v1/events') ? true : undefined));
	const ids = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus'].map((name) => {
		const customer = emulator.create('customer', 'test', { name });
		emulator.create('event', 'test', { type: 'customer.created', data: { object: structuredClone(customer) } });
		return customer.id;
	});
	await waitFor('the minute poll', () => (slack.messages.length >= 5 ? true : undefined), 90_000);
	await new Promise((resolve) => setTimeout(resolve, 3000));
	expect(slack.messages.map((m) => m.text)).toEqual(ids);
});

test('an approval whose worker is gone is resumed on the other worker and writes once', async () => {
	const charge = emulator.create('charge', 'test', { amount: 5000, amount_refunded: 0, currency: 'usd' });
	const res = await fetch(`${main.url}/webhook/sg-queue-refund`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ chargeId: charge.id }) });
	expect(res.status).toBe(200);
	const { text } = await waitFor('the approval request', () => approvals.messages[0], 90_000);
	const executionId = /execution (\S+)\. /.exec(text)![1];
	const approve = /Review and approve: (\S+)/.exec(text)![1];
	await waitFor('the execution to wait', async () => ((await statusOf(main.url, cookie, executionId)) === 'waiting' ? true : undefined));
	const [first] = ranOn(executionId);
	expect(first).toBeDefined();
	await workers[first].stop();

	const decision = await fetch(approve, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ approver: 'Ada Lovelace' }).toString() });
	expect(decision.status).toBe(200);
	await waitFor('the execution to finish', async () => ((await statusOf(main.url, cookie, executionId)) === 'success' ? true : undefined), 90_000);
	expect(ranOn(executionId)).toEqual([first, 1 - first]);
	expect(emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds')).toHaveLength(1);
	expect(emulator.list('refund', 'test').filter((r) => r.charge === charge.id)).toHaveLength(1);
});
