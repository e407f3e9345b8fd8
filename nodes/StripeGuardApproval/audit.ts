/**
 * The audit trail: one declaration of every column, from which both the `audit` record on each
 * output item and the rows of `auditRows` are made. A row is one event of one proposal
 * (proposed, approved by one approver, rejected, executed, failed, expired), flat and typed as
 * n8n's Data Tables type columns, so n8n's own Data Table node can store it as it is.
 */
import type { IDataObject } from 'n8n-workflow';

import { auditRow, type AuditRow, type AuditValues } from '../shared/audit/columns';
import { idempotencyKey, type Proposal } from '../shared/proposals/proposals';
import type { Approval } from './decisions';

export {
	AUDIT_COLUMNS,
	auditTableColumns,
	type AuditColumn,
	type AuditRow,
	type AuditValues,
} from '../shared/audit/columns';

export type Outcome = 'executed' | 'failed' | 'rejected' | 'expired';

export type AuditEvent = 'proposed' | 'approved' | 'rejected' | Exclude<Outcome, 'rejected'>;

export interface Decision {
	/** Who decided: a named link's owner, or the name typed on an unnamed link ("and" for two). */
	approver: string;
	approvers: string[];
	/**
	 * `named link`: the signed link belongs to this approver;
	 * `typed name`: anyone holding the link typed it.
	 */
	approverIdentity: 'named link' | 'typed name';
	/**
	 * With named links, each approval: who, their comment, when, and where the link they used was
	 * delivered (what a named link proves is that its holder had that delivery).
	 */
	approvals?: Approval[];
	/** Where an unnamed link went (it is not in `approvals`, which only named links have). */
	linkDeliveredTo?: string;
	comment: string;
	decidedAt: string;
	workflowId: string;
	executionId: string;
	/** When the wait for a decision ended or ends (rows only; not in the `audit` record). */
	decideBy?: string;
}

/**
 * Who asked for a proposal when an AI Agent's tool made it: the agent node, the tool's name and
 * the arguments the model passed, and the chat model connected to the agent as n8n shows it.
 */
export interface AgentOrigin {
	agentNode: string;
	agentTool: string;
	agentToolInput: unknown;
	chatModelNode: string;
	chatModel: string;
}

export function auditRecord(
	proposal: Proposal,
	decision: Decision,
	outcome: Outcome,
	extra: AuditValues = {},
): IDataObject {
	const record: AuditValues = {
		proposalId: proposal.proposalId,
		resource: proposal.resource,
		operation: proposal.operation,
		summary: proposal.summary,
		mode: proposal.mode,
		outcome,
		stripeObjectId: null,
		requestId: null,
		idempotencyKey: idempotencyKey(proposal),
		approver: decision.approver,
		approvers: decision.approvers,
		approverIdentity: decision.approverIdentity,
		...(decision.approvals ? { approvals: decision.approvals } : {}),
		comment: decision.comment,
		decidedAt: decision.decidedAt,
		workflowId: decision.workflowId,
		executionId: decision.executionId,
		...extra,
	};
	return record as IDataObject;
}

/** What every row of a proposal repeats, so that any one row says what was proposed and where. */
function proposalValues(proposal: Proposal, where: Where, agent?: AgentOrigin): AuditValues {
	return {
		proposalId: proposal.proposalId,
		resource: proposal.resource,
		operation: proposal.operation,
		summary: proposal.summary,
		mode: proposal.mode,
		idempotencyKey: idempotencyKey(proposal),
		request: proposal.request,
		amounts: proposal.amounts,
		proposedAt: proposal.createdAt,
		expiresAt: proposal.expiresAt,
		decideBy: where.decideBy ?? null,
		workflowId: where.workflowId,
		executionId: where.executionId,
		...agent,
	};
}

/** Each approval as an event of its own: who, how they are known, where their link went. */
function approvalEvents(decision: Decision, event: 'approved' | 'rejected'): AuditValues[] {
	const approvals: Array<Approval & { approverIdentity: Decision['approverIdentity'] }> =
		decision.approvals?.map((a) => ({ ...a, approverIdentity: 'named link' })) ?? [
			{
				approver: decision.approver,
				comment: decision.comment,
				at: decision.decidedAt,
				linkDeliveredTo: decision.linkDeliveredTo ?? '',
				approverIdentity: decision.approverIdentity,
			},
		];
	return approvals.map((a) => ({
		time: a.at,
		event,
		approver: a.approver,
		approverIdentity: a.approverIdentity,
		linkDeliveredTo: a.linkDeliveredTo,
		comment: a.comment,
		decidedAt: a.at,
	}));
}

/** Where a proposal is being decided: the workflow, the execution, and the wait's deadline. */
export type Where = Pick<Decision, 'workflowId' | 'executionId' | 'decideBy'>;

/** The row of a proposal received, written before anyone is asked. */
export function proposedRow(proposal: Proposal, where: Where, agent?: AgentOrigin): AuditRow {
	return auditRow({
		...proposalValues(proposal, where, agent),
		time: proposal.createdAt,
		event: 'proposed',
	});
}

/** The rows of each approval of a proposal, written before it is executed. */
export function approvalRows(proposal: Proposal, decision: Decision, agent?: AgentOrigin) {
	const base = proposalValues(proposal, decision, agent);
	return approvalEvents(decision, 'approved').map((event) => auditRow({ ...base, ...event }));
}

/**
 * The row of the outcome: the rejection (with who rejected), or executed, failed or expired.
 * `record` is the item's `audit`; `at` is when the outcome became known.
 */
export function outcomeRow(
	proposal: Proposal,
	decision: Decision,
	record: IDataObject,
	at: string,
	agent?: AgentOrigin,
): AuditRow {
	const base = proposalValues(proposal, decision, agent);
	const outcome = record.outcome as Outcome;
	return auditRow(
		outcome === 'rejected'
			? { ...base, ...record, ...approvalEvents(decision, 'rejected')[0] }
			: { ...base, ...record, time: at, event: outcome },
	);
}

/**
 * The rows of one proposal's way through the approval, one per event: proposed; then each
 * approval and the outcome (executed or failed), or the rejection, or the expiry.
 */
export function auditRows(
	proposal: Proposal,
	decision: Decision,
	record: IDataObject,
	at: string,
	agent?: AgentOrigin,
): AuditRow[] {
	const outcome = record.outcome as Outcome;
	return [
		proposedRow(proposal, decision, agent),
		...(outcome === 'rejected' || outcome === 'expired'
			? []
			: approvalRows(proposal, decision, agent)),
		outcomeRow(proposal, decision, record, at, agent),
	];
}

/**
 * The row of an item refused when a link was answered (it no longer verifies): only what it
 * claims to be, with why it was refused; it was never executed.
 */
export function refusedRow(
	claimed: IDataObject | undefined,
	decision: Decision,
	reason: string,
	at: string,
): AuditRow {
	const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : null);
	return auditRow({
		time: at,
		event: 'failed',
		outcome: 'failed',
		reason,
		proposalId: text(claimed?.proposalId),
		resource: text(claimed?.resource),
		operation: text(claimed?.operation),
		approver: decision.approver,
		approvers: decision.approvers,
		approverIdentity: decision.approverIdentity,
		comment: decision.comment,
		decidedAt: decision.decidedAt,
		workflowId: decision.workflowId,
		executionId: decision.executionId,
	});
}
