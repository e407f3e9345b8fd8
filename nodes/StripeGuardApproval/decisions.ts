/**
 * One decision per wait, final. n8n calls the approval node's webhook for every submission
 * that reaches a waiting execution, concurrent ones included, and resumes the execution for each
 * that returns data. The first decision is claimed here, synchronously (no await between check
 * and set), so a concurrent or later submission sees it and resumes nothing. Approvals that wait
 * for a second approver are kept here too. Keys name the execution, the node and the wait
 * (waits.ts): a node reached again in the same execution starts with no decision.
 *
 * This is the memory of the n8n process that answers approval links (the main process, also in
 * queue mode). After n8n finishes the execution it refuses the links itself. Not covered: several
 * main or webhook processes answering links of one execution, and a pending first approval across
 * an n8n restart (it is forgotten: the first approver approves again).
 */

export type FinalDecision = 'approve' | 'reject' | 'expired';

export interface Approval {
	approver: string;
	comment: string;
	at: string;
	/** Where the link used was delivered, for the audit record. */
	linkDeliveredTo: string;
}

export interface DecisionState {
	approvals: Approval[];
	final?: { decision: FinalDecision; by: string; at: string; result?: string };
}

const KEEP_MS = 25 * 3_600_000;
const states = new Map<string, DecisionState & { touched: number }>();

function prune(now: number) {
	for (const [key, state] of states) if (now - state.touched > KEEP_MS) states.delete(key);
}

export function decisionState(key: string): DecisionState {
	const now = Date.now();
	prune(now);
	let state = states.get(key);
	if (!state) {
		state = { approvals: [], touched: now };
		states.set(key, state);
	}
	state.touched = now;
	return state;
}

/** Claims the final decision; false when another submission already made it. */
export function claimFinal(key: string, decision: FinalDecision, by: string): boolean {
	const state = decisionState(key);
	if (state.final) return false;
	state.final = { decision, by, at: new Date().toISOString() };
	return true;
}

/** Records what the final decision did, for everyone who opens a link afterwards. */
export function recordResult(key: string, result: string): void {
	const state = decisionState(key);
	if (state.final) state.final.result = result;
}

/** Adds an approval; false when this approver already approved. */
export function addApproval(key: string, approval: Approval): boolean {
	const state = decisionState(key);
	if (state.approvals.some((a) => a.approver === approval.approver)) return false;
	state.approvals.push(approval);
	return true;
}

/**
 * One approval where two approvers must approve: the first is kept and decides nothing; the
 * second decides with it. 'again' when this approver already approved, 'first' when kept, else
 * the approvals before this one.
 */
export function approveOneOfTwo(key: string, approval: Approval): 'again' | 'first' | Approval[] {
	const approvals = decisionState(key).approvals;
	if (approvals.some((a) => a.approver === approval.approver)) return 'again';
	if (approvals.length === 0) {
		addApproval(key, approval);
		return 'first';
	}
	return approvals;
}
