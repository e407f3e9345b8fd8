/**
 * The batch a person is asked to approve: the proposals found in the input items (straight from
 * Stripe Guard, or inside an AI Agent's intermediate steps), each verified, with totals per currency.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { formatAmount } from '../shared/amounts';
import type { StripeMode } from '../shared/credentials';
import { PROPOSAL_TYPE, verifyProposal, type Proposal } from '../shared/proposals';
import { EXECUTABLE_WRITES } from '../shared/write-requests';

export interface BatchEntry {
	proposal: Proposal;
	/** The input item it came from, for paired items and error messages. */
	itemIndex: number;
}

/** A refused proposal; an expired one (its signature was good) is kept to report it. */
export type BatchProblem = { itemIndex: number; reason: string; expired?: BatchEntry };

const isProposalLike = (value: unknown): boolean => !!value && typeof value === 'object' && (value as IDataObject).type === PROPOSAL_TYPE;

/** Proposals inside an AI Agent's tool outputs ("Return Intermediate Steps" on). */
function proposalsInAgentSteps(steps: unknown[]): IDataObject[] {
	const found: IDataObject[] = [];
	const visit = (value: unknown): void => {
		if (typeof value === 'string') {
			const text = value.trim();
			if (!text.includes(PROPOSAL_TYPE) || !/^[[{]/.test(text)) return;
			try {
				visit(JSON.parse(text));
			} catch {
				// Not JSON: a tool's prose answer, which holds no proposal.
			}
		} else if (Array.isArray(value)) {
			value.forEach(visit);
		} else if (isProposalLike(value)) {
			found.push(value as IDataObject);
		} else if (value && typeof value === 'object') {
			const object = value as IDataObject;
			visit(object.json ?? object.response ?? object.observation);
		}
	};
	steps.forEach((step) => visit((step as IDataObject)?.observation));
	return found;
}

/** Everything in the items that claims to be a proposal, with the index of its item. */
export function collectProposals(items: INodeExecutionData[]): Array<{ value: IDataObject; itemIndex: number }> {
	return items.flatMap((item, itemIndex) => {
		if (isProposalLike(item.json)) return [{ value: item.json, itemIndex }];
		if (Array.isArray(item.json.intermediateSteps)) {
			return proposalsInAgentSteps(item.json.intermediateSteps).map((value) => ({ value, itemIndex }));
		}
		return [{ value: item.json, itemIndex }];
	});
}

/** Verifies every proposal; the batch is only usable when there are no problems. */
export function checkBatch(items: INodeExecutionData[], apiKey: string, mode: StripeMode, now = Date.now()) {
	const entries: BatchEntry[] = [];
	const problems: BatchProblem[] = [];
	for (const { value, itemIndex } of collectProposals(items)) {
		const check = verifyProposal(value, apiKey, EXECUTABLE_WRITES, now);
		if (!check.ok) {
			const expired = check.problem === 'expired' ? { proposal: value as unknown as Proposal, itemIndex } : undefined;
			problems.push({ itemIndex, reason: check.reason, expired });
		}
		else if (check.proposal.mode !== mode) {
			problems.push({
				itemIndex,
				reason: `Proposal ${check.proposal.proposalId} is for ${check.proposal.mode} mode but the credential is for ${mode} mode.`,
			});
		} else entries.push({ proposal: check.proposal, itemIndex });
	}
	return { entries, problems };
}

export function totalsByCurrency(entries: BatchEntry[]): Record<string, number> {
	const totals: Record<string, number> = {};
	for (const { proposal } of entries) {
		for (const [currency, amount] of Object.entries(proposal.amounts ?? {})) totals[currency] = (totals[currency] ?? 0) + amount;
	}
	return totals;
}

export const formatTotals = (totals: Record<string, number>) =>
	Object.entries(totals)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([currency, amount]) => formatAmount(amount, currency))
		.join(' + ');
