/**
 * n8n restarts on a real server (same database, new process): the polling trigger loses and
 * repeats no event across the restart, and an approval that was waiting when n8n stopped can be
 * approved afterwards and writes once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { executionStatus as statusOf, waitFor } from './polling';
import { approveAs, reviewLinks, customersToSlack, refundWithApproval } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5693;
const READ = { id: 'sgRestartRead0001', name: 'Stripe Guard (read)' };
const WRITE = { id: 'sgRestartWrite001', name: 'Stripe Guard (writes)' };
let emulator: StripeEmulator;
let slack: Awaited<ReturnType<typeof startReceiver>>;
let approvals: Awaited<ReturnType<typeof startReceiver>>;
let server: Awaited<ReturnType<typeof runtime.startServer>> | undefined;
let env: NodeJS.ProcessEnv;
let n8n: ReturnType<typeof runtime.ensureN8n>;
let userFolder: string;

/** A customer and the `customer.created` event Stripe would record for it, now. */
function newCustomer(name: string): string {
	const customer = emulator.create('customer', 'test', { name });
	emulator.create('event', 'test', {
		type: 'customer.created',
		data: { object: structuredClone(customer) },
	});
	// Noise the trigger must skip.
	emulator.create('event', 'test', {
		type: 'customer.updated',
		data: { object: structuredClone(customer) },
	});
	return customer.id;
}

const eventPolls = () => emulator.requests.filter((r) => r.path === '/v1/events').length;

beforeAll(async () => {
	n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'none' });
	[slack, approvals] = await Promise.all([startReceiver(), startReceiver()]);
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-restart-e2e-'));
	runtime.installPackage(userFolder);
	env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	await runtime.importCredentials(n8n, env, [
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
	for (const wf of [
		customersToSlack('sgRestartTrigger1', slack.url, READ),
		refundWithApproval('sgRestartApprove1', 'sg-restart-refund', approvals.url, WRITE),
	]) {
		await runtime.importWorkflow(n8n, env, wf);
		await runtime.publishWorkflow(n8n, env, wf.id);
	}
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), slack?.stop(), approvals?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test(
	'across a restart the trigger emits every new event ' +
		'once and the waiting approval still executes once',
	async () => {
		newCustomer('Before activation'); // history: never emitted
		server = await runtime.startServer(n8n, env);
		const { cookie } = await runtime.setupOwner(server.url);
		// Activation polls at once and takes the newest event as its starting point.
		await waitFor('the first poll', () => (eventPolls() > 0 ? true : undefined));

		const before = [newCustomer('Ada'), newCustomer('Grace'), newCustomer('Alan')];
		await waitFor(
			'the minute poll to post the new customers',
			() => (slack.messages.length >= 3 ? true : undefined),
			90_000,
		);

		// An approval waiting when n8n stops.
		const charge = emulator.create('charge', 'test', {
			amount: 5000,
			amount_refunded: 0,
			currency: 'usd',
		});
		const res = await fetch(`${server.url}/webhook/sg-restart-refund`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ chargeId: charge.id }),
		});
		expect(res.status).toBe(200);
		const { text } = await waitFor('the approval request', () => approvals.messages[0], 60_000);
		const executionId = /execution (\S+)\. /.exec(text)![1];
		const [{ url: approve }] = reviewLinks(text);
		await waitFor('the execution to wait', async () =>
			(await statusOf(server!.url, cookie, executionId)) === 'waiting' ? true : undefined,
		);

		await server.stop();
		const during = [newCustomer('Katherine'), newCustomer('Linus')];
		server = await runtime.startServer(n8n, env);
		const { cookie: cookie2 } = await runtime.setupOwner(server.url);
		// The trigger is activated again and polls at once: what happened while n8n was down comes now.
		await waitFor(
			'the events from the downtime',
			() => (slack.messages.length >= 5 ? true : undefined),
			90_000,
		);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		expect(slack.messages.map((m) => m.text)).toEqual([...before, ...during]);

		expect(await statusOf(server.url, cookie2, executionId)).toBe('waiting');
		const decision = await approveAs(approve, 'Ada Lovelace');
		expect(await decision.text()).toContain('1 of 1 change(s) made in Stripe');
		await waitFor('the execution to finish', async () =>
			(await statusOf(server!.url, cookie2, executionId)) === 'success' ? true : undefined,
		);
		const refunds = emulator.requests.filter(
			(r) => r.method === 'POST' && r.path === '/v1/refunds',
		);
		expect(refunds).toHaveLength(1);
		expect(emulator.list('refund', 'test').filter((r) => r.charge === charge.id)).toHaveLength(1);
		// The same link again after the restart: nothing more is written.
		await approveAs(approve, 'Ada Lovelace');
		expect(emulator.list('refund', 'test').filter((r) => r.charge === charge.id)).toHaveLength(1);
	},
);
