/**
 * The audit trail: one declaration of every column, from which both the `audit` record on each
 * output item and the rows of `auditRows` are made. A row is one event of one proposal
 * (proposed, approved by one approver, rejected, executed, failed, expired), flat and typed as
 * n8n's Data Tables type columns, so n8n's own Data Table node can store it as it is.
 */
import type { IDataObject } from 'n8n-workflow';

import { idempotencyKey, type Proposal } from '../shared/proposals/proposals';
import type { Approval } from './decisions';

/** n8n's Data Table column types; `json` is a string column holding JSON. */
type Kind = 'string' | 'number' | 'boolean' | 'date' | 'json';

/**
 * Every column of the audit trail, in the order a table shows them. The `audit` record uses the
 * same names (auditRecord below is typed by them): a field cannot be in one and not the other.
 */
export const AUDIT_COLUMNS = {
	time: 'date',
	event: 'string',
	proposalId: 'string',
	resource: 'string',
	operation: 'string',
	summary: 'string',
	mode: 'string',
	outcome: 'string',
	stripeObjectId: 'string',
	requestId: 'string',
	idempotencyKey: 'string',
	replayed: 'boolean',
	reason: 'string',
	approver: 'string',
	approvers: 'json',
	approverIdentity: 'string',
	approvals: 'json',
	linkDeliveredTo: 'string',
	comment: 'string',
	decidedAt: 'date',
	workflowId: 'string',
	executionId: 'string',
	request: 'json',
	amounts: 'json',
	proposedAt: 'date',
	expiresAt: 'date',
	agentNode: 'string',
	agentTool: 'string',
	agentToolInput: 'json',
	chatModelNode: 'string',
	chatModel: 'string',
} as const satisfies Record<string, Kind>;

export type AuditColumn = keyof typeof AUDIT_COLUMNS;

type ValueOf<K extends Kind> = K extends 'boolean' ? boolean : K extends 'json' ? unknown : string;

/** Values by column; a record or a row holds some of them. */
export type AuditValues = { [C in AuditColumn]?: ValueOf<(typeof AUDIT_COLUMNS)[C]> | null };

/** A row as n8n's Data Table node inserts it: every column, each a string, boolean or null. */
export type AuditRow = Record<AuditColumn, string | boolean | null>;

/** The columns with n8n's Data Table types, to create the table (`json` is stored as string). */
export const auditTableColumns = () =>
	(Object.entries(AUDIT_COLUMNS) as Array<[AuditColumn, Kind]>).map(([name, kind]) => ({
		name,
		type: kind === 'json' ? 'string' : kind,
	}));

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

/** A value as its column stores it: JSON as text, dates as ISO text, nothing as null. */
function cell(kind: Kind, value: unknown): string | boolean | null {
	if (value === undefined || value === null || value === '') return null;
	if (kind === 'json') return JSON.stringify(value);
	if (kind === 'boolean') return value === true;
	return String(value);
}

export function auditRow(values: AuditValues): AuditRow {
	const row = {} as AuditRow;
	for (const [column, kind] of Object.entries(AUDIT_COLUMNS) as Array<[AuditColumn, Kind]>)
		row[column] = cell(kind, values[column]);
	return row;
}

/** What every row of a proposal repeats, so that any one row says what was proposed and where. */
function proposalValues(proposal: Proposal, decision: Decision, agent?: AgentOrigin): AuditValues {
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
		workflowId: decision.workflowId,
		executionId: decision.executionId,
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

/**
 * The rows of one proposal's way through the approval, one per event: proposed; then each
 * approval and the outcome (executed or failed), or the rejection, or the expiry. `record` is the
 * item's `audit`; `at` is when the outcome became known.
 */
export function auditRows(
	proposal: Proposal,
	decision: Decision,
	record: IDataObject,
	at: string,
	agent?: AgentOrigin,
): AuditRow[] {
	const base = proposalValues(proposal, decision, agent);
	const outcome = record.outcome as Outcome;
	const events: AuditValues[] = [{ time: proposal.createdAt, event: 'proposed' }];
	if (outcome === 'rejected')
		events.push({ ...record, ...approvalEvents(decision, 'rejected')[0] });
	else {
		if (outcome !== 'expired') events.push(...approvalEvents(decision, 'approved'));
		events.push({ ...record, time: at, event: outcome });
	}
	return events.map((event) => auditRow({ ...base, ...event }));
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
