/**
 * Proposals: a write Stripe Guard will not make on its own. A proposal carries the exact request,
 * a summary a person can judge at a glance, its lifetime and an HMAC signature keyed from the
 * credential, so that no other node (or agent) can forge one or alter what was approved.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PROPOSAL_TYPE = 'stripeGuardProposal';

/**
 * Stripe keeps an idempotency key for 24 hours. A proposal executes only before it expires and
 * no earlier than it was created, so with lifetimes below 24 hours every replay of its write
 * falls inside the window of the first one and Stripe answers it from that key (one hour margin).
 */
export const MAX_LIFETIME_HOURS = 23;
const MAX_LIFETIME_MS = MAX_LIFETIME_HOURS * 3_600_000;
const SIGNING_CONTEXT = 'n8n-nodes-stripe-guard proposal signature v1';

export interface StripeWriteRequest {
	method: 'POST' | 'DELETE';
	/** API path, e.g. /v1/refunds or /v1/customers/cus_123. */
	path: string;
	params: Record<string, unknown>;
}

export interface Proposal {
	type: typeof PROPOSAL_TYPE;
	version: 1;
	proposalId: string;
	resource: string;
	operation: string;
	mode: 'test' | 'live';
	request: StripeWriteRequest;
	summary: string;
	/** Amounts per currency in minor units, for the approval batch's totals. */
	amounts: Record<string, number>;
	createdAt: string;
	expiresAt: string;
	signature: string;
}

/** What the signature covers; anything else on an item (a note, a user's own field) is ignored. */
const SIGNED_FIELDS = [
	'type',
	'version',
	'proposalId',
	'resource',
	'operation',
	'mode',
	'request',
	'summary',
	'amounts',
	'createdAt',
	'expiresAt',
] as const;

export type UnsignedProposal = Omit<
	Proposal,
	'signature' | 'type' | 'version' | 'proposalId' | 'createdAt' | 'expiresAt'
>;

/** JSON with keys sorted at every level, so the same proposal always signs the same. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

/** The signing key is derived from the API key, never the API key itself. */
function signingKey(apiKey: string): Buffer {
	return createHmac('sha256', apiKey).update(SIGNING_CONTEXT).digest();
}

function signatureOf(proposal: Omit<Proposal, 'signature'>, apiKey: string): string {
	return createHmac('sha256', signingKey(apiKey)).update(canonicalJson(proposal)).digest('hex');
}

export function createProposal(
	draft: UnsignedProposal,
	apiKey: string,
	lifetimeMs: number,
	now = Date.now(),
): Proposal {
	if (!(lifetimeMs > 0 && lifetimeMs <= MAX_LIFETIME_MS))
		throw new RangeError(`A proposal lives at most ${MAX_LIFETIME_HOURS} hours`);
	const unsigned: Omit<Proposal, 'signature'> = {
		type: PROPOSAL_TYPE,
		version: 1,
		proposalId: `prop_${randomBytes(12).toString('hex')}`,
		...draft,
		createdAt: new Date(now).toISOString(),
		expiresAt: new Date(now + lifetimeMs).toISOString(),
	};
	return { ...unsigned, signature: signatureOf(unsigned, apiKey) };
}

/**
 * Why a proposal was refused: `expired` is the one a person's delay can cause; the rest mean it
 * cannot be trusted.
 */
export type ProposalProblem =
	| 'not_a_proposal'
	| 'signature'
	| 'not_allowed'
	| 'lifetime'
	| 'expired';
export type ProposalCheck =
	| { ok: true; proposal: Proposal }
	| { ok: false; problem: ProposalProblem; reason: string };

/**
 * The fix for a proposal or approval on the wrong credential: a proposal is signed with a key
 * derived from its credential, and only a credential with Allow Writes on can execute it.
 */
export const SAME_WRITE_CREDENTIAL =
	'Use one Stripe Guard credential with Allow Writes on (for example one named ' +
	'"Stripe Guard writes") on both the Propose node and the Stripe Guard Approval node';

/** Checks shape, signature and expiry; `allowed`: the resource.operation pairs that may execute. */
export function verifyProposal(
	value: unknown,
	apiKey: string,
	allowed: ReadonlySet<string>,
	now = Date.now(),
): ProposalCheck {
	if (!value || typeof value !== 'object' || (value as Proposal).type !== PROPOSAL_TYPE) {
		return {
			ok: false,
			problem: 'not_a_proposal',
			reason:
				'This item is not a Stripe Guard proposal. ' +
				'Connect the output of a Stripe Guard write operation.',
		};
	}
	const proposal = value as Proposal;
	if (typeof proposal.signature !== 'string' || !/^[0-9a-f]{64}$/.test(proposal.signature)) {
		return {
			ok: false,
			problem: 'signature',
			reason:
				`Proposal ${String(proposal.proposalId)} has no valid signature; ` +
				'only Stripe Guard can create proposals.',
		};
	}
	const signed = Object.fromEntries(SIGNED_FIELDS.map((field) => [field, proposal[field]])) as Omit<
		Proposal,
		'signature'
	>;
	const expected = Buffer.from(signatureOf(signed, apiKey), 'hex');
	if (!timingSafeEqual(expected, Buffer.from(proposal.signature, 'hex'))) {
		return {
			ok: false,
			problem: 'signature',
			reason:
				`Proposal ${String(proposal.proposalId)} was changed after Stripe Guard created it, ` +
				`or was made with another credential. ${SAME_WRITE_CREDENTIAL}, then propose again.`,
		};
	}
	if (!allowed.has(`${proposal.resource}.${proposal.operation}`)) {
		return {
			ok: false,
			problem: 'not_allowed',
			reason:
				`Proposal ${proposal.proposalId} is for ${proposal.resource} ${proposal.operation}, ` +
				'which Stripe Guard does not execute.',
		};
	}
	if (!(Date.parse(proposal.expiresAt) - Date.parse(proposal.createdAt) <= MAX_LIFETIME_MS)) {
		return {
			ok: false,
			problem: 'lifetime',
			reason:
				`Proposal ${proposal.proposalId} lives longer than ${MAX_LIFETIME_HOURS} hours ` +
				"(made by an older Stripe Guard), past Stripe's 24-hour idempotency window. " +
				'Create it again.',
		};
	}
	if (Date.parse(proposal.expiresAt) <= now) {
		return {
			ok: false,
			problem: 'expired',
			reason: `Proposal ${proposal.proposalId} expired at ${proposal.expiresAt}. Create it again.`,
		};
	}
	return { ok: true, proposal: { ...signed, signature: proposal.signature } };
}

/** The Idempotency-Key of a proposal's write: the same proposal can never write twice. */
export function idempotencyKey(proposal: Pick<Proposal, 'proposalId'>): string {
	return `stripe-guard-${proposal.proposalId}`;
}
