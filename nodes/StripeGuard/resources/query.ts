import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { TOOL_MAX_ROWS } from '../framework/fields';
import { stripeListParams } from '../framework/filters';
import type { ResourceDefinition } from '../framework/operation';
import { collectList } from '../framework/pagination';
import { parseQuery, QUERY_DEFAULT_LIMIT, QUERY_MAX_LIMIT } from '../framework/query';
import {
	endpointsOf,
	listExpansion,
	outputFields,
	shapeOutput,
	type ReadResourceSpec,
} from '../framework/read-resource';

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
	return {
		value: 'query',
		name: 'Query',
		operations: [
			{
				value: 'run',
				name: 'Run',
				action: 'Run a read-only query',
				description:
					'Read Stripe data with one JSON query. Verbs: list, search, get (reads only). ' +
					`Resources: ${specs.map((s) => s.plural).join(', ')}. Examples: ${examples.join(' ')}`,
				properties: [
					{
						displayName: 'Query (JSON)',
						name: 'query',
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
					},
					...outputFields(true),
				],
				async execute(ctx) {
					const check = parseQuery(ctx.fn.getNodeParameter('query', ctx.itemIndex), specs);
					if (!check.ok) {
						throw new NodeOperationError(
							ctx.fn.getNode(),
							`${check.message} (item ${ctx.itemIndex})`,
							{ itemIndex: ctx.itemIndex },
						);
					}
					const { plan } = check;
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
					const rows =
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
					return shapeOutput(ctx, plan.spec, rows);
				},
			},
		],
	};
}
