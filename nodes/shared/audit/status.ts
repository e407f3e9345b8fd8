/**
 * What became of a proposal, read from its rows in the audit trail: the latest time it went
 * through approval (from its last `proposed` row), and that round's outcome.
 */
import type { StoredRow } from './table';

export type ProposalState =
	| 'pending'
	| 'approved'
	| 'executed'
	| 'rejected'
	| 'failed'
	| 'expired'
	| 'unknown';

export interface ProposalStatus {
	proposalId: string;
	status: ProposalState;
	/** One sentence: what the status means and what to do next. */
	note: string;
	resource: string | null;
	operation: string | null;
	summary: string | null;
	mode: string | null;
	proposedAt: string | null;
	/** Until when a person can decide (pending). */
	decideBy: string | null;
	/** When the outcome happened. */
	decidedAt: string | null;
	/** Who approved or rejected. */
	approvers: string[];
	comment: string | null;
	stripeObjectId: string | null;
	requestId: string | null;
	idempotencyKey: string | null;
	reason: string | null;
	/** Every event of the round, oldest first. */
	events: Array<{ time: string | null; event: string | null; approver: string | null }>;
}

const OUTCOMES = new Set(['executed', 'failed', 'rejected', 'expired']);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The status of `proposalId` from its rows (in the order appended). `now` decides whether a
 * proposal nobody decided is still pending or has expired.
 */
export function proposalStatus(proposalId: string, rows: StoredRow[], now: number): ProposalStatus {
	const lastProposed = rows.map((r) => r.event).lastIndexOf('proposed');
	const round = lastProposed >= 0 ? rows.slice(lastProposed) : rows;
	const first = round[0] ?? {};
	const outcome = [...round].reverse().find((r) => OUTCOMES.has(String(r.event)));
	const decisions = round.filter((r) => r.event === 'approved' || r.event === 'rejected');
	const decideBy = text(first.decideBy) ?? text(first.expiresAt);
	const status: ProposalStatus = {
		proposalId,
		status: 'unknown',
		note: '',
		resource: text(first.resource),
		operation: text(first.operation),
		summary: text(first.summary),
		mode: text(first.mode),
		proposedAt: text(first.proposedAt),
		decideBy,
		decidedAt: text(outcome?.decidedAt) ?? text(decisions.at(-1)?.decidedAt),
		approvers: decisions.map((r) => text(r.approver)).filter((a): a is string => a !== null),
		comment:
			decisions
				.map((r) => text(r.comment))
				.filter(Boolean)
				.join(' / ') || null,
		stripeObjectId: text(outcome?.stripeObjectId),
		requestId: text(outcome?.requestId),
		idempotencyKey: text(first.idempotencyKey),
		reason: text(outcome?.reason),
		events: round.map((r) => ({
			time: text(r.time),
			event: text(r.event),
			approver: text(r.approver),
		})),
	};
	return { ...status, ...stateOf(round, outcome, decisions, decideBy, now) };
}

function stateOf(
	round: StoredRow[],
	outcome: StoredRow | undefined,
	decisions: StoredRow[],
	decideBy: string | null,
	now: number,
): Pick<ProposalStatus, 'status' | 'note'> {
	if (round.length === 0)
		return {
			status: 'unknown',
			note:
				'The audit trail has no row of this proposal yet. One just handed to an approval ' +
				'workflow gets its first row within seconds: ask again. Otherwise check the ID, and ' +
				'that the approval node writes to this data table.',
		};
	const by = () => {
		const names = decisions.map((r) => text(r.approver)).filter(Boolean);
		return names.length ? ` by ${names.join(' and ')}` : '';
	};
	switch (outcome?.event) {
		case 'executed':
			return {
				status: 'executed',
				note: `Approved${by()} and executed by Stripe: ${text(outcome.stripeObjectId) ?? 'no ID'}.`,
			};
		case 'rejected':
			return { status: 'rejected', note: `Rejected${by()}; nothing was sent to Stripe.` };
		case 'failed':
			return {
				status: 'failed',
				note: `Not executed: ${text(outcome.reason) ?? 'no reason recorded'}`,
			};
		case 'expired':
			return { status: 'expired', note: 'Nobody decided in time; nothing was sent to Stripe.' };
	}
	if (decisions.some((r) => r.event === 'approved'))
		return {
			status: 'approved',
			note:
				'Approved, but no outcome is recorded: the execution may still be running or have ' +
				"stopped. Stripe's log shows whether the idempotency key was used.",
		};
	const deadline = decideBy ? Date.parse(decideBy) : NaN;
	if (Number.isFinite(deadline) && now >= deadline)
		return {
			status: 'expired',
			note: `Nobody decided before ${decideBy}; nothing was sent to Stripe.`,
		};
	return {
		status: 'pending',
		note: `Waiting for a person's decision${decideBy ? ` until ${decideBy}` : ''}.`,
	};
}
