/**
 * Every write Stripe Guard can propose, and the tables derived from their declarations: the
 * builders, what the approver is shown, the money, the executable set, the credential test's
 * probes. The Stripe Guard node proposes them; Stripe Guard Approval reviews and executes them.
 */
import type { Proposal } from '../../shared/proposals/proposals';
import { requestLines, type ProposalReview, type ReviewLine } from '../../shared/proposals/review';
import type { StripeClient } from '../../shared/transport';
import { checkoutSessionWrites } from './checkoutSession';
import { couponWrites } from './coupon';
import { customerWrites } from './customer';
import type { WriteDefinition, WriteDraft, WriteInput } from './define';
import { disputeWrites } from './dispute';
import { invoiceWrites } from './invoice';
import { paymentIntentWrites } from './paymentIntent';
import { priceWrites } from './price';
import { productWrites } from './product';
import { refundWrites } from './refund';
import { subscriptionWrites } from './subscription';

export { WriteInputError, type WriteDefinition, type WriteDraft } from './define';

/** In the order the node shows them within each resource. */
export const WRITES = [
	...customerWrites,
	...productWrites,
	...priceWrites,
	...subscriptionWrites,
	...invoiceWrites,
	...paymentIntentWrites,
	...refundWrites,
	...disputeWrites,
	...checkoutSessionWrites,
	...couponWrites,
] as const;

type AnyWrite = (typeof WRITES)[number];
/** "refund.create", … : the writes a proposal can name. */
export type WriteKey = AnyWrite['key'];

type ContextOf<W> = W extends WriteDefinition<string, string, infer C> ? C : never;
type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
	? I
	: never;
/** What any write's builder may be given: the union of what their context reads return. */
export type WriteContext = Partial<Intersect<ContextOf<AnyWrite>>>;

const BY_KEY = new Map<string, WriteDefinition>(
	WRITES.map((w) => [w.key, w as unknown as WriteDefinition]),
);
if (BY_KEY.size !== WRITES.length) throw new Error('Two writes share a resource and operation');

/** The write a proposal names, when Stripe Guard has it. */
export const writeOf = (proposal: Pick<Proposal, 'resource' | 'operation'>) =>
	BY_KEY.get(`${proposal.resource}.${proposal.operation}`);

/** The writes the approval node may execute. */
export const EXECUTABLE_WRITES: ReadonlySet<string> = new Set(BY_KEY.keys());

/** Each write's builder by key: validated input and context → the draft proposal. */
export const WRITE_BUILDERS = Object.fromEntries(
	WRITES.map((w) => [w.key, (input: WriteInput, context: WriteContext) => w.draft(input, context)]),
) as Record<WriteKey, (input: WriteInput, context: WriteContext) => WriteDraft>;

/** The credential test's probes: one request per permission and path the writes declare. */
export const WRITE_PROBES: ReadonlyArray<{ permission: string; path: string }> = [
	...new Map(WRITES.map((w) => [`${w.permission} ${w.probe}`, w])).values(),
].map((w) => ({ permission: w.permission, path: w.probe }));

/** What a person approves: the headline, every value the request sends, the open amounts. */
export function reviewProposal(
	proposal: Pick<Proposal, 'resource' | 'operation' | 'request' | 'amounts' | 'summary'>,
): ProposalReview {
	const write = writeOf(proposal);
	const money = write?.money;
	return {
		headline: proposal.summary,
		lines: requestLines(proposal, write?.review ?? { labels: {} }),
		openAmounts: money?.kind === 'decidedByStripe' ? money.open(proposal.request) : [],
	};
}

/**
 * An amount Stripe decides at execution, as bounded before the decision: the bound, or what it
 * is (our words) and why no bound is known (Stripe's words: data).
 */
export type OpenBound =
	| { known: true; amounts: Record<string, number>; words: string[] }
	| { known: false; what: string; why: string };

/**
 * The bound of the amount a proposal leaves to Stripe, read from Stripe now; undefined when its
 * write leaves none. A read that fails, or that finds no amount, leaves it unknown.
 */
export async function readOpenAmount(
	stripe: StripeClient,
	proposal: Proposal,
): Promise<OpenBound | undefined> {
	const money = writeOf(proposal)?.money;
	if (money?.kind !== 'decidedByStripe') return undefined;
	const what = money.open(proposal.request).join(', ');
	try {
		const bound = await money.read(stripe, proposal.request);
		if (bound) return { known: true, ...bound };
		return { known: false, what, why: 'Stripe gave no amount for it' };
	} catch (error) {
		return { known: false, what, why: (error as Error).message.slice(0, 200) };
	}
}

/**
 * What a proposal draws on together with others of its write (a refund's charge): `key` is the
 * same for all that share it; `left` reads what is left of it now.
 */
export function drawsOn(proposal: Proposal):
	| {
			key: string;
			id: string;
			noun: string;
			left: (stripe: StripeClient) => Promise<{ currency: string; amount: number }>;
	  }
	| undefined {
	const write = writeOf(proposal);
	const money = write?.money;
	if (!write || money?.kind !== 'stated' || !money.drawsOn) return undefined;
	const source = money.drawsOn;
	const id = source.of(proposal.request);
	return {
		key: `${write.key} ${id}`,
		id,
		noun: write.resource,
		left: (stripe) => source.left(stripe, proposal.request),
	};
}

/**
 * The write's context for the approver, read from Stripe now. A read that fails says so; it
 * never blocks the decision.
 */
export async function readReviewContext(
	stripe: StripeClient,
	proposal: Proposal,
): Promise<ReviewLine[]> {
	const read = writeOf(proposal)?.review.context;
	if (!read) return [];
	try {
		return await read(stripe, proposal.request);
	} catch (error) {
		return [
			{
				label: 'Context',
				value: `could not be read from Stripe (${(error as Error).message.slice(0, 200)})`,
			},
		];
	}
}
