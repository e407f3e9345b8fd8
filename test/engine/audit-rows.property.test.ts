/**
 * The audit rows, as a property (fast-check) over every way an approval can end, through n8n-core
 * (the real Stripe Guard node proposes, the real approval node waits and answers its links in
 * n8n-core's WebhookContext) against the emulator: approved and executed, rejected, decided after
 * the deadline (expired), refused by Stripe, approved while the credential's Allow Writes went off,
 * refused when the link was answered (the credential changed), and two approvers; from an AI
 * Agent's tool or straight from Stripe Guard, one to three proposals, any typed name and comment.
 *
 * For each: exactly one row per proposal and event, every row with every column of the
 * declaration, and each row saying what its event was: the exact request, amounts, Stripe's IDs,
 * the idempotency key, mode, who decided, how they are known and where their link went, the
 * comment, the workflow and execution, and for an agent the tool, the model's arguments and the
 * chat model. And Proposal Status, reading those rows back, says what became of each proposal.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { proposalStatus } from '../../nodes/shared/audit/status';
import { AUDIT_COLUMNS } from '../../nodes/StripeGuardApproval/audit';
import { runApproval, useApprovalSetup, type ApprovalRun } from './approval-harness';
import { runStripeGuard, type TestCredential } from './harness';

jest.setTimeout(300_000);
const RUNS = Number(process.env.PROPERTY_PATH_RUNS || 30);
const { emulator, receiver } = useApprovalSetup({ seed: 'none' });

const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
const TOOL = 'Propose refund';
const MODEL_NODE = 'OpenAI Chat Model';

type Way =
	| 'executed'
	| 'rejected'
	| 'late'
	| 'refusedByStripe'
	| 'writesOff'
	| 'refusedAtDecision'
	| 'twoApprovers';

/** The events each way leaves per proposal, in order (approvers by name where named). */
const EVENTS: Record<Way, string[]> = {
	executed: ['proposed', 'approved', 'executed'],
	rejected: ['proposed', 'rejected'],
	late: ['proposed', 'expired'],
	refusedByStripe: ['proposed', 'approved', 'failed'],
	writesOff: ['proposed', 'approved', 'failed'],
	refusedAtDecision: ['failed'],
	twoApprovers: ['proposed', 'approved', 'approved', 'executed'],
};

const text = fc
	.string({ unit: 'grapheme', maxLength: 40 })
	.map((s) => s.trim())
	.filter((s) => s.length > 0);

const scenario = fc
	.record({
		way: fc.constantFrom<Way>(...(Object.keys(EVENTS) as Way[])),
		amounts: fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 3 }),
		fromAgent: fc.boolean(),
		approver: text,
		comment: fc.oneof(fc.constant(''), text),
	})
	// An agent's proposal that no longer verifies is listed as refused and leaves no item (batch.ts).
	.filter(({ way, fromAgent }) => !(way === 'refusedAtDecision' && fromAgent));

function refundableCharge() {
	return emulator().create<{ id: string }>('charge', 'test', {
		amount: 100_000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
	});
}

/** What n8n's AI Agent hands on with Return Intermediate Steps: each tool call and its output. */
const agentOutput = (proposals: IDataObject[], inputs: IDataObject[]) => ({
	output: 'I proposed the refunds; a person must approve them.',
	intermediateSteps: proposals.map((p, i) => ({
		action: { tool: TOOL.replace(' ', '_'), toolInput: inputs[i], log: '' },
		observation: JSON.stringify([p]),
	})),
});

/** What Proposal Status says after each way, from the rows. */
const STATUS: Record<Way, Record<string, unknown>> = {
	executed: { status: 'executed' },
	rejected: { status: 'rejected', stripeObjectId: null },
	late: { status: 'expired', stripeObjectId: null },
	refusedByStripe: { status: 'failed', stripeObjectId: null },
	writesOff: { status: 'failed', stripeObjectId: null },
	refusedAtDecision: { status: 'failed', stripeObjectId: null },
	twoApprovers: { status: 'executed', approvers: [ADA, GRACE] },
};

const all = (out: ReturnType<ApprovalRun['outputs']>): INodeExecutionData[] => [
	...out.expired,
	...out.approved,
	...out.rejected,
	...out.failed,
];

test('every way an approval ends gives one row per proposal and event, each complete', async () => {
	await fc.assert(
		fc.asyncProperty(scenario, async ({ way, amounts, fromAgent, approver: typed, comment }) => {
			// As the page's form is read: trimmed, at most 100 characters.
			const approver = typed.slice(0, 100);
			const e = emulator();
			e.reset();
			receiver().messages.length = 0;
			const charge = refundableCharge();
			const key = way === 'refusedByStripe' ? e.keys.testRead : e.keys.testWrite;
			const credential: TestCredential = { apiKey: key, allowWrites: true };
			const inputs = amounts.map((amount) => ({ chargeId: charge.id, amount }));
			const proposals: IDataObject[] = [];
			for (const input of inputs) {
				const run = await runStripeGuard({
					parameters: {
						resource: 'refund',
						operation: 'create',
						chargeId: input.chargeId,
						additionalFields: { amount: input.amount },
					},
					credential,
				});
				proposals.push(run.items[0].json);
			}
			const two = way === 'twoApprovers';
			const approval = await runApproval({
				proposals: fromAgent ? [agentOutput(proposals, inputs)] : proposals,
				credential,
				parameters: two
					? {
							notificationWorkflowId: 'wf-notify',
							approvers: `${ADA}, ${GRACE}`,
							twoApproversAbove: { limits: [{ currency: 'usd', amount: 0 }] },
						}
					: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
				...(fromAgent
					? {
							stripeGuardTools: [TOOL],
							chatModel: {
								name: MODEL_NODE,
								type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
								parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' } },
							},
						}
					: {}),
			});
			expect(approval.run.status).toBe('waiting');

			let resumed;
			if (two) {
				const links = Object.fromEntries(
					approval.notifications[0].map((i) => [String(i.approver), String(i.reviewUrl)]),
				);
				const first = await approval.open(links[ADA], 'POST', { decision: 'approve', comment });
				expect(first.resumed).toBeUndefined();
				({ resumed } = await approval.open(links[GRACE], 'POST', { decision: 'approve' }));
			} else {
				const url = /^Review and decide: (\S+)$/m.exec(receiver().messages[0].text)![1];
				const decision = way === 'rejected' ? 'reject' : 'approve';
				const body = { approver: typed, comment, decision };
				const changed: Partial<Record<Way, TestCredential>> = {
					writesOff: { apiKey: key, allowWrites: false },
					refusedAtDecision: { apiKey: e.keys.testRead, allowWrites: true },
				};
				const clock =
					way === 'late'
						? jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 2 * 3_600_000)
						: undefined;
				try {
					({ resumed } = await approval.open(url, 'POST', body, changed[way]));
				} finally {
					clock?.mockRestore();
				}
			}
			expect(resumed?.status).toBe('success');
			const items = all(approval.outputs(resumed!));
			expect(items).toHaveLength(proposals.length);

			const rows = items.flatMap((item) => item.json.auditRows as IDataObject[]);
			// Exactly one row per proposal and event (an approval is an event of its approver).
			const keys = rows.map((r) => `${r.proposalId} ${r.event} ${r.approver}`);
			expect(new Set(keys).size).toBe(keys.length);
			expect(new Set(rows.map((r) => r.proposalId))).toEqual(
				new Set(proposals.map((p) => p.proposalId)),
			);
			for (const row of rows)
				expect(Object.keys(row).sort()).toEqual(Object.keys(AUDIT_COLUMNS).sort());

			for (const item of items) {
				const own = item.json.auditRows as IDataObject[];
				const proposal = proposals.find((p) => p.proposalId === own[0].proposalId)!;
				expect(own.map((r) => r.event)).toEqual(EVENTS[way]);
				const times = own.map((r) => Date.parse(String(r.time)));
				expect(times.every(Number.isFinite)).toBe(true);
				expect([...times].sort((a, b) => a - b)).toEqual(times);
				const decisionRows = own.filter((r) => r.event === 'approved' || r.event === 'rejected');
				const outcome = own.at(-1)!;
				for (const row of own) {
					expect(row).toMatchObject({
						proposalId: proposal.proposalId,
						resource: 'refund',
						operation: 'create',
						workflowId: expect.stringMatching(/^wf-approval-/),
						executionId: expect.stringMatching(/^exec-/),
					});
					if (way === 'refusedAtDecision') continue;
					expect(row).toMatchObject({
						mode: 'test',
						summary: proposal.summary,
						idempotencyKey: `stripe-guard-${String(proposal.proposalId)}`,
						request: JSON.stringify(proposal.request),
						amounts: JSON.stringify({ usd: amounts[proposals.indexOf(proposal)] }),
						proposedAt: proposal.createdAt,
						expiresAt: proposal.expiresAt,
					});
					const input = inputs[proposals.indexOf(proposal)];
					expect(row).toMatchObject(
						fromAgent
							? {
									agentNode: 'Items',
									agentTool: 'Propose_refund',
									agentToolInput: JSON.stringify(input),
									chatModelNode: MODEL_NODE,
									chatModel: 'gpt-4o-mini',
								}
							: { agentNode: null, agentTool: null, agentToolInput: null, chatModel: null },
					);
				}
				expect(own[0].time).toBe(way === 'refusedAtDecision' ? own[0].time : proposal.createdAt);
				if (two) {
					expect(decisionRows).toMatchObject([
						{ approver: ADA, approverIdentity: 'named link', comment: comment || null },
						{ approver: GRACE, approverIdentity: 'named link', comment: null },
					]);
					for (const [i, who] of [ADA, GRACE].entries())
						expect(decisionRows[i].linkDeliveredTo).toBe(`notification workflow item for ${who}`);
					expect(outcome).toMatchObject({
						approver: `${ADA} and ${GRACE}`,
						approvers: JSON.stringify([ADA, GRACE]),
					});
				} else {
					for (const row of decisionRows)
						expect(row).toMatchObject({
							approver,
							approverIdentity: 'typed name',
							linkDeliveredTo: 'Slack-compatible webhook',
							comment: comment || null,
						});
					expect(outcome).toMatchObject({ approver, comment: comment || null });
				}
				expect(outcome.outcome).toBe(outcome.event);
				if (outcome.event === 'executed') {
					expect(outcome).toMatchObject({
						stripeObjectId: item.json.id,
						requestId: expect.stringMatching(/^req_/),
						replayed: false,
						reason: null,
					});
					expect(e.list('refund', 'test').map((r) => r.id)).toContain(item.json.id);
				} else {
					expect(outcome.stripeObjectId).toBeNull();
				}
				if (way === 'refusedByStripe')
					expect(outcome.reason).toMatch(/missing Refunds: Write \(rak_refund_write\)/);
				if (way === 'writesOff') expect(outcome.reason).toMatch(/Allow Writes off/);
				if (way === 'late') expect(outcome.reason).toMatch(/expired at/);
				if (way === 'refusedAtDecision') expect(outcome.reason).toMatch(/another credential/);

				// Proposal Status reads the same rows back (as the table returns them) and says what
				// became of the proposal; before any decision, pending until decideBy, then expired.
				const id = String(own[0].proposalId);
				const status = proposalStatus(id, own, Date.now());
				expect(status).toMatchObject(STATUS[way]);
				if (status.status === 'executed') expect(status.stripeObjectId).toBe(item.json.id);
				if (status.status === 'failed') expect(status.reason).toBe(outcome.reason);
				if (way === 'refusedAtDecision') continue;
				const decideBy = Date.parse(String(own[0].decideBy));
				expect(decideBy).toBeGreaterThan(Date.parse(proposal.createdAt as string));
				expect(proposalStatus(id, own.slice(0, 1), decideBy - 1).status).toBe('pending');
				expect(proposalStatus(id, own.slice(0, 1), decideBy).status).toBe('expired');
				// Another time through approval (proposed again): only the new round counts.
				expect(proposalStatus(id, [...own, own[0]], decideBy - 1).status).toBe('pending');
			}
			const written = e.list('refund', 'test').length;
			expect(written).toBe(way === 'executed' || two ? proposals.length : 0);
		}),
		{ numRuns: RUNS },
	);
});
