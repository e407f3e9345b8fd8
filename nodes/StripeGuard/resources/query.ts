import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { TOOL_MAX_ROWS } from '../framework/fields';
import { stripeListParams } from '../framework/filters';
import type { OperationContext, ResourceDefinition } from '../framework/operation';
import { FROM_V3, nodeVersion, UP_TO_V2 } from '../framework/node-version';
import { collectList } from '../framework/pagination';
import { parseQuery, QUERY_DEFAULT_LIMIT, QUERY_MAX_LIMIT } from '../framework/query';
import {
	endpointsOf,
	listExpansion,
	nextBefore,
	outputFields,
	readOnSearch,
	shapeOutput,
	type ReadResourceSpec,
} from '../framework/read-resource';
import { refuseSearch } from '../framework/search-guard';
import { inputKey, recordListed } from '../framework/tool-output';

/**
 * The Query's JSON parameter from version 3. Before, it was `query`, the name of a Search's search
 * string too, so switching from Search to the Query carried that string into the JSON.
 */
export const QUERY_JSON = 'queryJson';
const queryParameter = (ctx: OperationContext) => (nodeVersion(ctx.fn) >= 3 ? QUERY_JSON : 'query');

/** What a model can do to read past a listing query that Stripe has more rows for. */
function readOnQueryList(
	plan: { spec: ReadResourceSpec; limit: number },
	queryInput: string | undefined,
	upTo: number | undefined,
	returned: number,
): string {
	if (!queryInput)
		return `The query is set in the workflow: say that there are more than ${returned}.`;
	const ways: string[] = [];
	if (plan.spec.filters.some((f) => f.name === 'created') && upTo !== undefined)
		ways.push(
			`Run the query again with "created": {"lte": ${upTo}} in its filters for the next ` +
				'older ones (keep its other filters; those from the second of the last one shown ' +
				'come again).',
		);
	if (plan.limit < TOOL_MAX_ROWS)
		ways.push(`A "limit" up to ${TOOL_MAX_ROWS} returns more at once.`);
	return ways.join(' ') || 'Add filters to narrow it.';
}

/** The `query` resource: one JSON query over any read resource, for agents and quick lookups. */
export function queryResource(specs: ReadResourceSpec[]): ResourceDefinition {
	const listExample = '{"list": "subscriptions", "filters": {"status": "active"}, "limit": 100}';
	// The key `id` comes from here: n8n's lint reads any lowercase "id" in a parameter's
	// description as a miscased "ID", and a JSON key cannot be uppercased.
	const getExample = '{"get": "charges", "id": "ch_3MmlLrLkdIwHu7ix0snN0B15"}';
	const examples = [
		listExample,
		'{"list": "invoices", "filters": {"status": "open", "created": "last_30_days"}}',
		'{"search": "customers", "query": "email:\'jenny@example.com\'"}',
		getExample,
	];
	// Named `query` in versions 1 and 2, `queryJson` from version 3 (QUERY_JSON).
	const jsonField: Omit<INodeProperties, 'name'> = {
		displayName: 'Query (JSON)',
		type: 'json',
		required: true,
		default: listExample,
		description:
			'A JSON object with one verb. ' +
			`list: {"list": resource, "filters": {…}, "limit": 1–${QUERY_MAX_LIMIT} ` +
			`(default ${QUERY_DEFAULT_LIMIT}), "expand": […]}; ` +
			'search: {"search": resource, "query": Stripe search query}; ' +
			`get: {"get": resource, …} with the object's ID, as in ${getExample}. ` +
			'Dates in filters: a period ' +
			'(last_7_days, last_30_days, month_to_date, previous_month, …) ' +
			'or {"gte": "2026-01-01", "lt": "2026-02-01"}.',
	};
	return {
		value: 'query',
		name: 'Query',
		operations: [
			{
				value: 'run',
				name: 'Run',
				readsLongLists: true,
				action: 'Run a read-only query',
				description:
					'Read Stripe data with one JSON query. Verbs: list, search, get (reads only). ' +
					`Resources: ${specs.map((s) => s.plural).join(', ')}. Examples: ${examples.join(' ')}`,
				properties: [
					{ ...jsonField, name: 'query', displayOptions: UP_TO_V2 },
					{ ...jsonField, name: QUERY_JSON, displayOptions: FROM_V3 },
					...outputFields(true),
				],
				async execute(ctx) {
					const check = parseQuery(
						ctx.fn.getNodeParameter(queryParameter(ctx), ctx.itemIndex),
						specs,
					);
					if (!check.ok) {
						throw new NodeOperationError(
							ctx.fn.getNode(),
							`${check.message} (item ${ctx.itemIndex})`,
							{ itemIndex: ctx.itemIndex },
						);
					}
					const { plan } = check;
					// A model may search only by the fields offered (see search-guard.ts).
					const refused =
						ctx.isTool && plan.verb === 'search'
							? refuseSearch(plan.query, plan.spec.search!, plan.spec.plural)
							: undefined;
					if (refused) {
						throw new NodeOperationError(
							ctx.fn.getNode(),
							`The query is not valid: ${refused} (item ${ctx.itemIndex})`,
							{ itemIndex: ctx.itemIndex },
						);
					}
					const api = endpointsOf(ctx.stripe, plan.spec);
					const expand = plan.expand;
					if (plan.verb === 'get') {
						const object = (await api.retrieve(
							plan.id,
							expand.length ? { expand } : undefined,
						)) as IDataObject;
						return shapeOutput(ctx, plan.spec, [object]);
					}
					// The query's own limit is what was asked for; only the tool's cap can cut a list short.
					const capped = ctx.isTool && plan.limit > TOOL_MAX_ROWS;
					const size = { wanted: capped ? TOOL_MAX_ROWS : plan.limit, capped };
					const { rows, more } =
						plan.verb === 'list'
							? await collectList(
									ctx,
									(p) => api.list(p),
									{
										...stripeListParams(plan.spec.filters, plan.filters, ctx.fn.getTimezone()),
										...listExpansion(expand),
									},
									size,
								)
							: await collectList(
									ctx,
									(p) => ctx.stripe.searchable(plan.spec.path).search(p),
									{ query: plan.query, ...listExpansion(expand) },
									size,
								);
					const out = shapeOutput(ctx, plan.spec, rows);
					const queryInput = inputKey(ctx, queryParameter(ctx));
					recordListed(ctx, {
						what: plan.spec.plural.replace(/_/g, ' '),
						count: out.length,
						more,
						newestFirst: plan.verb === 'list',
						readOn:
							plan.verb === 'list'
								? readOnQueryList(plan, queryInput, nextBefore(rows), out.length)
								: readOnSearch(plan.spec.search!, queryInput, out.length),
					});
					return out;
				},
			},
		],
	};
}
