/**
 * Stripe Guard on n8n's distributed engine: queue mode with Redis and PostgreSQL from Debian's
 * packages on 127.0.0.1, one main and two workers sharing the database. 50 concurrent report
 * executions succeed; the trigger (polled by the main) emits each event once; an approval whose
 * worker is gone is resumed on the other worker and writes once; approve, approve and reject
 * submitted at the same moment make one decision, at most one write and one resumed run. Named
 * approvers above a two-approver limit, asked through a notification workflow, in a workflow that
 * comes back to the same approval node after the time limit: the workers store which request is
 * current with the execution, and the main, answering the links, decides for that request only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { expiredLoop, expiredLoopWorkflow } from './approval-scenarios';
import { executionRun, lastOutputs, executionStatus as statusOf, waitFor } from './polling';
import {
	approveAs,
	decide,
	reviewLinks,
	chain,
	customersToSlack,
	node,
	notifyToReceiver,
	refundWithApproval,
	webhook,
} from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');
const queue =
	require('../../scripts/queue-mode.js') as typeof import('../../scripts/queue-mode.js');

jest.setTimeout(15 * 60_000);

// Ports no other suite (nor `npm run start:queue`) uses, so suites
// can run side by side; the main's task broker takes main + 1000.
const PORTS = { main: 5700, postgres: 55436, redis: 56383 };
const WORKERS = [
	{ name: 'worker A', healthPort: 5701, brokerPort: 5703 },
	{ name: 'worker B', healthPort: 5702, brokerPort: 5704 },
];
const READ = { id: 'sgQueueRead000001', name: 'Stripe Guard (read)' };
const WRITE = { id: 'sgQueueWrite00001', name: 'Stripe Guard (writes)' };

let emulator: StripeEmulator;
let slack: Awaited<ReturnType<typeof startReceiver>>;
let approvals: Awaited<ReturnType<typeof startReceiver>>;
/** What the notification workflow sends each named approver. */
let notified: Awaited<ReturnType<typeof startReceiver>>;
let postgres: Awaited<ReturnType<typeof queue.startPostgres>>;
let redis: Awaited<ReturnType<typeof queue.startRedis>>;
let main: Awaited<ReturnType<typeof runtime.startServer>>;
const workers: Array<Awaited<ReturnType<typeof runtime.startServer>>> = [];
let cookie: string;
let userFolder: string;

const workflows = () => [
	{
		id: 'sgQueueReport0001',
		name: 'MRR on request',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-queue-mrr', 'lastNode'),
			node(
				'MRR',
				'n8n-nodes-stripe-guard.stripeGuard',
				{ resource: 'report', operation: 'mrr', includeTable: false },
				[220, 0],
				{ credentials: { stripeRestrictedKeyApi: READ } },
			),
		],
		connections: chain('Webhook', 'MRR'),
	},
	customersToSlack('sgQueueTrigger001', slack.url, READ),
	refundWithApproval('sgQueueApprove001', 'sg-queue-refund', approvals.url, WRITE),
	notifyToReceiver('sgQueueNotify0001', notified.url),
	expiredLoopWorkflow('sgQueueLoop000001', 'sg-queue-loop', 'sgQueueNotify0001', WRITE),
];

/**
 * Which worker logged that it started the execution
 * (`Worker started execution <id>`), each time it did.
 */
/**
 * How many times any worker started the execution (its
 * first run until it waited, then each resumption).
 */
const runsOf = (executionId: string) =>
	workers.reduce(
		(n, w) =>
			n +
			(w.output().match(new RegExp(`Worker started execution ${executionId} `, 'g'))?.length ?? 0),
		0,
	);

const ranOn = (executionId: string) =>
	workers
		.map((w, i) =>
			new RegExp(`Worker started execution ${executionId} `).test(w.output()) ? i : -1,
		)
		.filter((i) => i >= 0);

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	[slack, approvals, notified] = await Promise.all([
		startReceiver(),
		startReceiver(),
		startReceiver(),
	]);
	[postgres, redis] = await Promise.all([
		queue.startPostgres({ port: PORTS.postgres }),
		queue.startRedis({ port: PORTS.redis }),
	]);
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-queue-e2e-'));
	runtime.installPackage(userFolder);
	const base = runtime.n8nEnv(n8n, {
		userFolder,
		port: PORTS.main,
		stripeEmulatorPort: emulator.port,
		extra: { N8N_LOG_LEVEL: 'info' },
	});
	const stores = { postgresPort: postgres.port, redisPort: redis.port };
	const mainEnv = queue.queueEnv(base, stores);
	await runtime.importCredentials(n8n, mainEnv, [
		{
			...READ,
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testRead,
				environment: 'test',
				accountId: '',
				allowWrites: false,
			},
		},
		{
			...WRITE,
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testWrite,
				environment: 'test',
				accountId: '',
				allowWrites: true,
			},
		},
	]);
	for (const wf of workflows()) {
		await runtime.importWorkflow(n8n, mainEnv, wf);
		await runtime.publishWorkflow(n8n, mainEnv, wf.id);
	}
	emulator.clearRequests();
	main = await runtime.startServer(n8n, mainEnv);
	for (const w of WORKERS)
		workers.push(await queue.startWorker(n8n, queue.queueEnv(base, stores, w), w));
	({ cookie } = await runtime.setupOwner(main.url));
});

afterAll(async () => {
	await Promise.all([main?.stop(), ...workers.map((w) => w.stop())]);
	await Promise.all([
		postgres?.stop(),
		redis?.stop(),
		emulator?.stop(),
		slack?.stop(),
		approvals?.stop(),
		notified?.stop(),
	]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test('50 concurrent MRR reports all succeed, spread over both workers', async () => {
	const answers = await Promise.all(
		Array.from({ length: 50 }, async () => {
			const res = await fetch(`${main.url}/webhook/sg-queue-mrr`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: '{}',
			});
			return {
				status: res.status,
				body: (await res.json()) as {
					report?: string;
					by_currency?: Record<string, { mrr: number }>;
				},
			};
		}),
	);
	expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
	expect(answers.every((a) => a.body.report === 'mrr')).toBe(true);
	// Every run saw the same account: the same figures.
	expect(new Set(answers.map((a) => JSON.stringify(a.body.by_currency))).size).toBe(1);
	for (const w of workers) expect(w.output()).toMatch(/Worker started execution \d+ /);
});

test('the trigger, polled by the main, emits each new event once', async () => {
	await waitFor('the first poll', () =>
		emulator.requests.some((r) => r.path === '/v1/events') ? true : undefined,
	);
	const ids = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus'].map((name) => {
		const customer = emulator.create('customer', 'test', { name });
		emulator.create('event', 'test', {
			type: 'customer.created',
			data: { object: structuredClone(customer) },
		});
		return customer.id;
	});
	await waitFor('the minute poll', () => (slack.messages.length >= 5 ? true : undefined), 90_000);
	await new Promise((resolve) => setTimeout(resolve, 3000));
	expect(slack.messages.map((m) => m.text)).toEqual(ids);
});

test(
	'two named approvers above the limit, the request expired and asked again by the same node, ' +
		'in queue mode: only approvals of the current request count, and it writes once',
	async () => {
		const executionId = await expiredLoop({
			serverUrl: main.url,
			cookie,
			emulator,
			receiver: notified,
			path: 'sg-queue-loop',
		});
		// Run three times, by whichever workers took it: until request 1 waited, resumed by the
		// time limit until request 2 waited, and resumed by the second approval of request 2.
		expect(runsOf(executionId)).toBe(3);
	},
);

test(
	'an approval whose worker is gone is resumed ' + 'on the other worker and writes once',
	async () => {
		const charge = emulator.create('charge', 'test', {
			amount: 5000,
			amount_refunded: 0,
			currency: 'usd',
		});
		const res = await fetch(`${main.url}/webhook/sg-queue-refund`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ chargeId: charge.id }),
		});
		expect(res.status).toBe(200);
		const { text } = await waitFor('the approval request', () => approvals.messages[0], 90_000);
		const executionId = /execution (\S+)\. /.exec(text)![1];
		const [{ url: approve }] = reviewLinks(text);
		await waitFor('the execution to wait', async () =>
			(await statusOf(main.url, cookie, executionId)) === 'waiting' ? true : undefined,
		);
		const [first] = ranOn(executionId);
		expect(first).toBeDefined();
		await workers[first].stop();

		const decision = await approveAs(approve, 'Ada Lovelace');
		expect(decision.status).toBe(200);
		await waitFor(
			'the execution to finish',
			async () =>
				(await statusOf(main.url, cookie, executionId)) === 'success' ? true : undefined,
			90_000,
		);
		// Both workers have now run it: the first until it waited, the other after the approval.
		expect(ranOn(executionId)).toEqual([0, 1]);
		expect(
			emulator.requests.filter(
				(r) => r.method === 'POST' && r.path === '/v1/refunds' && r.body.charge === charge.id,
			),
		).toHaveLength(1);
		expect(emulator.list('refund', 'test').filter((r) => r.charge === charge.id)).toHaveLength(1);
	},
);

/**
 * Starts an approval (a $3.00 refund of a new charge) in queue mode, posts the given decisions to
 * its link at the same moment, and checks: one decision page, the others 409 (ours "Already
 * decided", or n8n's "is running already"), the execution resumed once and finished, at most one
 * write that was not a replay, and the stored outputs hold the one decision.
 */
async function raceDecisions(
	submissions: Array<{ approver: string; decision: 'approve' | 'reject' }>,
) {
	const charge = emulator.create('charge', 'test', {
		amount: 5000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
	});
	const before = approvals.messages.length;
	const res = await fetch(`${main.url}/webhook/sg-queue-refund`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ chargeId: charge.id }),
	});
	expect(res.status).toBe(200);
	const { text } = await waitFor('the approval request', () => approvals.messages[before], 90_000);
	const executionId = /execution (\S+)\. /.exec(text)![1];
	const [{ url }] = reviewLinks(text);
	await waitFor('the execution to wait', async () =>
		(await statusOf(main.url, cookie, executionId)) === 'waiting' ? true : undefined,
	);
	const refundPosts = () =>
		emulator.requests.filter(
			(r) => r.method === 'POST' && r.path === '/v1/refunds' && r.body.charge === charge.id,
		);
	expect(refundPosts()).toEqual([]);

	const answers = await Promise.all(
		submissions.map(async (fields) => {
			const r = await decide(url, fields);
			return { fields, status: r.status, body: await r.text() };
		}),
	);
	// On failure, what each submission got back (the page's heading, or n8n's message).
	const report = answers.map((a) => {
		const said = /<h2>([^<]*)/.exec(a.body) ??
			/"message":"([^"]*)"/.exec(a.body) ?? ['', a.body.slice(0, 300)];
		return `${a.fields.approver}/${a.fields.decision}: ${a.status} ${said[1]}`;
	});
	const decisions = submissions.map(
		(f) => `${f.decision === 'approve' ? 'Approved' : 'Rejected'} by ${f.approver}`,
	);
	const decisionPage = new RegExp(`^(${decisions.join('|')})`);
	const decided = answers.filter(
		(a) =>
			a.status === 200 &&
			decisionPage.test((/<h2>([^<]*)/.exec(a.body) ?? ['', ''])[1]) &&
			!a.body.includes('Already decided'),
	);
	expect({ decided: decided.length, report }).toEqual({ decided: 1, report });
	for (const other of answers.filter((a) => a !== decided[0])) {
		expect({
			status: other.status,
			told: /Already decided|is running already/.test(other.body),
			report,
		}).toEqual({ status: 409, told: true, report });
	}
	const approved = decided[0].fields.decision === 'approve';

	await waitFor(
		'the execution to finish',
		async () => ((await statusOf(main.url, cookie, executionId)) === 'success' ? true : undefined),
		90_000,
	);
	// Give a duplicate resumption, if there were one, time to show.
	await new Promise((resolve) => setTimeout(resolve, 3000));
	expect(await statusOf(main.url, cookie, executionId)).toBe('success');
	// At most one write reached Stripe that was not a replay
	// of the same idempotency key, and it made one refund.
	expect(refundPosts().filter((r) => !r.replayed)).toHaveLength(approved ? 1 : 0);
	expect(emulator.list('refund', 'test').filter((r) => r.charge === charge.id)).toHaveLength(
		approved ? 1 : 0,
	);
	// Run twice in all: until it waited, and once resumed by the one decision.
	expect(runsOf(executionId)).toBe(2);
	const [expired, approvedItems, rejected, failed] = lastOutputs(
		await executionRun(main.url, cookie, executionId),
		'Approval',
	);
	expect([expired.length, approvedItems.length, rejected.length, failed.length]).toEqual(
		approved ? [0, 1, 0, 0] : [0, 0, 1, 0],
	);
	expect((approved ? approvedItems : rejected)[0].json.audit).toMatchObject({
		approver: decided[0].fields.approver,
		outcome: approved ? 'executed' : 'rejected',
	});
	return decided[0].fields;
}

test(
	'approve, approve and reject at the same moment in queue mode: ' +
		'one decision, the others told, at most one write, one resumed run',
	async () => {
		await raceDecisions([
			{ approver: 'Ada', decision: 'approve' },
			{ approver: 'Bob', decision: 'approve' },
			{ approver: 'Eve', decision: 'reject' },
		]);
	},
);

test(
	'three approvals at the same moment in queue mode: ' +
		'one writes, the others are told, the refund is made once',
	async () => {
		const decided = await raceDecisions([
			{ approver: 'Ada', decision: 'approve' },
			{ approver: 'Bob', decision: 'approve' },
			{ approver: 'Cy', decision: 'approve' },
		]);
		expect(decided.decision).toBe('approve');
	},
);
