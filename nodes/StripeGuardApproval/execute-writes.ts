/**
 * Runs approved proposals: exactly the proposed request, with an idempotency key derived from
 * the proposal id, so that re-running or replaying an approval cannot write twice. Every
 * outcome carries an audit record and leaves on its output (OUTPUT).
 */
import type { IDataObject, INode, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import type { StripeGuardCredentials } from '../shared/credentials/credentials';
import { toNodeError } from '../shared/errors';
import { withoutSecrets } from '../shared/privacy/privacy';
import { idempotencyKey, SAME_WRITE_CREDENTIAL } from '../shared/proposals/proposals';
import { createStripeClient, type StripeClient } from '../shared/transport';
import {
	approvalRows,
	auditRecord,
	auditRows,
	refusedRow,
	type AuditValues,
	type Decision,
	type Outcome,
} from './audit';
import { notRecorded, recordOutcomes, type AuditTrail } from './audit-trail';
import type { BatchEntry, BatchProblem } from './batch';
import type { PageResult } from './page';
import { approvedJson, failedJson } from './result';

/**
 * Output order matters: when the time limit ends the wait, n8n resumes the node as if it were
 * disabled and passes its input (the unexecuted proposals) to output 0. Expired is output 0 so
 * that a time-out can never reach the Approved output; Failed comes last.
 */
export const OUTPUT = { expired: 0, approved: 1, rejected: 2, failed: 3 } as const;

export const NOTHING_WRITTEN = 'Nothing was written to Stripe.';

/**
 * An item's audit record and its rows (audit.ts): the record of the outcome, and one row per
 * event of the proposal, ready for a Data Table.
 */
function audited(
	entry: BatchEntry,
	decision: Decision,
	outcome: Outcome,
	extra: AuditValues = {},
): { audit: IDataObject; auditRows: IDataObject[] } {
	const audit = auditRecord(entry.proposal, decision, outcome, extra);
	// The clock the decision was read with (decide.ts), so the rows' times keep their order.
	const at = new Date(Date.now()).toISOString();
	return { audit, auditRows: auditRows(entry.proposal, decision, audit, at, entry.agent) };
}

/** The output item of a proposal that was not executed: what was proposed, and why it was not. */
export const notExecutedItem = (
	entry: BatchEntry,
	decision: Decision,
	outcome: 'rejected' | 'expired',
	reason?: string,
) => ({
	json: {
		request: entry.proposal.request as unknown as IDataObject,
		...audited(entry, decision, outcome, reason ? { reason } : {}),
	},
	pairedItem: { item: entry.itemIndex },
});

const WRITES_OFF =
	'Not executed: the Stripe Guard credential has Allow Writes off. ' +
	`${SAME_WRITE_CREDENTIAL}, then propose again.`;

export async function executeApproved(
	node: INode,
	stripe: StripeClient,
	credentials: StripeGuardCredentials,
	entries: BatchEntry[],
	decision: Decision,
) {
	const items: INodeExecutionData[] = [];
	for (const entry of entries) {
		const { proposal } = entry;
		if (!credentials.allowWrites) {
			items.push({
				json: failedJson(
					node,
					WRITES_OFF,
					audited(entry, decision, 'failed', { reason: WRITES_OFF }),
				),
				pairedItem: { item: entry.itemIndex },
			});
			continue;
		}
		try {
			// DELETE parameters (a subscription cancel's invoice_now, prorate) travel in the query,
			// as Stripe takes them.
			const response = await stripe.rawRequest(
				proposal.request.method,
				proposal.request.path,
				proposal.request.params,
				{
					idempotencyKey: idempotencyKey(proposal),
				},
			);
			const { lastResponse } = response;
			// Whatever Stripe returns, no secret at any depth (the object names its own type).
			const object = { ...withoutSecrets(response as unknown as IDataObject) };
			const replayed = lastResponse.headers['idempotent-replayed'] === 'true';
			const record = audited(entry, decision, 'executed', {
				stripeObjectId: (object.id as string) ?? null,
				requestId: lastResponse.requestId ?? null,
				replayed,
			});
			items.push({
				json: approvedJson(node, proposal.resource, object, record),
				pairedItem: { item: entry.itemIndex },
			});
		} catch (error) {
			const nodeError = toNodeError(node, error, entry.itemIndex);
			const record = audited(entry, decision, 'failed', {
				requestId: (error as { requestId?: string }).requestId ?? null,
				reason: nodeError.message,
			});
			items.push({
				json: failedJson(node, nodeError.message, record, {
					description: nodeError.description ?? null,
					error,
				}),
				pairedItem: { item: entry.itemIndex },
			});
		}
	}
	return items;
}

/** A decision made after the deadline: every proposal, those refused as expired too, on Expired. */
export function expiredOutputs(
	entries: BatchEntry[],
	problems: BatchProblem[],
	decision: Decision,
	reason: string,
): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], [], [], []];
	const lapsed = [...entries, ...problems.flatMap((p) => (p.expired ? [p.expired] : []))];
	outputs[OUTPUT.expired].push(
		...lapsed.map((entry) => notExecutedItem(entry, decision, 'expired', reason)),
	);
	return outputs;
}

/** Proposals refused at the decision: expired ones on Expired, the others on Failed. */
function refusedItems(
	node: INode,
	outputs: INodeExecutionData[][],
	problems: BatchProblem[],
	decision: Decision,
): void {
	for (const problem of problems) {
		if (problem.expired)
			outputs[OUTPUT.expired].push(
				notExecutedItem(problem.expired, decision, 'expired', problem.reason),
			);
		else {
			// The record keeps the shape it always had; where an unnamed link went is in the row.
			const record: Partial<Decision> = { ...decision };
			delete record.linkDeliveredTo;
			delete record.decideBy;
			const at = new Date(Date.now()).toISOString();
			outputs[OUTPUT.failed].push({
				json: failedJson(node, problem.reason, {
					audit: { outcome: 'failed', reason: problem.reason, ...record } as unknown as IDataObject,
					auditRows: [refusedRow(problem.claimed, decision, problem.reason, at)],
				}),
				pairedItem: { item: problem.itemIndex },
			});
		}
	}
}

/**
 * Carries out a final decision: refused proposals to Expired or Failed, then the proposals
 * rejected, or executed (Approved, or Failed where Stripe refused). With an audit trail, the
 * approvals are recorded before Stripe is called (not recorded, nothing is executed) and every
 * outcome after. Also what the page says.
 */
export async function carryOutDecision(
	fn: IWebhookFunctions,
	credentials: StripeGuardCredentials,
	batch: { entries: BatchEntry[]; problems: BatchProblem[] },
	decision: 'approve' | 'reject',
	record: Decision,
	trail?: AuditTrail,
): Promise<{ outputs: INodeExecutionData[][]; result: PageResult }> {
	const { entries } = batch;
	const outputs: INodeExecutionData[][] = [[], [], [], []];
	refusedItems(fn.getNode(), outputs, batch.problems, record);
	const by = record.approver ? ` by ${record.approver}` : '';
	const finish = async (result: PageResult) => {
		const unrecorded = await recordOutcomes(trail, outputs);
		return {
			outputs,
			result: unrecorded ? { ...result, lines: [...result.lines, unrecorded] } : result,
		};
	};
	if (decision === 'reject') {
		outputs[OUTPUT.rejected].push(
			...entries.map((entry) => notExecutedItem(entry, record, 'rejected')),
		);
		return await finish({ heading: `Rejected${by}`, lines: [NOTHING_WRITTEN] });
	}
	const unapproved = trail && (await approvalsNotRecorded(trail, entries, record));
	if (unapproved) {
		outputs[OUTPUT.failed].push(
			...entries.map((entry) => ({
				json: failedJson(
					fn.getNode(),
					unapproved,
					audited(entry, record, 'failed', { reason: unapproved }),
				),
				pairedItem: { item: entry.itemIndex },
			})),
		);
		return await finish({ heading: `Approved${by}, but not executed`, lines: [unapproved] });
	}
	const done = await executeApproved(
		fn.getNode(),
		createStripeClient(fn, credentials),
		credentials,
		entries,
		record,
	);
	for (const item of done) outputs[item.json.error ? OUTPUT.failed : OUTPUT.approved].push(item);
	const executed = outputs[OUTPUT.approved];
	const failed = outputs[OUTPUT.failed];
	const heading = `Approved${by}: ${executed.length} of ${entries.length} change(s) made in Stripe`;
	const lines = [
		...executed.map((item) => {
			const summary = String((item.json.audit as IDataObject).summary);
			return `Done: ${summary}, Stripe ID ${String(item.json.id ?? '')}`;
		}),
		...failed.map((item) => `Not done: ${String(item.json.error)}`),
	];
	return await finish({ heading, lines });
}

/** Records the approvals before anything runs; the reason nothing runs when they cannot be. */
async function approvalsNotRecorded(
	trail: AuditTrail,
	entries: BatchEntry[],
	record: Decision,
): Promise<string | undefined> {
	try {
		await trail.append(
			entries.flatMap((entry) => approvalRows(entry.proposal, record, entry.agent)),
		);
		return undefined;
	} catch (error) {
		return `Not executed: ${notRecorded(trail, error)}. ${NOTHING_WRITTEN}`;
	}
}
