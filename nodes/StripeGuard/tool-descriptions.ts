/**
 * What an AI agent's model reads about each Stripe Guard tool. n8n gives a tool the text of its
 * `toolDescription` parameter; without one it says only "<action> in Stripe Guard". So the node
 * carries a hidden `toolDescription` whose default expression picks the text of the chosen
 * resource and operation. Every text is built from the definitions the node runs (operation
 * descriptions, ID prefixes, and for the Query the zod schemas its validator uses), so it cannot
 * drift from what the node accepts.
 */
import type { INodeProperties } from 'n8n-workflow';
import type { z } from 'zod';

import { TOOL_MAX_ROWS } from './framework/fields';
import { filtersSchema } from './framework/filters';
import type { ResourceDefinition } from './framework/operation';
import { QUERY_DEFAULT_LIMIT, QUERY_MAX_LIMIT } from './framework/query';
import type { ReadResourceSpec } from './framework/read-resource';
import { idRule } from './framework/words';

const PRIVACY =
	'Personal data (names, emails, phones, addresses, ' +
	'descriptions) comes back as placeholders such as "Person 1".';
const AMOUNTS =
	"Amounts are whole numbers in the currency's smallest unit: " +
	'1200 is $12.00 but ¥1,200; *_formatted fields show them in words.';

/** The description a schema carries, looking through optional and refinement wrappers. */
function describedAs(schema: z.ZodTypeAny): string {
	let current: z.ZodTypeAny | undefined = schema;
	while (current) {
		if (current.description) return current.description;
		const def = current._def as { innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny };
		current = def.innerType ?? def.schema;
	}
	return 'a value';
}

/** The query language, from the resources' own filter schemas, search fields and expansions. */
export function queryGrammar(specs: ReadResourceSpec[]): string {
	// A long description (the date ranges) is written out once, then referred to.
	const seen = new Set<string>();
	const once = (text: string) => {
		if (text.length < 60) return text;
		if (seen.has(text)) return 'a date range as above';
		seen.add(text);
		return text;
	};
	const resources = specs.map((spec) => {
		const shape = filtersSchema(spec.filters).shape as Record<string, z.ZodTypeAny>;
		const filters = Object.entries(shape).map(
			([name, schema]) => `${name}: ${once(describedAs(schema))}`,
		);
		return [
			`- ${spec.plural} (IDs ${idRule(spec.idPrefix)})`,
			filters.length ? `; filters: ${filters.join('; ')}` : '; no filters',
			spec.search
				? `; search fields: ${spec.search.fields} (e.g. ${spec.search.example})`
				: '; no search',
			spec.expand.length ? `; expand: ${spec.expand.join(', ')}` : '',
		].join('');
	});
	return [
		'Reads Stripe data with one JSON query (a JSON object, ' +
			'passed as text). Exactly one verb; no verb changes data:',
		'- {"list": "<resource>", "filters": {…}, "limit": ' +
			`1–${QUERY_MAX_LIMIT} (default ${QUERY_DEFAULT_LIMIT}; this tool returns ` +
			`at most ${TOOL_MAX_ROWS} rows), "expand": [up to 4 fields]}`,
		'- {"search": "<resource>", "query": "<Stripe search query: ' +
			'field:\'value\', ~ for contains, AND/OR>", "limit": …}',
		'- {"get": "<resource>", "id": "<ID>"}',
		'Resources:',
		...resources,
		'Examples: {"list": "subscriptions", "filters": {"status": "active"}, "limit": ' +
			'100} · {"list": "invoices", "filters": {"status": "open", "created": ' +
			'"last_30_days"}} · {"search": "customers", "query": "email:\'jenny@example.com\'"} · ' +
			'{"get": "charges", "id": "ch_3MmlLrLkdIwHu7ix0snN0B15", "expand": ["customer"]}',
		'Returns the matching objects, simplified, newest first. ' +
			`${AMOUNTS} ${PRIVACY} A refused query says how to fix it.`,
	].join('\n');
}

/** The model's description of each resource.operation. */
export function toolDescriptions(
	resources: ResourceDefinition[],
	specs: ReadResourceSpec[],
): Record<string, string> {
	const out: Record<string, string> = {};
	for (const resource of resources) {
		for (const op of resource.operations) {
			const key = `${resource.value}.${op.value}`;
			if (key === 'query.run') out[key] = queryGrammar(specs);
			else if (op.proposal) out[key] = `${op.description} ${AMOUNTS}`;
			else if (op.value === 'list' || op.value === 'search' || op.value.startsWith('list'))
				out[key] =
					`${op.description} Returns at most ${TOOL_MAX_ROWS} ` +
					`simplified objects, newest first. ${AMOUNTS} ${PRIVACY}`;
			else out[key] = `${op.description} Returns simplified data. ${AMOUNTS} ${PRIVACY}`;
		}
	}
	return out;
}

/**
 * The hidden parameter n8n reads a tool's description from (only in the tool variant). Its
 * default is an expression over this node's own resource and operation.
 */
export function toolDescriptionField(
	resources: ResourceDefinition[],
	specs: ReadResourceSpec[],
): INodeProperties {
	// n8n ends an expression at the first "}}", even inside
	// a string: write each pair's second "}" as \u007d.
	const texts = JSON.stringify(toolDescriptions(resources, specs)).replace(/\}\}/g, '}\\u007d');
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'hidden',
		displayOptions: { show: { '@tool': [true] } },
		default: `={{ (${texts})[$parameter.resource + "." + $parameter.operation] }}`,
	};
}
