/**
 * A write, declared once: everything Stripe Guard knows about one write lives in its
 * `defineWrite({...})`, and every table the nodes use (the Propose operation, the request
 * builders, what the approver sees, the money, the credential test's probes) is derived from
 * these declarations in writes/index.ts. A declaration missing a part does not compile.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { StripeWriteRequest, UnsignedProposal } from '../../shared/proposals/proposals';
import type { RequestWords, ReviewLine } from '../../shared/proposals/review';
import type { StripeClient } from '../../shared/transport';
import type { OperationContext } from '../framework/operation';

/** A refusal of the input, in words that say what to fix. */
export class WriteInputError extends Error {}

/** What a proposal is built from: the node's parameters, read and checked (or a test's values). */
export type WriteInput = Record<string, unknown>;
export type WriteDraft = Omit<UnsignedProposal, 'mode'>;

/** Stripe's restricted-key permission a write needs, as Stripe names it ("rak_refund_write"). */
export type WritePermission = `rak_${string}_write`;

/** What a builder returns: the exact request, a headline of our own words, the stated amounts. */
export interface BuiltWrite {
	request: StripeWriteRequest;
	/** Only our own words, validated IDs, enums and amounts: never text from data. */
	summary: string;
	/** Money the request moves, per currency in minor units, when the proposal can state it. */
	amounts?: Record<string, number>;
}

/** An amount Stripe decides at execution, bounded from what Stripe says before the decision. */
export interface OpenAmount {
	/** The most it can move, per currency in minor units ({} when it moves nothing). */
	amounts: Record<string, number>;
	/** Our own words, with the amounts: "invoice in_…'s amount due is $20.00, which …". */
	words: string[];
}

/**
 * What several writes draw on together (a charge that refunds draw on): together they can move
 * at most what is left of it, whatever each states.
 */
export interface MoneySource {
	/** The ID drawn on ("ch_…"); writes of one kind naming the same ID share what is left. */
	of: (request: StripeWriteRequest) => string;
	/** What is left of it now, read from Stripe. */
	left: (
		stripe: StripeClient,
		request: StripeWriteRequest,
	) => Promise<{ currency: string; amount: number }>;
}

/**
 * The money a write can move:
 * - `none`: it moves no money (a customer's name, a product's metadata);
 * - `stated`: every amount it can move is in the request and stated in the proposal's amounts;
 *   `drawsOn` when several of its kind can draw on one source (refunds of one charge);
 * - `decidedByStripe`: Stripe decides an amount only at execution (an invoice's amount due when
 *   finalizing charges it); `open` names it for the approver, beside the stated totals, and
 *   `read` bounds it from Stripe before the decision. A read that fails or returns undefined
 *   leaves it unknown, which counts as above every limit.
 */
export type WriteMoney =
	| { kind: 'none' }
	| { kind: 'stated'; drawsOn?: MoneySource }
	| {
			kind: 'decidedByStripe';
			open: (request: StripeWriteRequest) => string[];
			read: (stripe: StripeClient, request: StripeWriteRequest) => Promise<OpenAmount | undefined>;
	  };

/**
 * What the approver is shown besides the headline and totals: every parameter in words (labels
 * beyond the common ones, amounts formatted), and the context read from Stripe.
 */
export interface WriteReview extends RequestWords {
	/**
	 * What makes the proposal judgeable, read from Stripe when the approver is asked and again
	 * when the page opens (a refund's charge and customer; a dispute, named in the request's
	 * path). Given the whole request. Shown only to the approver.
	 */
	context?: (stripe: StripeClient, request: StripeWriteRequest) => Promise<ReviewLine[]>;
}

export interface WriteSpec<R extends string, O extends string, C extends object> {
	/** The node's resource ("refund") and operation ("create") values: saved workflows use them. */
	resource: R;
	operation: O;
	/** Where a person picks it: "Create" (the node shows "Propose Create"). */
	name: string;
	/** Shown in the node picker and to agents, followed by " (proposal)": "Refund a charge". */
	action: string;
	/** What it does; the node adds that it only proposes, and the permission it needs. */
	description: string;
	/** The permission the approved write needs; a test holds it against the emulator's table. */
	permission: WritePermission;
	/** The node's fields for it (a Proposal Expires After field is added to every write). */
	properties: INodeProperties[];
	/** Turns raw parameter values into the builder's input, when they differ. */
	adaptInput?: (input: IDataObject) => IDataObject;
	/** Reads (with read permissions) what the builder needs before proposing: a refund's charge. */
	readContext?: (ctx: OperationContext, input: IDataObject) => Promise<C>;
	/** Input validation and the exact request: pure, throws WriteInputError on bad input. */
	build: (input: WriteInput, context: Partial<C>) => BuiltWrite;
	review: WriteReview;
	money: WriteMoney;
	/**
	 * The credential test's over-permission probe: the path of a POST that needs `permission` and
	 * changes nothing (the probe adds a parameter Stripe refuses; prefer an update of an ID that
	 * cannot exist, so that even an ignored parameter would change nothing).
	 */
	probe: string;
	/** A valid input with its context, from which tests build, review and execute the write. */
	example: { input: WriteInput; context: Partial<C> };
}

export interface WriteDefinition<
	R extends string = string,
	O extends string = string,
	C extends object = object,
> extends WriteSpec<R, O, C> {
	/** "refund.create": how a proposal names the write it carries. */
	key: `${R}.${O}`;
	/** The builder's result as a draft proposal of this write. */
	draft(input: WriteInput, context: Partial<C>): WriteDraft;
}

export function defineWrite<
	const R extends string,
	const O extends string,
	C extends object = object,
>(spec: WriteSpec<R, O, C>): WriteDefinition<R, O, C> {
	return {
		...spec,
		key: `${spec.resource}.${spec.operation}`,
		draft(input, context) {
			const { request, summary, amounts = {} } = spec.build(input, context);
			return { resource: spec.resource, operation: spec.operation, request, summary, amounts };
		},
	};
}
