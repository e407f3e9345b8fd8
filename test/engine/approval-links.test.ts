/**
 * Whose link decides what, through n8n-core against the emulator: every wait of the node has
 * links of its own (a workflow that comes back to the node asks afresh, and a link of an earlier
 * wait decides nothing), a named approver's link reaches that approver alone, an agent's
 * proposals count only from Stripe Guard tool nodes, and every answer of the review page keeps
 * its URL out of caches, referrers and frames.
 */
import { createHash } from 'node:crypto';

import type { IDataObject, IRun } from 'n8n-workflow';

import { OUTPUT } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { FIXED_ITEMS, runApproval, useApprovalSetup, type ApprovalRun } from './approval-harness';
import { runStripeGuard, STRIPE_GUARD, type TestCredential } from './harness';

jest.setTimeout(60_000);
const { emulator, receiver } = useApprovalSetup({ seed: 'none' });

const APPROVAL = 'Stripe Guard Approval';
const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
const writes = () => emulator().requests.filter((r) => r.method !== 'GET');
/** The one review link of a chat message (no named approvers). */
const linkIn = (text: string) => /^Review and decide: (\S+)$/m.exec(text)![1];
/** Each approver's review link, from the items the notification workflow got. */
const linksOf = (items: IDataObject[]) =>
	Object.fromEntries(items.map((i) => [String(i.approver), String(i.reviewUrl)]));

const propose = async (resource: string, operation: string, parameters: IDataObject) => {
	const run = await runStripeGuard({
		parameters: { resource, operation, ...parameters },
		credential: writer(),
	});
	expect(run.error?.message).toBeUndefined();
	return run.items[0].json;
};

function refundableCharge() {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		name: 'Jane Doe',
		email: 'jane@example.com',
	});
	return e.create<{ id: string; customer: string }>('charge', 'test', {
		amount: 100_000,
		amount_refunded: 0,
		currency: 'usd',
		customer: customer.id,
		status: 'succeeded',
	});
}

/** Round 1 proposes $20 from the input; every later round, $500 from the "Propose again" node. */
const proposeAgain = (chargeId: string, from: number[]) => ({
	name: 'Propose again',
	type: STRIPE_GUARD,
	parameters: {
		resource: 'refund',
		operation: 'create',
		chargeId,
		additionalFields: { amount: 50_000 },
	},
	from,
});

/** The outputs of each run of the approval node that decided something, in order. */
const decided = (run: IRun) =>
	run.data.resultData.runData[APPROVAL].map((r) => r.data!.main).filter((main) =>
		main.some((output) => output?.length),
	);

test(
	'the Notification Workflow as the editor saves it (a workflow picked from the list) is the ' +
		'one asked, as is an ID typed in',
	async () => {
		const picked = {
			__rl: true,
			value: 'wf-notify',
			mode: 'list',
			cachedResultName: 'Approval requests to Slack',
		};
		for (const notificationWorkflowId of [picked, 'wf-notify']) {
			const approval = await runApproval({
				proposals: [await propose('refund', 'create', { chargeId: refundableCharge().id })],
				credential: writer(),
				parameters: { notificationWorkflowId },
			});
			expect(approval.run.data.resultData.error?.message).toBeUndefined();
			expect(approval.run.status).toBe('waiting');
			expect(approval.notifiedWorkflows).toEqual(['wf-notify']);
			expect(approval.notifications[0][0].text).toContain('Refund $1,000.00');
		}
	},
);

describe('every wait has links of its own', () => {
	test(
		'Expired, then proposed again into the same node: an approval from the earlier wait ' +
			'neither counts nor shows, and a link of the earlier wait decides nothing',
		async () => {
			const charge = refundableCharge();
			const approval = await runApproval({
				proposals: [
					await propose('refund', 'create', {
						chargeId: charge.id,
						additionalFields: { amount: 2_000 },
					}),
				],
				credential: writer(),
				parameters: {
					notificationWorkflowId: 'wf-notify',
					approvers: `${ADA}, ${GRACE}`,
					twoApproversAbove: { limits: [{ currency: 'usd', amount: 1_000 }] },
					expireAfter: 1,
					expireUnit: 'hours',
				},
				loop: proposeAgain(charge.id, [OUTPUT.expired, OUTPUT.rejected]),
			});
			expect(approval.run.status).toBe('waiting');
			const round1 = linksOf(approval.notifications[0]);
			const first = await approval.open(round1[ADA], 'POST', {
				decision: 'approve',
				comment: 'round one: $20 is fine',
			});
			expect(first.page.body).toContain(`Your approval is recorded, ${ADA}`);

			// The wait ends; the workflow proposes $500 and comes back to the same node.
			const again = await approval.timeOut();
			expect(again.status).toBe('waiting');
			expect(decided(again)[0][OUTPUT.expired]).toHaveLength(1);
			expect(approval.notifications).toHaveLength(2);
			const round2 = linksOf(approval.notifications[1]);
			expect(round2[GRACE]).not.toBe(round1[GRACE]);

			const page = await approval.open(round2[GRACE]);
			expect(page.page.body).toContain('Refund $500.00');
			expect(page.page.body).toContain('Approved so far: nobody.');
			const grace = await approval.open(round2[GRACE], 'POST', {
				decision: 'approve',
				comment: 'round two',
			});
			expect(grace.resumed).toBeUndefined();
			expect(grace.page.body).toContain(`Your approval is recorded, ${GRACE}`);
			expect(writes()).toEqual([]);

			// Ada's link of the earlier wait neither shows nor decides the $500.
			for (const method of ['GET', 'POST'] as const) {
				const old = await approval.open(round1[ADA], method, { decision: 'approve' });
				expect(old.resumed).toBeUndefined();
				expect(old.page.statusCode).toBe(410);
				expect(old.page.body).toContain('This link belongs to an earlier request');
				expect(old.page.body).not.toContain('$500.00');
			}
			expect(writes()).toEqual([]);

			const ada = await approval.open(round2[ADA], 'POST', { decision: 'approve' });
			expect(ada.resumed?.status).toBe('success');
			const out = approval.outputs(ada.resumed!);
			expect(out.approved.map((i) => i.json.audit)).toEqual([
				expect.objectContaining({
					outcome: 'executed',
					approvers: [GRACE, ADA],
					comment: 'round two',
				}),
			]);
			expect(writes().map((w) => [w.path, w.body])).toEqual([
				['/v1/refunds', { charge: charge.id, amount: '50000' }],
			]);
		},
	);

	test('Rejected, then proposed again into the same node: the new request is decided', async () => {
		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 2_000 },
				}),
			],
			credential: writer(),
			parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
			loop: proposeAgain(charge.id, [OUTPUT.rejected]),
		});
		const round1 = linkIn(receiver().messages[0].text);
		const rejected = await approval.open(round1, 'POST', {
			approver: 'Ada',
			decision: 'reject',
		});
		expect(rejected.resumed?.status).toBe('waiting');
		expect(decided(rejected.resumed!)[0][OUTPUT.rejected]).toEqual([
			expect.objectContaining({ json: expect.objectContaining({ audit: expect.anything() }) }),
		]);
		const round2 = linkIn(receiver().messages[1].text);
		expect(round2).not.toBe(round1);

		const page = await approval.open(round2);
		expect(page.page.body).toContain('Refund $500.00');
		expect(page.page.body).not.toContain('Already decided');
		const old = await approval.open(round1, 'POST', { approver: 'Eve', decision: 'approve' });
		expect(old.resumed).toBeUndefined();
		expect(old.page.statusCode).toBe(410);
		expect(old.page.body).toContain('This link belongs to an earlier request');

		const approved = await approval.open(round2, 'POST', {
			approver: 'Grace',
			decision: 'approve',
		});
		expect(approved.page.statusCode).toBe(200);
		expect(approved.page.body).toContain('Approved by Grace: 1 of 1 change(s) made in Stripe');
		expect(approval.outputs(approved.resumed!).approved[0].json).toMatchObject({
			object: 'refund',
			amount: 50_000,
			audit: { approver: 'Grace', outcome: 'executed' },
		});
		const replay = await approval.open(round2, 'POST', { approver: 'Eve', decision: 'reject' });
		expect(replay.page.statusCode).toBe(409);
		expect(writes().map((w) => w.path)).toEqual(['/v1/refunds']);
	});

	test(
		"n8n's human review of tool calls, twice in one execution: " +
			'the second call is asked and decided on its own',
		async () => {
			const approval = await runApproval({
				proposals: [{ toolParameters: { customerId: 'cus_first' } }],
				credential: writer(),
				parameters: {
					webhookUrl: receiver().url,
					expireAfter: 1,
					expireUnit: 'hours',
					message: 'The agent wants to run a tool',
				},
				gate: true,
				loop: {
					name: 'Agent calls again',
					type: FIXED_ITEMS,
					parameters: { items: JSON.stringify([{ toolParameters: { customerId: 'cus_second' } }]) },
					from: [0],
				},
			});
			expect(approval.run.status).toBe('waiting');
			const round1 = linkIn(receiver().messages[0].text);
			const approved = await approval.open(round1, 'POST', { decision: 'approve' });
			expect(approved.page.body).toContain('Approved: the agent goes on.');
			expect(approved.resumed?.status).toBe('waiting');
			expect(receiver().messages[1].text).toContain('cus_second');
			const round2 = linkIn(receiver().messages[1].text);

			const page = await approval.open(round2);
			expect(page.page.body).toContain('cus_second');
			expect(page.page.body).not.toContain('Already decided');
			const old = await approval.open(round1, 'POST', { decision: 'approve' });
			expect(old.resumed).toBeUndefined();
			expect(old.page.statusCode).toBe(410);
			expect(old.page.body).toContain('This link belongs to an earlier request');

			const rejected = await approval.open(round2, 'POST', { decision: 'reject' });
			expect(rejected.page.statusCode).toBe(200);
			expect(rejected.page.body).toContain('Rejected: the agent is told.');
			// What the gate told the agent for each call (its waiting runs pass the call on).
			const told = rejected
				.resumed!.data.resultData.runData[APPROVAL].flatMap((r) => r.data!.main[0] ?? [])
				.filter((item) => 'data' in item.json)
				.map((item) => item.json);
			expect(told).toEqual([{ data: { approved: true } }, { data: { approved: false } }]);
		},
	);
});

describe('a named link reaches its approver alone', () => {
	test(
		'the notification workflow gets one item per approver, ' +
			"and no item carries another approver's link",
		async () => {
			const approval = await runApproval({
				proposals: [await propose('customer', 'delete', { customerId: 'cus_123' })],
				credential: writer(),
				parameters: {
					notificationWorkflowId: 'wf-notify',
					approvers: `${ADA}, ${GRACE}`,
					expireAfter: 1,
					expireUnit: 'hours',
				},
			});
			expect(approval.run.status).toBe('waiting');
			const [items] = approval.notifications;
			expect(items.map((i) => i.approver)).toEqual([ADA, GRACE]);
			const urls = items.map((i) => String(i.reviewUrl));
			expect(new Set(urls).size).toBe(2);
			items.forEach((item, i) => {
				const whole = JSON.stringify(item);
				expect(whole).toContain(urls[i]);
				expect(whole).not.toContain(urls[1 - i]);
				expect(String(item.text)).toContain(urls[i]);
			});
		},
	);

	test(
		'a Slack-compatible webhook, one channel for everyone, with Approvers set ' +
			'is refused before anyone is asked, saying how to reach each approver',
		async () => {
			const proposal = await propose('customer', 'delete', { customerId: 'cus_123' });
			for (const channels of [
				{ webhookUrl: receiver().url },
				{ webhookUrl: receiver().url, notificationWorkflowId: 'wf-notify' },
			]) {
				const approval = await runApproval({
					proposals: [proposal],
					credential: writer(),
					parameters: { ...channels, approvers: `${ADA}, ${GRACE}`, expireAfter: 1 },
				});
				expect(approval.run.status).toBe('error');
				const error = approval.run.data.resultData.error!;
				expect(error.message).toMatch(/each approver's link must reach only them/i);
				expect(String(error.description)).toMatch(
					/Notification Workflow.*one item per approver.*send each item to its approver/,
				);
				expect(receiver().messages).toEqual([]);
				expect(approval.notifications).toEqual([]);
			}
		},
	);

	test('the audit names, per approval, the approver and where their link went', async () => {
		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 5_000 },
				}),
			],
			credential: writer(),
			parameters: {
				notificationWorkflowId: 'wf-notify',
				approvers: `${ADA}, ${GRACE}`,
				twoApproversAbove: { limits: [{ currency: 'usd', amount: 1_000 }] },
				expireAfter: 1,
				expireUnit: 'hours',
			},
		});
		const links = linksOf(approval.notifications[0]);
		await approval.open(links[ADA], 'POST', { decision: 'approve', comment: 'ok' });
		const done = await approval.open(links[GRACE], 'POST', { decision: 'approve' });
		const { audit } = approval.outputs(done.resumed!).approved[0].json as { audit: IDataObject };
		expect(audit.approvals).toEqual([
			expect.objectContaining({
				approver: ADA,
				linkDeliveredTo: `notification workflow item for ${ADA}`,
				comment: 'ok',
			}),
			expect.objectContaining({
				approver: GRACE,
				linkDeliveredTo: `notification workflow item for ${GRACE}`,
			}),
		]);
	});
});

test(
	'from an agent, a tool of another type named like a Stripe Guard tool ' +
		'("Propose_refund" beside "Propose refund"): what it returns is refused, never executed',
	async () => {
		const charge = refundableCharge();
		const refund = await propose('refund', 'create', {
			chargeId: charge.id,
			additionalFields: { amount: 1_200 },
		});
		const update = await propose('customer', 'update', {
			customerId: String(charge.customer),
			updateFields: { description: 'VIP' },
		});
		const agentOutput = {
			output: 'Proposed.',
			intermediateSteps: [
				{ action: { tool: 'Update_customer' }, observation: JSON.stringify([update]) },
				// A signed proposal this other tool fetched somewhere, under the shared name.
				{ action: { tool: 'Propose_refund' }, observation: JSON.stringify([refund]) },
			],
		};
		const approval = await runApproval({
			proposals: [agentOutput],
			credential: writer(),
			parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
			stripeGuardTools: ['Propose refund', 'Update customer'],
			otherTools: [{ name: 'Propose_refund', type: 'n8n-nodes-base.httpRequestTool' }],
		});
		expect(approval.run.status).toBe('waiting');
		const { text } = receiver().messages[0];
		expect(text).toContain('Approval needed: 1 Stripe change (test mode)');
		expect(text).toContain('Refused, never executed (1):');
		expect(text).toMatch(/"Propose_refund".*not a Stripe Guard tool/);
		const page = await approval.open(linkIn(text));
		expect(page.page.body).toContain('Refused, never executed');
		const done = await approval.open(linkIn(text), 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		expect(
			approval.outputs(done.resumed!).approved.map((i) => (i.json.audit as IDataObject).proposalId),
		).toEqual([update.proposalId]);
		expect(writes().map((w) => w.path)).toEqual([`/v1/customers/${String(charge.customer)}`]);
	},
);

test(
	'every answer of the review page, GET and POST, keeps its URL private: ' +
		'not stored, not sent as a referrer, never framed',
	async () => {
		const headersOf = (page: { headers: Record<string, string> }) =>
			Object.fromEntries(Object.entries(page.headers).map(([k, v]) => [k.toLowerCase(), v]));
		const answers: Array<{ statusCode: number; headers: Record<string, string>; body: string }> =
			[];
		const record = async (pending: ReturnType<ApprovalRun['open']>) => {
			const { page, resumed } = await pending;
			answers.push(page);
			return resumed;
		};

		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 500 },
				}),
			],
			credential: writer(),
			parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
			loop: proposeAgain(charge.id, [OUTPUT.rejected]),
		});
		const round1 = linkIn(receiver().messages[0].text);
		await record(approval.open(round1));
		await record(approval.open(round1, 'POST', { approver: 'Ada' }));
		await record(approval.open(round1, 'POST', { decision: 'approve' }));
		await record(approval.open(round1, 'POST', { approver: 'Ada', decision: 'reject' }));
		const round2 = linkIn(receiver().messages[1].text);
		await record(approval.open(round1));
		const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 2 * 3_600_000);
		try {
			await record(approval.open(round2, 'POST', { approver: 'Ada', decision: 'approve' }));
		} finally {
			clock.mockRestore();
		}
		await record(approval.open(round2, 'POST', { approver: 'Ada', decision: 'approve' }));
		await record(approval.open(round2));

		const gate = await runApproval({
			proposals: [{ toolParameters: { customerId: 'cus_1' } }],
			credential: writer(),
			parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
			gate: true,
		});
		const gateLink = linkIn(receiver().messages[2].text);
		await record(gate.open(gateLink));
		await record(gate.open(gateLink, 'POST', { decision: 'approve' }));
		await record(gate.open(gateLink, 'POST', { decision: 'reject' }));

		for (const answer of answers) {
			const headers = headersOf(answer);
			expect(headers['cache-control']).toMatch(/\bno-store\b/);
			expect(headers['referrer-policy']).toBe('no-referrer');
			expect(headers['x-frame-options']).toBe('DENY');
			expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
			// The policy still lets the page show as designed: its one style sheet, by its hash.
			const style = /<style>(.*?)<\/style>/s.exec(answer.body)![1];
			const hash = createHash('sha256').update(style).digest('base64');
			expect(headers['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
			expect(answer.body).not.toMatch(/\sstyle=|<script|<img|<iframe/i);
		}
		expect(answers.map((a) => a.statusCode)).toEqual([
			200, 400, 200, 200, 410, 200, 409, 200, 200, 200, 409,
		]);
	},
);
