/**
 * What a model reads back from a list as a tool. n8n hands the agent a tool's output items as one
 * JSON array of their `json` (n8n-core's makeHandleToolInvocation, the AI Agent's buildSteps), and
 * an empty output as `""`. So a list, a search or a Query that lists becomes one item,
 * `{"results": [...], "more_available": …, "note": …}`: the model sees that Stripe has more than it
 * got and how to read on, or that nothing matched, instead of a silent cut or an empty string.
 */
import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import type { OperationContext } from './operation';

export interface Listed {
	/** What was listed, as words: "customers", "invoice line items". */
	what: string;
	/** Rows the operation returned. */
	count: number;
	/** Whether Stripe has more than were returned. */
	more: boolean;
	/** Newest first (lists), or in Stripe's order (searches). */
	newestFirst: boolean;
	/** What the model can do to read on, when there is more. */
	readOn: string;
}

/** Per run of the node, per item: what its operation listed (only lists record one). */
const LISTED = new WeakMap<IExecuteFunctions, Map<number, Listed>>();

/** Records, in tool mode, what an item's list returned, for `forModel`. */
export function recordListed(ctx: OperationContext, listed: Listed): void {
	if (!ctx.isTool) return;
	if (!LISTED.has(ctx.fn)) LISTED.set(ctx.fn, new Map());
	LISTED.get(ctx.fn)!.set(ctx.itemIndex, listed);
}

/** The one item a model reads for a list's rows. */
export function toolResult(rows: IDataObject[], listed: Listed): IDataObject {
	const order = listed.newestFirst ? ', newest first' : '';
	const note =
		rows.length === 0
			? `No ${listed.what} matched.`
			: listed.more
				? `These are the first ${rows.length} ${listed.what}${order}; Stripe has more. ` +
					listed.readOn
				: undefined;
	return { results: rows, more_available: listed.more, ...(note ? { note } : {}) };
}

/** An error item of Continue On Fail (`{error, description?}`), not a row. */
const isErrorItem = (json: IDataObject) =>
	'error' in json && Object.keys(json).every((k) => k === 'error' || k === 'description');

/**
 * Replaces, in a tool's output (one list of jsons per input item, in place), each list's rows
 * with the one item `toolResult` makes. Runs after redaction: rows are already what may leave.
 */
export function forModel(fn: IExecuteFunctions, results: IDataObject[][]): void {
	const listed = LISTED.get(fn);
	if (!listed) return;
	results.forEach((rows, item) => {
		const about = listed.get(item);
		if (!about || rows.length !== about.count || rows.some(isErrorItem)) return;
		results[item] = [toolResult(rows, about)];
	});
	LISTED.delete(fn);
}

/** The keys of the `$fromAI(…)` calls in a parameter's raw value (any depth), in order. */
export function fromAiKeys(value: unknown): string[] {
	const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
	return [...text.matchAll(/\$fromAI\s*\(\s*\\?['"`]([\w-]+)/gi)].map((m) => m[1]);
}

/** The raw value at a parameter path ("filters.createdBefore") of a node's parameters. */
export function rawParameter(parameters: INodeParameters, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
			parameters,
		);
}

/** The key the model sets a parameter with, when the parameter is a `$fromAI` input. */
export const inputKey = (ctx: OperationContext, path: string): string | undefined =>
	fromAiKeys(rawParameter(ctx.fn.getNode().parameters, path))[0];
