/**
 * A workflow that comes back to the same Stripe Guard Approval node in one execution, on a real
 * n8n (`n8n start`): Rejected (or Expired) → propose again → the same node. The second wait asks
 * afresh (through a notification workflow, one item per named approver, each with that approver's
 * link alone), an approval from the first wait neither counts nor shows, and a link of the first
 * wait decides nothing. n8n stores which wait is current with the waiting execution. Besides,
 * amounts Stripe decides at execution count toward Two Approvers Above on a real n8n: finalizing
 * an auto-charged invoice (its amount due) and cancelling with Invoice Now (Stripe's preview of
 * the final invoice) above the limit each need both approvers, and execute once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import {
	ADA,
	expiredLoop,
	expiredLoopWorkflow,
	finished,
	GRACE,
	namedApproval,
	requestOf,
	requestsFromNow,
	startByWebhook,
	waiting,
} from './approval-scenarios';
import { executionRun, lastOutputs, executionStatus as statusOf, waitFor } from './polling';
import { chain, decide, node, notifyToReceiver, webhook } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5698;
const CREDENTIAL = { id: 'sgE2eLoopCredential1', name: 'Stripe Guard (emulator, loop)' };
const NOTIFY_ID = 'sgE2eLoopNotify';
let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;

const withCredential = { credentials: { stripeRestrictedKeyApi: CREDENTIAL } };

/**
 * Webhook → propose a $2.00 refund → Stripe Guard Approval (Ada and Grace, both above $1.00);
 * Rejected → propose $3.00 → the same Stripe Guard Approval.
 */
const loopWorkflow = () => ({
	id: 'sgE2eApprovalLoop',
	name: 'Refund, asked again after a rejection',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		webhook('sg-loop', 'onReceived'),
		node(
			'Propose refund',
			'n8n-nodes-stripe-guard.stripeGuard',
			{
				resource: 'refund',
				operation: 'create',
				chargeId: '={{ $json.body.chargeId }}',
				additionalFields: { amount: 200 },
			},
			[220, 0],
			withCredential,
		),
		node(
			'Approval',
			'n8n-nodes-stripe-guard.stripeGuardApproval',
			{
				operation: 'sendAndWait',
				// As the editor saves a workflow picked from the list.
				notificationWorkflowId: { __rl: true, value: NOTIFY_ID, mode: 'list' },
				approvers: `${ADA}, ${GRACE}`,
				twoApproversAbove: { limits: [{ currency: 'usd', amount: 100 }] },
				expireAfter: 1,
				expireUnit: 'hours',
			},
			[440, 0],
			withCredential,
		),
		node(
			'Propose again',
			'n8n-nodes-stripe-guard.stripeGuard',
			{
				resource: 'refund',
				operation: 'create',
				chargeId: "={{ $('Webhook').first().json.body.chargeId }}",
				additionalFields: { amount: 300 },
			},
			[660, 200],
			withCredential,
		),
	],
	connections: {
		...chain('Webhook', 'Propose refund', 'Approval'),
		Approval: { main: [[], [], [{ node: 'Propose again', type: 'main', index: 0 }], []] },
		'Propose again': { main: [[{ node: 'Approval', type: 'main', index: 0 }]] },
	},
});

/**
 * Two webhooks, each starting its own execution: POST {invoiceId} → propose finalizing it; POST
 * {subscriptionId} → propose cancelling it now with Invoice Now; either → the same Approval (Ada
 * and Grace, two of them above $50.00). Neither proposal states an amount: Stripe decides it.
 */
const moneyWorkflow = () => ({
	id: 'sgE2eApprovalMoney',
	name: 'Finalize or cancel, amounts Stripe decides',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ ...webhook('sg-finalize', 'onReceived'), id: 'n-FinalizeAsked', name: 'Finalize asked' },
		{
			...webhook('sg-cancel', 'onReceived'),
			id: 'n-CancelAsked',
			name: 'Cancel asked',
			position: [0, 200],
		},
		node(
			'Propose finalize',
			'n8n-nodes-stripe-guard.stripeGuard',
			{ resource: 'invoice', operation: 'finalize', invoiceId: '={{ $json.body.invoiceId }}' },
			[220, 0],
			withCredential,
		),
		node(
			'Propose cancel',
			'n8n-nodes-stripe-guard.stripeGuard',
			{
				resource: 'subscription',
				operation: 'cancel',
				subscriptionId: '={{ $json.body.subscriptionId }}',
				additionalFields: { invoiceNow: true },
			},
			[220, 200],
			withCredential,
		),
		namedApproval(NOTIFY_ID, CREDENTIAL, [440, 100], {
			twoApproversAbove: { limits: [{ currency: 'usd', amount: 5_000 }] },
		}),
	],
	connections: {
		...chain('Finalize asked', 'Propose finalize', 'Approval'),
		...chain('Cancel asked', 'Propose cancel', 'Approval'),
	},
});

/** The notification workflow's items so far: what each approver received. */
const delivered = () =>
	receiver.messages.map(
		(m) => JSON.parse(m.text) as { approver: string; reviewUrl: string; text: string },
	);

/** Each approver's link of the request number `round` (1, 2…), once it has arrived. */
const round = async (n: number) => {
	const items = await waitFor(`request ${n}`, () => {
		const all = delivered();
		return all.length >= 2 * n ? all.slice(2 * (n - 1), 2 * n) : undefined;
	});
	for (const item of items) {
		const others = items.filter((o) => o !== item).map((o) => o.reviewUrl);
		for (const url of others) expect(JSON.stringify(item)).not.toContain(url);
	}
	return Object.fromEntries(items.map((i) => [i.approver, i.reviewUrl]));
};

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'none' });
	receiver = await startReceiver();
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-loop-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	await runtime.importCredentials(n8n, env, [
		{
			...CREDENTIAL,
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
		notifyToReceiver(NOTIFY_ID, receiver.url),
		loopWorkflow(),
		expiredLoopWorkflow('sgE2eApprovalExpiredLoop', 'sg-loop-expired', NOTIFY_ID, CREDENTIAL),
		moneyWorkflow(),
	]) {
		await runtime.importWorkflow(n8n, env, wf);
		await runtime.publishWorkflow(n8n, env, wf.id);
	}
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), receiver?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test(
	'rejected, then proposed again into the same node: the new request is asked and decided ' +
		'afresh, and a link of the first request decides nothing',
	async () => {
		const customer = emulator.create<{ id: string }>('customer', 'test', { name: 'Jane' });
		const charge = emulator.create<{ id: string }>('charge', 'test', {
			amount: 5_000,
			amount_refunded: 0,
			currency: 'usd',
			status: 'succeeded',
			customer: customer.id,
		});
		emulator.clearRequests();
		const writes = () => emulator.requests.filter((r) => r.method !== 'GET');
		const started = await waitFor('webhook sg-loop', async () => {
			const r = await fetch(`${server.url}/webhook/sg-loop`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ chargeId: charge.id }),
			});
			return r.status === 404 ? undefined : r;
		});
		expect(started.status).toBe(200);

		const first = await round(1);
		const executionId = /\/webhook-waiting\/([^/?]+)/.exec(first[ADA])![1];
		// The links can arrive before n8n has stored the execution as waiting ("is running
		// already" until then); a person is never that quick.
		await waiting(server.url, cookie, executionId);
		const ada1 = await decide(first[ADA], { decision: 'approve', comment: 'round one' });
		expect(await ada1.text()).toContain(`Your approval is recorded, ${ADA}`);
		const grace1 = await decide(first[GRACE], { decision: 'reject' });
		expect(await grace1.text()).toContain(`Rejected by ${GRACE}`);

		// The same execution asks again, with links of their own.
		const second = await round(2);
		expect(/\/webhook-waiting\/([^/?]+)/.exec(second[GRACE])![1]).toBe(executionId);
		await waiting(server.url, cookie, executionId);
		const page = await fetch(second[GRACE]);
		const pageText = await page.text();
		expect(page.status).toBe(200);
		expect(page.headers.get('referrer-policy')).toBe('no-referrer');
		expect(pageText).toContain('Refund $3.00');
		expect(pageText).toContain('Approved so far: nobody.');
		const grace2 = await decide(second[GRACE], { decision: 'approve', comment: 'round two' });
		expect(await grace2.text()).toContain(`Your approval is recorded, ${GRACE}`);
		expect(writes()).toEqual([]);

		const old = await decide(first[ADA], { decision: 'approve' });
		expect(old.status).toBe(410);
		expect(await old.text()).toContain('This link belongs to an earlier request');
		expect(writes()).toEqual([]);

		const ada2 = await decide(second[ADA], { decision: 'approve' });
		expect(await ada2.text()).toContain(
			`Approved by ${GRACE} and ${ADA}: 1 of 1 change(s) made in Stripe`,
		);
		const done = await waitFor('the execution to finish', async () => {
			const status = await statusOf(server.url, cookie, executionId);
			return status === 'waiting' || status === 'running' ? undefined : status;
		});
		expect(done).toBe('success');
		expect(writes().map((w) => [w.path, w.body])).toEqual([
			['/v1/refunds', { charge: charge.id, amount: '300' }],
		]);
		const run = await executionRun(server.url, cookie, executionId);
		const decisions = (run.runData.Approval ?? [])
			.flatMap((r) => (r.data?.main ?? []).flat())
			.map((item) => item?.json.audit as Record<string, unknown> | undefined)
			.filter(Boolean);
		expect(decisions).toEqual([
			expect.objectContaining({ outcome: 'rejected', approver: GRACE }),
			expect.objectContaining({
				outcome: 'executed',
				approvers: [GRACE, ADA],
				comment: 'round two',
			}),
		]);
	},
);

test(
	'expired with one of two approvals, then proposed again (more) into the same node: ' +
		'the first approval does not count, one approver is not enough, links of the first ' +
		'request answer 410, and two approvals execute the new refund once',
	async () => {
		await expiredLoop({
			serverUrl: server.url,
			cookie,
			emulator,
			receiver,
			path: 'sg-loop-expired',
		});
	},
);

/**
 * Asks Ada and Grace through `path` with `body`; checks what each was sent (`told`, the lines
 * every item's text has); Ada alone changes nothing; Grace's page shows Ada's approval; Grace
 * second executes. Returns the proposal, the execution and the Approved item n8n stored.
 */
async function approveAboveLimit(path: string, body: Record<string, string>, told: string[]) {
	const from = receiver.messages.length;
	const { writes } = requestsFromNow(emulator);
	await startByWebhook(server.url, path, body);
	const asked = await requestOf(receiver, { from });
	const { executionId } = asked[ADA];
	const [proposal] = asked[ADA].proposals;
	for (const item of Object.values(asked)) {
		expect(item.executionId).toBe(executionId);
		for (const line of told) expect(item.text.split('\n')).toContain(line);
	}
	await waiting(server.url, cookie, executionId);
	const ada = await decide(asked[ADA].reviewUrl, { decision: 'approve' });
	expect(await ada.text()).toContain(`Your approval is recorded, ${ADA}`);
	expect(await statusOf(server.url, cookie, executionId)).toBe('waiting');
	expect(writes()).toEqual([]);

	const page = await (await fetch(asked[GRACE].reviewUrl)).text();
	expect(page).toContain(`Approved so far: ${ADA}.`);
	const grace = await decide(asked[GRACE].reviewUrl, { decision: 'approve' });
	expect(await grace.text()).toContain(
		`Approved by ${ADA} and ${GRACE}: 1 of 1 change(s) made in Stripe`,
	);
	expect(await finished(server.url, cookie, executionId)).toBe('success');
	const [expired, approved, rejected, failed] = lastOutputs(
		await executionRun(server.url, cookie, executionId),
		'Approval',
	);
	expect([expired.length, approved.length, rejected.length, failed.length]).toEqual([0, 1, 0, 0]);
	expect(approved[0].json.audit).toMatchObject({
		proposalId: proposal.proposalId,
		outcome: 'executed',
		idempotencyKey: `stripe-guard-${proposal.proposalId}`,
		approvers: [ADA, GRACE],
		approverIdentity: 'named link',
		executionId,
	});
	return { proposal, executionId, approved: approved[0].json, asked };
}

const customer = () =>
	emulator.create<{ id: string }>('customer', 'test', { name: 'Jane', email: 'jane@example.com' });

test(
	'finalizing an auto-charged $250.00 invoice above a $50.00 limit: its amount due is read and ' +
		'shown, Ada alone changes nothing, Ada and Grace finalize it once',
	async () => {
		const invoice = emulator.create<{ id: string }>('invoice', 'test', {
			customer: customer().id,
			status: 'draft',
			currency: 'usd',
			collection_method: 'charge_automatically',
			auto_advance: true,
			total: 25_000,
			subtotal: 25_000,
			amount_due: 25_000,
			amount_paid: 0,
			amount_remaining: 25_000,
		});
		const { since, writes } = requestsFromNow(emulator);
		const { proposal, approved, asked } = await approveAboveLimit(
			'sg-finalize',
			{ invoiceId: invoice.id },
			[
				`1. Finalize invoice ${invoice.id} (it can then be paid and no longer edited)`,
				`Read from Stripe now: invoice ${invoice.id}'s amount due is $250.00, ` +
					'which Stripe charges automatically once it is finalized',
				'At most, with the amounts read from Stripe now: $250.00',
				'Two different approvers must approve before anything runs: ' +
					'$250.00 is above the limit of $50.00.',
			],
		);
		expect(asked[ADA].atMost).toEqual({ usd: { amount: 25_000, formatted: '$250.00' } });
		// The amount due was read from Stripe: when asking, and again for each link answered.
		const reads = since().filter(
			(r) => r.method === 'GET' && r.path === `/v1/invoices/${invoice.id}`,
		);
		expect(reads.length).toBeGreaterThanOrEqual(2);
		expect(reads.every((r) => r.status === 200)).toBe(true);
		expect(
			writes().map((w) => [w.method, w.path, w.body, w.idempotencyKey, w.status, !!w.replayed]),
		).toEqual([
			[
				'POST',
				`/v1/invoices/${invoice.id}/finalize`,
				{},
				`stripe-guard-${proposal.proposalId}`,
				200,
				false,
			],
		]);
		expect(emulator.get('invoice', 'test', invoice.id)!.status).toBe('open');
		expect(approved).toMatchObject({ id: invoice.id, object: 'invoice', status: 'open' });
	},
);

test(
	"cancelling now with Invoice Now above a $50.00 limit: Stripe's preview of the final invoice " +
		'($75.00 of usage) is read and shown, and Ada and Grace cancel it once',
	async () => {
		const who = customer();
		const subscription = emulator.create<{ id: string }>('subscription', 'test', {
			customer: who.id,
			status: 'active',
			currency: 'usd',
			created: Math.floor(Date.now() / 1000) - 15 * 86_400,
		});
		emulator.create('invoiceitem', 'test', {
			customer: who.id,
			amount: 7_500,
			currency: 'usd',
			description: 'API usage',
			invoice: null,
			proration: false,
		});
		const { since, writes } = requestsFromNow(emulator);
		const { proposal, approved, asked } = await approveAboveLimit(
			'sg-cancel',
			{ subscriptionId: subscription.id },
			[
				`1. Cancel subscription ${subscription.id} now`,
				'    • Invoice now: `yes`',
				`Read from Stripe now: the final invoice of subscription ${subscription.id}, ` +
					'as Stripe previews it: $75.00 due',
				'At most, with the amounts read from Stripe now: $75.00',
				'Two different approvers must approve before anything runs: ' +
					'$75.00 is above the limit of $50.00.',
			],
		);
		expect(asked[GRACE].atMost).toEqual({ usd: { amount: 7_500, formatted: '$75.00' } });
		// Stripe was asked for the preview of cancelling now with Invoice Now and no proration,
		// when asking and again for each link answered; a preview creates nothing.
		const previews = since().filter((r) => r.path === '/v1/invoices/create_preview');
		expect(previews.length).toBeGreaterThanOrEqual(2);
		for (const preview of previews)
			expect([preview.method, preview.body, preview.status]).toEqual([
				'POST',
				{
					subscription: subscription.id,
					subscription_details: { cancel_now: 'true', proration_behavior: 'none' },
				},
				200,
			]);
		expect(
			writes().map((w) => [w.method, w.path, w.query, w.idempotencyKey, w.status, !!w.replayed]),
		).toEqual([
			[
				'DELETE',
				`/v1/subscriptions/${subscription.id}`,
				{ invoice_now: 'true' },
				`stripe-guard-${proposal.proposalId}`,
				200,
				false,
			],
		]);
		expect(emulator.get('subscription', 'test', subscription.id)!.status).toBe('canceled');
		expect(approved).toMatchObject({ id: subscription.id, status: 'canceled' });
	},
);
