/**
 * Field builders and readers shared by resources, so that an ID field, a list's
 * Return All / Limit and their checks read the same everywhere.
 */
import { NodeOperationError, type INodeProperties } from 'n8n-workflow';

import { locatorField, locatorId } from './locator';
import type { OperationContext } from './operation';
import { isStripeId, type IdPrefix } from '../../shared/ids';
import { capitalize, idRule, idSample, prefixWords, withArticle } from './words';

export const DEFAULT_LIST_LIMIT = 50;

export const DEFAULT_MAX_ROWS = 10_000;
/**
 * An AI tool call returns at most this many rows, so that one call cannot flood a model's context.
 */
export const TOOL_MAX_ROWS = 100;

/**
 * A required field naming a Stripe object: a resource locator (From List, By ID, By URL) that
 * also accepts the plain string IDs of workflows saved before it; `label` is what the object is
 * called in messages ("customer"); `prefix` is '' where IDs have none (coupons).
 */
export function idField(name: string, label: string, prefix: IdPrefix): INodeProperties {
	return locatorField(name, label, prefix);
}

/**
 * Reads an ID parameter (a plain string, or a resource locator's ID, list pick or Dashboard URL)
 * and refuses, before any request, one that cannot be of this object type.
 */
export function readId(
	ctx: OperationContext,
	name: string,
	label: string,
	prefix: IdPrefix,
): string {
	const raw = locatorId(ctx, ctx.fn.getNodeParameter(name, ctx.itemIndex), label, prefix);
	const id = typeof raw === 'string' ? raw.trim() : '';
	if (!id) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`The ${label} ID is empty (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description:
					`Pick ${withArticle(label)} from the list, ` +
					`or enter its ID${prefix ? `; it starts with ${prefixWords(prefix)}` : ''}.`,
			},
		);
	}
	if (!isStripeId(id, prefix)) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`"${id.slice(0, 60)}" is not ${withArticle(label)} ID (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description: `${capitalize(label)} IDs ${idRule(prefix)}, for example ${idSample(prefix)}.`,
			},
		);
	}
	return id;
}

/** Return All, Limit and the Max Rows safety cap of a list operation. */
export const listFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50, // DEFAULT_LIST_LIMIT, written out: n8n's lint reads a Limit's default as a literal
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Max Rows',
		name: 'maxRows',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_ROWS,
		description:
			'Safety cap for Return All: the node stops after this many rows and says so, ' +
			'so that a mistaken filter cannot pull a whole account',
		displayOptions: { show: { returnAll: [true] } },
	},
];

export interface ListSize {
	/** How many rows to collect at most. */
	wanted: number;
	/** Whether hitting `wanted` means the Max Rows cap was reached (and the user should be told). */
	capped: boolean;
}

export function readListSize(ctx: OperationContext): ListSize {
	const returnAll = ctx.fn.getNodeParameter('returnAll', ctx.itemIndex, false) as boolean;
	const key = returnAll ? 'maxRows' : 'limit';
	const value = ctx.fn.getNodeParameter(
		key,
		ctx.itemIndex,
		returnAll ? DEFAULT_MAX_ROWS : DEFAULT_LIST_LIMIT,
	);
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`${returnAll ? 'Max Rows' : 'Limit'} must be a ` +
				`whole number of at least 1 (item ${ctx.itemIndex})`,
			{ itemIndex: ctx.itemIndex },
		);
	}
	if (ctx.isTool && value > TOOL_MAX_ROWS) return { wanted: TOOL_MAX_ROWS, capped: true };
	return { wanted: value, capped: returnAll };
}
