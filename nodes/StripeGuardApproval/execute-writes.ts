/**
 * Runs approved proposals: exactly the proposed request, with an idempotency key derived from
 * the proposal id, so that re-running or replaying an approval cannot write twice. Every
 * outcome carries an audit record.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import type { StripeGuardCredentials } from '../shared/credentials/credentials';
import { toNodeError } from '../shared/errors';
import { idempotencyKey, type Proposal } from '../shared/proposals/proposals';
import type { StripeClient } from '../shared/transport';
import type { BatchEntry } from './batch';

export type Outcome = 'executed' | 'failed' | 'rejected' | 'expired';

export interface Decision {
	/** Who decided: a named approver's link owner, or the name typed on an unnamed link ("and" for two). */
	approver: string;
	approvers: string[];
	/** `named link`: the signed link belongs to this approver; `typed name`: anyone holding the link typed it. */
	approverIdentity: 'named link' | 'typed name';
	comment: string;
	decidedAt: string;
	workflowId: string;
	executionId: string;
}

export function auditRecord(
	proposal: Proposal,
	decision: Decision,
	outcome: Outcome,
	extra: IDataObject = {},
): IDataObject {
	return {
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
		comment: decision.comment,
		decidedAt: decision.decidedAt,
		workflowId: decision.workflowId,
		executionId: decision.executionId,
		...extra,
	};
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
		audit: auditRecord(entry.proposal, decision, outcome, reason ? { reason } : {}),
	},
	pairedItem: { item: entry.itemIndex },
});

const WRITES_OFF =
	'Not executed: the Stripe Guard credential has Allow Writes off. Turn on Allow Writes on the credential (with a key that has the write permission) and propose again.';

export async function executeApproved(
	node: INode,
	stripe: StripeClient,
	credentials: StripeGuardCredentials,
	entries: BatchEntry[],
	decision: Decision,
) {
	const items = [];
	for (const entry of entries) {
		const { proposal } = entry;
		if (!credentials.allowWrites) {
			items.push({
				json: {
					error: WRITES_OFF,
					audit: auditRecord(proposal, decision, 'failed', { reason: WRITES_OFF }),
				},
				pairedItem: { item: entry.itemIndex },
			});
			continue;
		}
		try {
			// DELETE parameters (a subscription cancel's invoice_now, prorate) travel in the query, as Stripe takes them.
			const response = await stripe.rawRequest(
				proposal.request.method,
				proposal.request.path,
				proposal.request.params,
				{
					idempotencyKey: idempotencyKey(proposal),
				},
			);
			const { lastResponse } = response;
			const { client_secret: _secret, ...object } = response as unknown as IDataObject;
			const replayed = lastResponse.headers['idempotent-replayed'] === 'true';
			items.push({
				json: {
					...object,
					audit: auditRecord(proposal, decision, 'executed', {
						stripeObjectId: (object.id as string) ?? null,
						requestId: lastResponse.requestId ?? null,
						replayed,
					}),
				},
				pairedItem: { item: entry.itemIndex },
			});
		} catch (error) {
			const nodeError = toNodeError(node, error, entry.itemIndex);
			items.push({
				json: {
					error: nodeError.message,
					description: nodeError.description ?? null,
					audit: auditRecord(proposal, decision, 'failed', {
						requestId: (error as { requestId?: string }).requestId ?? null,
						reason: nodeError.message,
					}),
				},
				pairedItem: { item: entry.itemIndex },
			});
		}
	}
	return items;
}
