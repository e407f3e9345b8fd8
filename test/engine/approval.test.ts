/**
 * Stripe Guard Approval through n8n-core: proposals made by the real Stripe Guard node are
 * verified, sent to a receiver on 127.0.0.1, and written to the emulator only after approval,
 * once per idempotency key. Rejection and expiry write nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { OUTPUT } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type TestCredential } from './harness';

const emulator = useEmulator({ seed: 'none' });
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
	receiver = await startReceiver();
});
afterAll(async () => await receiver.stop());
beforeEach(() => {
	emulator().reset();
	receiver.messages.length = 0;
});

// Stripe's invoice preview is a POST that creates nothing: the approval reads a cancellation's
// final invoice with it, so it is not a write.
const writes = () =>
	emulator().requests.filter((r) => r.method !== 'GET' && r.path !== '/v1/invoices/create_preview');
const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });

/** A refund of a yen charge and a customer update, proposed by the Stripe Guard node. */
async function proposeBatch(credential = writer()) {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		email: 'jane@example.com',
		name: 'Jane',
	});
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 5000,
		amount_refunded: 0,
		currency: 'jpy',
		customer: customer.id,
		billing_details: { email: 'jane@example.com' },
	});
	const refund = await runStripeGuard({
		parameters: {
			resource: 'refund',
			operation: 'create',
			chargeId: charge.id,
			additionalFields: { amount: 1200, reason: 'duplicate' },
		},
		credential,
	});
	const update = await runStripeGuard({
		parameters: {
			resource: 'customer',
			operation: 'update',
			customerId: customer.id,
			updateFields: { email: 'jane.doe@example.com' },
		},
		credential,
	});
	e.clearRequests();
	return { proposals: [refund.items[0].json, update.items[0].json], charge, customer };
}

const approvalParameters = () => ({
	webhookUrl: receiver.url,
	expireAfter: 1,
	expireUnit: 'hours',
});
/**
 * The one review link of an approval without named approvers; the decision is a button on its page.
 */
const linksOf = (text: string) => {
	const url = /Review and decide: (\S+)/.exec(text)![1];
	return { approve: url, reject: url };
};

test(
	'waits, sends the batch with totals and signed links, ' +
		'and writes exactly the approved requests once',
	async () => {
		const { proposals, charge, customer } = await proposeBatch();
		const approval = await runApproval({
			proposals,
			credential: writer(),
			parameters: approvalParameters(),
		});
		expect(approval.run.status).toBe('waiting');
		expect(receiver.messages).toHaveLength(1);
		const { text } = receiver.messages[0];
		expect(text).toContain('Approval needed: 2 Stripe changes (test mode)');
		expect(text).toContain(`1. Refund ¥1,200 of charge ${charge.id} — reason: duplicate`);
		expect(text).toContain('    • Amount: `¥1,200`');
		expect(text).toContain('    ◦ Customer: `Jane &lt;jane@example.com&gt;`');
		expect(text).toContain(`2. Update customer ${customer.id}: email`);
		expect(text).toContain('    • New email: `jane.doe@example.com`');
		expect(text).toContain('Total that can move: ¥1,200');
		const links = linksOf(text);
		expect(links.approve).toMatch(
			new RegExp(
				String.raw`^http:\/\/127\.0\.0\.1:5678\/webhook-waiting\/exec-[^/]+` +
					String.raw`\/approval-node-id\?deadline=\d+&wait=[0-9a-f]{32}&signature=[0-9a-f]{64}$`,
			),
		);

		// Opening the link (as a chat app's previewer does) decides nothing.
		const preview = await approval.open(links.approve);
		expect(preview.resumed).toBeUndefined();
		expect(preview.page.body).toContain('Refund ¥1,200');
		expect(preview.page.body).toContain('<form method="post">');
		// A name is required for the audit record.
		const nameless = await approval.open(links.approve, 'POST', {
			approver: ' ',
			comment: '',
			decision: 'approve',
		});
		expect(nameless.resumed).toBeUndefined();
		expect(nameless.page.body).toContain('Enter your name');
		expect(writes()).toEqual([]);

		const approved = await approval.open(links.approve, 'POST', {
			approver: 'Ada Lovelace',
			comment: 'Customer was charged twice',
			decision: 'approve',
		});
		expect(approved.resumed?.status).toBe('success');
		expect(approved.page.body).toContain(
			'Approved by Ada Lovelace: 2 of 2 change(s) made in Stripe',
		);
		const out = approval.outputs(approved.resumed!);
		expect(out.expired).toEqual([]);
		expect(out.rejected).toEqual([]);
		const [refund, update] = out.approved.map(
			(i) => i.json as IDataObject & { audit: IDataObject },
		);
		expect(refund).toMatchObject({
			object: 'refund',
			amount: 1200,
			currency: 'jpy',
			charge: charge.id,
			reason: 'duplicate',
		});
		expect(refund.audit).toMatchObject({
			proposalId: proposals[0].proposalId,
			resource: 'refund',
			operation: 'create',
			outcome: 'executed',
			stripeObjectId: refund.id,
			requestId: expect.stringMatching(/^req_/),
			idempotencyKey: `stripe-guard-${String(proposals[0].proposalId)}`,
			approver: 'Ada Lovelace',
			approverIdentity: 'typed name',
			comment: 'Customer was charged twice',
			workflowId: expect.stringMatching(/^wf-approval-/),
			executionId: expect.stringMatching(/^exec-/),
			replayed: false,
		});
		expect(update).toMatchObject({
			id: customer.id,
			email: 'jane.doe@example.com',
			audit: { outcome: 'executed', resource: 'customer', operation: 'update' },
		});
		expect(writes().map((r) => [r.method, r.path, r.idempotencyKey])).toEqual([
			['POST', '/v1/refunds', `stripe-guard-${String(proposals[0].proposalId)}`],
			['POST', `/v1/customers/${customer.id}`, `stripe-guard-${String(proposals[1].proposalId)}`],
		]);

		// Submitting again (the waiting execution's webhook called
		// once more) resumes nothing: the first decision is final.
		const replay = await approval.open(links.reject, 'POST', {
			approver: 'Mallory',
			decision: 'reject',
		});
		expect(replay.resumed).toBeUndefined();
		expect(replay.page.statusCode).toBe(409);
		expect(replay.page.body).toContain('Already decided: Approved by Ada Lovelace');
		expect(emulator().list('refund', 'test')).toHaveLength(1);
		expect(writes()).toHaveLength(2);
	},
);

test(
	'an approved subscription cancel with Invoice Now and Prorate executes: ' +
		'the DELETE carries them in its query, as Stripe takes them',
	async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test', { name: 'Jane' });
		const subscription = e.create<{ id: string }>('subscription', 'test', {
			customer: customer.id,
			status: 'active',
		});
		const proposed = await runStripeGuard({
			parameters: {
				resource: 'subscription',
				operation: 'cancel',
				subscriptionId: subscription.id,
				additionalFields: { invoiceNow: true, prorate: true },
			},
			credential: writer(),
		});
		const proposal = proposed.items[0].json;
		expect(proposal.request).toEqual({
			method: 'DELETE',
			path: `/v1/subscriptions/${subscription.id}`,
			params: { invoice_now: true, prorate: true },
		});
		e.clearRequests();
		const approval = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: approvalParameters(),
		});
		const approved = await approval.open(linksOf(receiver.messages[0].text).approve, 'POST', {
			approver: 'Ada Lovelace',
			decision: 'approve',
		});
		expect(approved.resumed?.status).toBe('success');
		const out = approval.outputs(approved.resumed!);
		expect(out.failed).toEqual([]);
		expect(out.approved.map((i) => i.json)).toEqual([
			expect.objectContaining({
				id: subscription.id,
				status: 'canceled',
				audit: expect.objectContaining({
					outcome: 'executed',
					resource: 'subscription',
					operation: 'cancel',
					stripeObjectId: subscription.id,
				}),
			}),
		]);
		expect(
			writes().map((r) => [r.method, r.path, r.query, r.body, r.idempotencyKey, r.status]),
		).toEqual([
			[
				'DELETE',
				`/v1/subscriptions/${subscription.id}`,
				{ invoice_now: 'true', prorate: 'true' },
				{},
				`stripe-guard-${String(proposal.proposalId)}`,
				200,
			],
		]);
		expect(e.get('subscription', 'test', subscription.id)?.status).toBe('canceled');
	},
);

test('rejection writes nothing and says who rejected', async () => {
	const { proposals } = await proposeBatch();
	const approval = await runApproval({
		proposals,
		credential: writer(),
		parameters: approvalParameters(),
	});
	const { reject } = linksOf(receiver.messages[0].text);
	const rejected = await approval.open(reject, 'POST', {
		approver: 'Grace Hopper',
		comment: 'Not a duplicate',
		decision: 'reject',
	});
	const out = approval.outputs(rejected.resumed!);
	expect(out.approved).toEqual([]);
	expect(out.rejected.map((i) => (i.json.audit as IDataObject).outcome)).toEqual([
		'rejected',
		'rejected',
	]);
	expect(out.rejected[0].json.audit).toMatchObject({
		approver: 'Grace Hopper',
		comment: 'Not a duplicate',
		proposalId: proposals[0].proposalId,
	});
	expect(rejected.page.body).toContain('Rejected by Grace Hopper');
	expect(rejected.page.body).toContain('Nothing was written to Stripe.');
	expect(writes()).toEqual([]);
});

test(
	'the time limit ends the wait on the Expired output, ' + 'never on Approved, and writes nothing',
	async () => {
		const { proposals } = await proposeBatch();
		const approval = await runApproval({
			proposals,
			credential: writer(),
			parameters: approvalParameters(),
		});
		const waitTill = new Date(approval.run.data.waitTill!).getTime();
		expect(waitTill - Date.now()).toBeGreaterThan(59 * 60_000);
		const expired = await approval.timeOut();
		expect(expired.status).toBe('success');
		const out = approval.outputs(expired);
		expect(OUTPUT.expired).toBe(0);
		expect(out.expired.map((i) => i.json.proposalId)).toEqual(proposals.map((p) => p.proposalId));
		expect(out.approved).toEqual([]);
		expect(writes()).toEqual([]);
	},
);

test(
	'a proposal whose own lifetime ended before the ' +
		'approval goes to Expired and is not executed',
	async () => {
		const { proposals } = await proposeBatch();
		const approval = await runApproval({
			proposals,
			credential: writer(),
			parameters: approvalParameters(),
		});
		const { approve } = linksOf(receiver.messages[0].text);
		const now = Date.now();
		const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 25 * 3_600_000);
		try {
			const late = await approval.open(approve, 'POST', { approver: 'Ada', decision: 'approve' });
			const out = approval.outputs(late.resumed!);
			expect(out.approved).toEqual([]);
			expect(out.expired.map((i) => (i.json.audit as IDataObject).outcome)).toEqual([
				'expired',
				'expired',
			]);
			expect(String((out.expired[0].json.audit as IDataObject).reason)).toMatch(/expired at/);
		} finally {
			clock.mockRestore();
		}
		expect(writes()).toEqual([]);
	},
);

describe('refused before anyone is asked', () => {
	const refused = async (proposals: IDataObject[], credential = writer()) => {
		const approval = await runApproval({ proposals, credential, parameters: approvalParameters() });
		expect(approval.run.status).toBe('error');
		expect(receiver.messages).toEqual([]);
		expect(writes()).toEqual([]);
		return String(approval.run.data.resultData.error?.message);
	};

	test('a tampered parameter', async () => {
		const { proposals } = await proposeBatch();
		const tampered = structuredClone(proposals);
		((tampered[0].request as IDataObject).params as IDataObject).amount = 5000;
		expect(await refused(tampered)).toMatch(
			/was changed after Stripe Guard created it.*\(item 0\)/,
		);
	});

	test('a tampered summary', async () => {
		const { proposals } = await proposeBatch();
		expect(await refused([proposals[0], { ...proposals[1], summary: 'Harmless change' }])).toMatch(
			/was changed after Stripe Guard created it.*\(item 1\)/,
		);
	});

	test('a forged signature', async () => {
		const { proposals } = await proposeBatch();
		expect(await refused([{ ...proposals[0], signature: 'ab'.repeat(32) }])).toMatch(
			/was changed after Stripe Guard created it/,
		);
	});

	test('a missing signature', async () => {
		const { proposals } = await proposeBatch();
		const { signature: _s, ...unsigned } = proposals[0];
		expect(await refused([unsigned])).toMatch(/has no valid signature/);
	});

	test('a proposal signed with another credential', async () => {
		const other = emulator().addKey({ mode: 'test', permissions: 'write' });
		const { proposals } = await proposeBatch({ apiKey: other, allowWrites: true });
		// The fix in one sentence: the same credential, with Allow Writes on, on both nodes.
		expect(await refused(proposals)).toMatch(
			new RegExp(
				'made with another credential\\. Use one Stripe Guard credential with Allow Writes ' +
					'on .* on both the Propose node and the Stripe Guard Approval node, then propose again',
			),
		);
	});

	test('an expired proposal', async () => {
		const { proposals } = await proposeBatch();
		const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 25 * 3_600_000);
		try {
			expect(await refused(proposals)).toMatch(/expired at/);
		} finally {
			clock.mockRestore();
		}
	});

	test('an item that is not a proposal', async () => {
		expect(await refused([{ id: 'cus_123', email: 'x@example.com' }])).toMatch(
			/is not a Stripe Guard proposal/,
		);
	});

	test('a credential with Allow Writes off', async () => {
		const { proposals } = await proposeBatch();
		expect(
			await refused(proposals, { apiKey: emulator().keys.testWrite, allowWrites: false }),
		).toMatch(/Allow Writes off/);
		const approval = await runApproval({
			proposals,
			credential: { apiKey: emulator().keys.testWrite, allowWrites: false },
			parameters: approvalParameters(),
		});
		expect(approval.run.data.resultData.error?.description).toMatch(
			new RegExp(
				'^Nothing was sent for approval\\. Use one Stripe Guard credential with Allow Writes ' +
					'on .* on both the Propose node and the Stripe Guard Approval node$',
			),
		);
	});

	test('no destination for the request', async () => {
		const { proposals } = await proposeBatch();
		const approval = await runApproval({
			proposals,
			credential: writer(),
			parameters: { expireAfter: 1 },
		});
		expect(approval.run.data.resultData.error?.message).toMatch(
			/Choose where to send the approval request/,
		);
	});
});

test(
	'Allow Writes turned off while waiting: ' + 'approval writes nothing and every item says why',
	async () => {
		const { proposals } = await proposeBatch();
		const approval = await runApproval({
			proposals,
			credential: writer(),
			parameters: approvalParameters(),
		});
		const { approve } = linksOf(receiver.messages[0].text);
		const late = await approval.open(
			approve,
			'POST',
			{ approver: 'Ada', decision: 'approve' },
			{ apiKey: emulator().keys.testWrite, allowWrites: false },
		);
		const out = approval.outputs(late.resumed!);
		expect(out.approved).toEqual([]);
		expect(out.failed.map((i) => i.json.error)).toEqual([
			expect.stringMatching(/Allow Writes off/),
			expect.stringMatching(/Allow Writes off/),
		]);
		expect(out.failed.map((i) => (i.json.audit as IDataObject).outcome)).toEqual([
			'failed',
			'failed',
		]);
		expect(late.page.body).toContain('0 of 2 change(s) made in Stripe');
		expect(late.page.body).toContain('Not done');
		expect(writes()).toEqual([]);
	},
);

test(
	'a key without the write permission: ' + 'the missing permission is named on the item',
	async () => {
		const readOnly = emulator().keys.testRead;
		const { proposals } = await proposeBatch({ apiKey: readOnly, allowWrites: true });
		const approval = await runApproval({
			proposals,
			credential: { apiKey: readOnly, allowWrites: true },
			parameters: approvalParameters(),
		});
		const { approve } = linksOf(receiver.messages[0].text);
		const done = await approval.open(approve, 'POST', { approver: 'Ada', decision: 'approve' });
		const [refund, update] = approval.outputs(done.resumed!).failed.map((i) => i.json);
		expect(refund.error).toMatch(/missing Refunds: Write \(rak_refund_write\)/);
		expect(update.error).toMatch(/missing Customers: Write \(rak_customer_write\)/);
		expect(emulator().list('refund', 'test')).toEqual([]);
	},
);

test(
	"an AI Agent's intermediate steps: " + 'the proposals its tool returned are found and verified',
	async () => {
		const { proposals } = await proposeBatch();
		const agentOutput = {
			output: 'I proposed a refund; a person must approve it.',
			intermediateSteps: [
				{
					action: { tool: 'Stripe_Guard', toolInput: {} },
					observation: JSON.stringify([{ id: 'ch_x', amount: 5000 }]),
				},
				{
					action: { tool: 'Stripe_Guard', toolInput: {} },
					observation: JSON.stringify([proposals[0]]),
				},
			],
		};
		const approval = await runApproval({
			proposals: [agentOutput],
			credential: writer(),
			parameters: approvalParameters(),
			stripeGuardTools: ['Stripe Guard'],
		});
		expect(approval.run.status).toBe('waiting');
		expect(receiver.messages[0].text).toContain('Approval needed: 1 Stripe change (test mode)');
		const done = await approval.open(linksOf(receiver.messages[0].text).approve, 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		expect(approval.outputs(done.resumed!).approved[0].json).toMatchObject({
			object: 'refund',
			audit: { outcome: 'executed' },
		});
	},
);
