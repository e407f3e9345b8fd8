/**
 * Builds a resource's read operations (get, list, search) from one declaration: its ID prefix,
 * endpoint, permission, filters, expandable fields and simplified shape, and what the rest of the
 * node derives from it: the locator fields that name its objects (By ID, By URL, the Dashboard
 * page), the editor look-up behind their From List, the Query's grammar. Every read resource file
 * is such a declaration, so a reader who knows one knows all.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { idField, listFields, readId, readListSize, TOOL_MAX_ROWS } from './fields';
import { idExample, idForms, withArticle } from './words';
import {
	camel,
	conflictingDateFilters,
	filterFields,
	filtersFromFields,
	filterSchema,
	idFilterLabel,
	stripeListParams,
	type FilterSpec,
} from './filters';
import { declareLocatorTarget, locatorId } from './locator';
import type { Lookup } from './lookup';
import { FROM_V2, nodeVersion, ONLY_V1 } from './node-version';
import type { OperationContext, OperationDefinition, ResourceDefinition } from './operation';
import { collectList } from './pagination';
import { offeredText, refuseSearch, type SearchSpec } from './search-guard';
import { inputKey, recordListed } from './tool-output';
import { permissionText, type ReadPermission } from '../../shared/credentials/permissions';
import type { IdPrefix } from '../../shared/ids';
import type { RedactOptions } from '../../shared/privacy/privacy';
import type { StripeClient } from '../../shared/transport';

/** A simplified shape and which of its fields are Unix times. */
export interface Shape {
	/** The fields people use; amounts in minor units plus `<name>_formatted`. */
	simplify(object: IDataObject): IDataObject;
	/**
	 * Simplified fields that are Unix times, given as ISO 8601 from node version 2 on
	 * ("items.current_period_end" inside a list).
	 */
	dates?: string[];
}

export interface ReadResourceSpec extends Shape {
	value: string;
	name: string;
	/** Singular, as in messages: "customer", "checkout session". */
	label: string;
	/** The query language's name for the list: "customers", "checkout_sessions". */
	plural: string;
	/**
	 * Stripe's ID prefix: "cus_"; its prefixes where it has several, the first the one examples
	 * show (["du_", "dp_"]); '' where IDs have none (coupons: codes such as SUMMER25).
	 */
	idPrefix: IdPrefix;
	/** The collection's API path: "/v1/customers" lists, `…/{id}` retrieves, `…/search` searches. */
	path: string;
	/** The Stripe Dashboard's page of these objects, for links and By URL: "checkout/sessions". */
	dashboard: string;
	/**
	 * The restricted-key permission reads need, as Stripe names it ("rak_customer_read"); one of
	 * the key-creation link's, and said in words where shown ("Customers: Read").
	 */
	permission: ReadPermission;
	/** The editor look-up behind From List of every field that names these objects. */
	lookup: Lookup;
	filters: FilterSpec[];
	/** Fields of this object that may be expanded (lists expand them as `data.<field>`). */
	expand: string[];
	/** Names an earlier version offered for fields Stripe has since moved: old → current path. */
	expandRenamed?: Record<string, string>;
	/** Stripe search: Stripe's fields, those offered (to models: the only ones accepted), example. */
	search?: SearchSpec;
	/** Added to the list operation's description: what the list is usually for. */
	listHint?: string;
	/** Stripe's `object` value when not the resource's name in snake case ("checkout.session"). */
	objectType?: string;
}

/** The path Stripe expands today for a name a saved workflow or query may still use. */
export const currentExpandPath = (spec: Pick<ReadResourceSpec, 'expandRenamed'>, path: string) =>
	spec.expandRenamed?.[path] ?? path;

/** The client's endpoints of a declared resource: by its path, with search where it has it. */
export const endpointsOf = (stripe: StripeClient, spec: ReadResourceSpec) =>
	spec.search ? stripe.searchable<IDataObject>(spec.path) : stripe.readable<IDataObject>(spec.path);

/** Stripe's object type of a resource: `paymentIntent` → `payment_intent`. */
export const objectTypeOf = (spec: Pick<ReadResourceSpec, 'value' | 'objectType'>) =>
	spec.objectType ?? spec.value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Each object type's simplified shape, so that expanded objects are simplified too. */
const SIMPLIFIERS = new Map<string, Shape>();

/** Stripe's Unix seconds as ISO 8601 (2026-11-21T07:41:31.000Z); null and anything else as is. */
const isoDate = (value: unknown) =>
	typeof value === 'number' && Number.isFinite(value)
		? new Date(value * 1000).toISOString()
		: value;

/** The object with the given paths as ISO dates; a path goes into each element of a list. */
export function withIsoDates(object: IDataObject, dates: string[] = []): IDataObject {
	const out = { ...object };
	for (const path of dates) {
		const [head, ...rest] = path.split('.');
		if (!(head in out)) continue;
		const value = out[head];
		if (rest.length === 0) {
			out[head] = isoDate(value) as IDataObject[string];
			continue;
		}
		const inner = [rest.join('.')];
		if (Array.isArray(value))
			out[head] = value.map((v) =>
				v && typeof v === 'object' ? withIsoDates(v as IDataObject, inner) : v,
			) as IDataObject[];
		else if (value && typeof value === 'object')
			out[head] = withIsoDates(value as IDataObject, inner);
	}
	return out;
}

const REDACT_WHAT =
	'to replace personal data (names, emails, phones, addresses, shipping and billing details, ' +
	'tax IDs, card and bank holder data, free-text descriptions) with placeholders; ' +
	'the same person gets the same placeholder within a run';

/**
 * Redact Personal Data, on by default when the node is an AI agent's tool (n8n shows the
 * `@tool` variant of a property only there), off by default in workflows.
 */
export const redactFields: INodeProperties[] = [
	{
		displayName: 'Redact Personal Data',
		name: 'redactPersonalData',
		type: 'boolean',
		default: false,
		displayOptions: { hide: { '@tool': [true] } },
		description: `Whether ${REDACT_WHAT}`,
	},
	{
		displayName: 'Redact Personal Data',
		name: 'redactPersonalData',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@tool': [true] } },
		description: `Whether ${REDACT_WHAT}. On by default for AI agents.`,
	},
	{
		displayName: 'Redact Metadata',
		name: 'redactMetadata',
		type: 'boolean',
		default: false,
		// Version 1's parameters are frozen: new options come with version 2.
		displayOptions: { show: { redactPersonalData: [true], ...FROM_V2.show } },
		description:
			'Whether to replace metadata values with placeholders too. Off by default: metadata ' +
			'is where teams keep their own IDs; turn it on when people are named there.',
	},
];

/** Simplify and Redact Personal Data, shared by every read operation. */
const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: false,
	description:
		'Whether to return only the fields people use (with formatted amounts) ' +
		'instead of the full Stripe object. Always on when used as an AI tool.',
};

/**
 * Version 2 simplifies by default, and its simplified dates are ISO 8601 (the full object keeps
 * Stripe's Unix seconds).
 */
const simplifyFieldV2: INodeProperties = {
	...simplifyField,
	default: true,
	displayOptions: FROM_V2,
	description:
		'Whether to return only the fields people use, with formatted amounts and dates as ISO 8601 ' +
		'(2026-11-21T07:41:31.000Z), instead of the full Stripe object (dates in Unix seconds). ' +
		'Always on when used as an AI tool.',
};

/**
 * Simplify (off by default in version 1 except where `simplifyByDefault`, on from version 2) and
 * Redact Personal Data.
 */
export const outputFields = (simplifyByDefault = false): INodeProperties[] => [
	...(simplifyByDefault
		? [{ ...simplifyField, default: true }]
		: [{ ...simplifyField, displayOptions: ONLY_V1 }, simplifyFieldV2]),
	...redactFields,
];

function expandField(spec: ReadResourceSpec): INodeProperties[] {
	if (spec.expand.length === 0) return [];
	return [
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Expand',
					name: 'expand',
					type: 'multiOptions',
					options: spec.expand.map((e) => ({ name: e, value: e })),
					default: [],
					description: 'Related objects to include in full instead of as IDs',
				},
			],
		},
	];
}

/**
 * A simplified object whose expanded objects are simplified too (by their own type's shape); dates
 * as ISO 8601 with `isoDates`.
 */
export function simplifyDeep(shape: Shape, object: IDataObject, isoDates: boolean): IDataObject {
	const simple = shape.simplify(object);
	for (const [key, value] of Object.entries(simple)) {
		const nested = value as IDataObject | null;
		if (
			!nested ||
			typeof nested !== 'object' ||
			Array.isArray(nested) ||
			typeof nested.object !== 'string'
		)
			continue;
		const inner = SIMPLIFIERS.get(nested.object);
		// An expanded object without a simplified shape of its own keeps only what names it.
		simple[key] = inner
			? simplifyDeep(inner, nested, isoDates)
			: { id: nested.id ?? null, object: nested.object };
	}
	return isoDates ? withIsoDates(simple, shape.dates) : simple;
}

/**
 * Applies Simplify (forced for tools) and Redact Personal Data to what Stripe returned. Redaction
 * reads the full objects (their `object` types tell whose `name` is a person's); the router runs
 * a second pass over everything that leaves the node, and removes secrets.
 */
export function shapeOutput(
	ctx: OperationContext,
	shape: Shape,
	objects: IDataObject[],
): IDataObject[] {
	// Version 2 simplifies by default and gives simplified dates as ISO 8601.
	const fromV2 = nodeVersion(ctx.fn) >= 2;
	const simple =
		ctx.isTool || (ctx.fn.getNodeParameter('simplify', ctx.itemIndex, fromV2) as boolean);
	const redaction = redactionOf(ctx);
	return objects.map((o) => {
		const object = ctx.redactor.redact(o, undefined, redaction);
		return simple ? simplifyDeep(shape, object, fromV2) : object;
	});
}

/** Whether this item's output is redacted: the operation's own setting, on by default for tools. */
export const redactOn = (ctx: OperationContext) =>
	ctx.fn.getNodeParameter('redactPersonalData', ctx.itemIndex, ctx.isTool) as boolean;

/** What this item's output has replaced: links that open without login never reach a model. */
export const redactionOf = (ctx: OperationContext): RedactOptions => ({
	personal: redactOn(ctx),
	capabilities: ctx.isTool,
	metadata: ctx.fn.getNodeParameter('redactMetadata', ctx.itemIndex, false) as boolean,
});

/** Lists and searches expand through their `data` array. */
export const listExpansion = (expand: string[]) =>
	expand.length ? { expand: expand.map((e) => `data.${e}`) } : {};

function readExpand(ctx: OperationContext, spec: ReadResourceSpec): string[] {
	if (spec.expand.length === 0) return [];
	const options = ctx.fn.getNodeParameter('options', ctx.itemIndex, {}) as { expand?: string[] };
	// Saved workflows still work where Stripe moved a field (an invoice's subscription, 2025-03-31).
	const expand = (options.expand ?? []).map((e) => currentExpandPath(spec, e));
	const unknown = expand.filter((e) => !spec.expand.includes(e));
	if (unknown.length > 0) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Cannot expand ${unknown.join(', ')} on ${withArticle(spec.label)} (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description: `Expandable: ${spec.expand.join(', ')}.`,
			},
		);
	}
	return expand;
}

/** Checks the n8n filter values with the same zod schemas the query language uses. */
function readFilters(ctx: OperationContext, spec: ReadResourceSpec): Record<string, unknown> {
	const fields = { ...(ctx.fn.getNodeParameter('filters', ctx.itemIndex, {}) as IDataObject) };
	const [conflict] = conflictingDateFilters(spec.filters, fields);
	if (conflict) {
		const name = conflict.displayName;
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Filters "${name} Within" and "${name} From/Before" are both set ` +
				`(item ${ctx.itemIndex}): keep one`,
			{
				itemIndex: ctx.itemIndex,
				description:
					`"${name} Within" is a period relative to now, such as Today or Last 30 Days; ` +
					`"${name} From" and "${name} Before" are fixed dates. Remove the one you don't mean.`,
			},
		);
	}
	// ID filters may be locators: their ID (a Dashboard URL checked against the credential's mode).
	for (const filter of spec.filters) {
		const n = camel(filter.name);
		if (filter.kind === 'id' && fields[n] !== undefined) {
			fields[n] = locatorId(
				ctx,
				fields[n],
				idFilterLabel(filter),
				filter.idPrefix!,
			) as IDataObject[string];
		}
	}
	const raw = filtersFromFields(spec.filters, fields);
	const valid: Record<string, unknown> = {};
	for (const filter of spec.filters) {
		if (raw[filter.name] === undefined) continue;
		const parsed = filterSchema(filter).safeParse(raw[filter.name]);
		if (!parsed.success) {
			throw new NodeOperationError(
				ctx.fn.getNode(),
				`Filter ${filter.displayName} ${parsed.error.issues[0].message} (item ${ctx.itemIndex})`,
				{ itemIndex: ctx.itemIndex, description: filter.description },
			);
		}
		valid[filter.name] = parsed.data;
	}
	return stripeListParams(spec.filters, valid, ctx.fn.getTimezone());
}

function getOperation(spec: ReadResourceSpec): OperationDefinition {
	const idName = `${spec.value}Id`;
	return {
		value: 'get',
		name: 'Get',
		action: `Get ${withArticle(spec.label)}`,
		description:
			`Retrieve one ${spec.label} by its ID ` +
			`(${spec.idPrefix ? idForms(spec.idPrefix) : `e.g. ${idExample('')}`}). ` +
			`Needs ${permissionText(spec.permission)}.`,
		properties: [
			idField(idName, spec.label, spec.idPrefix),
			...outputFields(),
			...expandField(spec),
		],
		async execute(ctx) {
			const id = readId(ctx, idName, spec.label, spec.idPrefix);
			const expand = readExpand(ctx, spec);
			const object = (await endpointsOf(ctx.stripe, spec).retrieve(
				id,
				expand.length ? { expand } : undefined,
			)) as IDataObject;
			return shapeOutput(ctx, spec, [object])[0];
		},
	};
}

function listOperation(spec: ReadResourceSpec): OperationDefinition {
	const filterNames = spec.filters.map((f) => f.displayName.toLowerCase()).join(', ');
	return {
		value: 'list',
		name: 'List',
		readsLongLists: true,
		action: `List ${spec.plural.replace(/_/g, ' ')}`,
		description: (
			`List ${spec.plural.replace(/_/g, ' ')}, newest first` +
			`${filterNames ? `, filtered by ${filterNames}` : ''}. ` +
			`${spec.listHint ?? ''}Needs ${permissionText(spec.permission)}.`
		).replace('  ', ' '),
		properties: [
			...listFields,
			...(spec.filters.length
				? [
						{
							displayName: 'Filters',
							name: 'filters',
							type: 'collection',
							placeholder: 'Add Filter',
							default: {},
							options: filterFields(spec.filters),
						} as INodeProperties,
					]
				: []),
			...outputFields(),
			...expandField(spec),
		],
		async execute(ctx) {
			const size = readListSize(ctx);
			const params = { ...readFilters(ctx, spec), ...listExpansion(readExpand(ctx, spec)) };
			const api = endpointsOf(ctx.stripe, spec);
			const { rows, more } = await collectList(ctx, (p) => api.list(p), params, size);
			const out = shapeOutput(ctx, spec, rows);
			recordListed(ctx, {
				what: spec.plural.replace(/_/g, ' '),
				count: out.length,
				more,
				newestFirst: true,
				readOn: more ? readOnList(ctx, spec, nextBefore(rows), out.length) : '',
			});
			return out;
		},
	};
}

/**
 * The creation time (Unix seconds) of the last row of a list read newest first: reading again up
 * to it (inclusive) reads on. Undefined when every row is of that same second: that would read
 * the same rows again.
 */
export function nextBefore(rows: IDataObject[]): number | undefined {
	const last = rows.at(-1)?.created;
	return typeof last === 'number' && rows[0]?.created !== last ? last : undefined;
}

/** What a model with this List tool can do to read past a cut: only its own inputs count. */
function readOnList(
	ctx: OperationContext,
	spec: ReadResourceSpec,
	upTo: number | undefined,
	returned: number,
): string {
	const ways: string[] = [];
	const before = inputKey(ctx, 'filters.createdBefore');
	if (before && upTo !== undefined)
		ways.push(
			`Call again with ${before} set to ${new Date((upTo + 1) * 1000).toISOString()} ` +
				'for the next older ones (those from the second of the last one shown come again).',
		);
	const limit = inputKey(ctx, 'limit');
	if (limit && returned < TOOL_MAX_ROWS)
		ways.push(`Set ${limit} up to ${TOOL_MAX_ROWS} for more in one call.`);
	const narrow = filterFields(spec.filters)
		.map((f) => inputKey(ctx, `filters.${f.name}`))
		.filter((k): k is string => k !== undefined && k !== before);
	if (narrow.length) ways.push(`Narrow the list with ${[...new Set(narrow)].join(', ')}.`);
	return (
		ways.join(' ') ||
		'This tool has no input to narrow the list or read on: ' +
			`say that there are more than ${returned}.`
	);
}

/** What a model can do to narrow a search that Stripe has more results for. */
export function readOnSearch(search: SearchSpec, queryInput: string | undefined, returned: number) {
	if (!queryInput)
		return `The search is set in the workflow: say that there are more than ${returned}.`;
	return (
		`Narrow ${queryInput} with more clauses` +
		(search.offered.includes('created')
			? ', such as a range of created (created>=1767225600 AND created<1769904000, Unix seconds).'
			: '.')
	);
}

function searchOperation(
	spec: ReadResourceSpec,
	search: NonNullable<ReadResourceSpec['search']>,
): OperationDefinition {
	return {
		value: 'search',
		name: 'Search',
		action: `Search ${spec.plural.replace(/_/g, ' ')}`,
		description:
			`Find ${spec.plural.replace(/_/g, ' ')} with Stripe's search query language, ` +
			`e.g. ${search.example}. Searchable: ${offeredText(search)}. Results can lag about a ` +
			`minute behind changes. Needs ${permissionText(spec.permission)}.`,
		properties: [
			{
				displayName: 'Search Query',
				name: 'query',
				type: 'string',
				required: true,
				default: '',
				placeholder: search.example,
				description:
					`Stripe search query. Fields: ${offeredText(search)}. ` +
					'Combine clauses with AND or OR; use ~ for "contains", - to negate. ' +
					'See https://docs.stripe.com/search#search-query-language.',
			},
			...listFields,
			...outputFields(),
			...expandField(spec),
		],
		async execute(ctx) {
			const query = String(ctx.fn.getNodeParameter('query', ctx.itemIndex, '')).trim();
			if (!query) {
				throw new NodeOperationError(
					ctx.fn.getNode(),
					`The search query is empty (item ${ctx.itemIndex})`,
					{
						itemIndex: ctx.itemIndex,
						description: `Write a query such as ${search.example}.`,
					},
				);
			}
			// A model may search only by the fields offered: any other would confirm guesses about
			// data it does not get. Workflows search as they write.
			const refused = ctx.isTool ? refuseSearch(query, search, spec.plural) : undefined;
			if (refused) {
				throw new NodeOperationError(ctx.fn.getNode(), `${refused} (item ${ctx.itemIndex})`, {
					itemIndex: ctx.itemIndex,
					description: `For example: ${search.example}.`,
				});
			}
			const size = readListSize(ctx);
			const expand = readExpand(ctx, spec);
			const api = ctx.stripe.searchable(spec.path);
			const params = { query, ...listExpansion(expand) };
			const { rows, more } = await collectList(ctx, (p) => api.search(p), params, size);
			const out = shapeOutput(ctx, spec, rows);
			recordListed(ctx, {
				what: spec.plural.replace(/_/g, ' '),
				count: out.length,
				more,
				newestFirst: false,
				readOn: readOnSearch(search, inputKey(ctx, 'query'), out.length),
			});
			return out;
		},
	};
}

/** The resource with its read operations; `extra` adds operations such as listLineItems. */
export function defineReadResource(
	spec: ReadResourceSpec,
	extra: OperationDefinition[] = [],
): ResourceDefinition & { spec: ReadResourceSpec } {
	SIMPLIFIERS.set(objectTypeOf(spec), spec);
	declareLocatorTarget({ label: spec.label, prefix: spec.idPrefix, dashboard: spec.dashboard });
	const operations = [getOperation(spec), listOperation(spec)];
	if (spec.search) operations.push(searchOperation(spec, spec.search));
	return { value: spec.value, name: spec.name, operations: [...operations, ...extra], spec };
}

export interface SubListSpec extends Shape {
	parent: { value: string; label: string; idPrefix: IdPrefix };
	value: string;
	name: string;
	action: string;
	description: string;
	list: (
		stripe: StripeClient,
		parentId: string,
		params: Record<string, unknown>,
	) => AsyncIterable<unknown>;
}

/** A list that belongs to one object, such as an invoice's line items. */
export function subListOperation(spec: SubListSpec): OperationDefinition {
	const idName = `${spec.parent.value}Id`;
	return {
		value: spec.value,
		name: spec.name,
		action: spec.action,
		description: spec.description,
		properties: [
			idField(idName, spec.parent.label, spec.parent.idPrefix),
			...listFields,
			...outputFields(),
		],
		async execute(ctx) {
			const id = readId(ctx, idName, spec.parent.label, spec.parent.idPrefix);
			const { rows, more } = await collectList(
				ctx,
				(p) => spec.list(ctx.stripe, id, p),
				{},
				readListSize(ctx),
			);
			const out = shapeOutput(ctx, spec, rows);
			recordListed(ctx, {
				what: `${spec.parent.label} ${spec.name.replace(/^List /, '').toLowerCase()}`,
				count: out.length,
				more,
				newestFirst: false,
				readOn: `This tool reads at most ${TOOL_MAX_ROWS} per call and cannot read further.`,
			});
			return out;
		},
	};
}
