/**
 * What an AI agent's model reads about each Stripe Guard tool. n8n gives a tool the text of its
 * `toolDescription` parameter; without one it says only "<action> in Stripe Guard". So the node
 * carries a hidden `toolDescription` whose default expression builds the text of the chosen
 * resource and operation, when n8n builds the tool.
 *
 * A tool's inputs are what n8n's schema offers the model: the keys of the `$fromAI(…)` calls in
 * the node's parameters (n8n-core's createNodeAsTool). So the text names no parameter in its
 * summary and then lists, from the node's own parameters, each `$fromAI` key with what it sets:
 * a List tool whose filters are all fixed in the workflow offers none. Every text is built from
 * the definitions the node runs (its parameters, filter and search declarations, the Query's zod
 * schemas), so it cannot drift from what the node accepts. `describeTool` is the same text in
 * TypeScript, which the tests hold the expression to through n8n's own expression engine.
 */
import type { INodeParameters, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { z } from 'zod';

import { describeResources } from './description';
import { TOOL_MAX_ROWS } from './framework/fields';
import { camel, filterSchema, filtersSchema, type FilterSpec } from './framework/filters';
import type { OperationDefinition, ResourceDefinition } from './framework/operation';
import { PERIOD_VALUES } from './framework/periods';
import { QUERY_DEFAULT_LIMIT, QUERY_MAX_LIMIT } from './framework/query';
import type { ReadResourceSpec } from './framework/read-resource';
import { QUERY_JSON } from './resources/query';
import { MAX_SEARCH_CLAUSES, offeredText, type SearchSpec } from './framework/search-guard';
import { fromAiKeys, rawParameter } from './framework/tool-output';
import { RETURNS_PENDING, RETURNS_PROPOSAL } from './framework/write-operation';
import { workflowIdOf } from '../shared/parameters';
import { capitalize, idRule } from './framework/words';

/** The shapes the Redactor gives (privacy.ts), with one example hash. */
export const PRIVACY_ON =
	'Personal data comes back as placeholders, the same for the same value within a run: names ' +
	'as "Person 3f9a2c1d", emails as "person-3f9a2c1d@redacted.invalid", phones as ' +
	'"[phone 3f9a2c1d]", addresses as "[address 3f9a2c1d]", other personal text as ' +
	'"[redacted 3f9a2c1d]".';
export const PRIVACY_OFF =
	'Personal data (names, emails, phones, addresses) comes back as stored in Stripe: ' +
	'this tool does not redact it.';
/** Always, in tool mode (the router's redaction pass). */
export const LINKS =
	'Links that open a receipt or invoice without logging in, and client secrets, never come back.';
const AMOUNTS =
	'Amounts are whole numbers in the smallest unit: 1200 is $12.00 but ¥1,200; ' +
	'*_formatted fields show them as text.';
const RESULTS =
	`Returns {"results": [...], "more_available": true or false}, at most ${TOOL_MAX_ROWS} per ` +
	'call; its "note" says when Stripe has more and how to read on, or that nothing matched.';
const NO_INPUTS = 'This tool takes no inputs: what it does is set in the workflow.';

/** What the model reads about one resource.operation, before its inputs are known. */
export interface ToolText {
	/** What the tool does and returns; it names no parameter. */
	summary: string;
	/** A read: the privacy sentences follow (placeholders, or not redacted, and links). */
	reads: boolean;
	/** Each parameter path a `$fromAI` call may fill, with what it sets, in the node's order. */
	inputs: Array<[path: string, phrase: string]>;
}

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
				? `; search fields: ${offeredText(spec.search)} (e.g. ${spec.search.example})`
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
		'- {"search": "<resource>", "query": "<Stripe search query over the search fields below ' +
			`only: ${SEARCH_SYNTAX}>", "limit": …}`,
		'- {"get": "<resource>", "id": "<ID>"}',
		'Resources:',
		...resources,
		'Examples: {"list": "subscriptions", "filters": {"status": "active"}, "limit": ' +
			'100} · {"list": "invoices", "filters": {"status": "open", "created": ' +
			'"last_30_days"}} · {"search": "customers", "query": "email:\'jenny@example.com\'"} · ' +
			'{"get": "charges", "id": "ch_3MmlLrLkdIwHu7ix0snN0B15", "expand": ["customer"]}',
		'A list or search returns {"results": [...], "more_available": true or false} with a ' +
			'"note" when Stripe has more or nothing matched; a get returns the object. All ' +
			`simplified. ${AMOUNTS} A refused query says how to fix it.`,
	].join('\n');
}

const SEARCH_SYNTAX =
	"field:'value' (exact), field~'value' (contains, 3+ characters, text fields), " +
	'field>n, <, >=, <= (numbers; dates as Unix seconds), field:null (not set), ' +
	`-field:'value' (not); clauses joined by spaces, AND or OR (not both), at most ` +
	`${MAX_SEARCH_CLAUSES}`;

/** What a search query input takes: the syntax, and only the offered fields. */
const searchPhrase = (search: SearchSpec) =>
	`a Stripe search query: ${SEARCH_SYNTAX}. Fields: ${offeredText(search)}; other fields ` +
	`are refused. Example: ${search.example}`;

/** Output settings as a tool sees them: one call returns at most TOOL_MAX_ROWS, simplified. */
const SETTING_PHRASES: Record<string, string> = {
	simplify: 'has no effect: a tool always returns simplified data',
	limit: `how many to return, 1 to ${TOOL_MAX_ROWS} (one call returns at most ${TOOL_MAX_ROWS})`,
	returnAll: `true for as many as one call returns (${TOOL_MAX_ROWS}), false to stop at the limit`,
	maxRows: `the most to return with all (one call returns at most ${TOOL_MAX_ROWS})`,
};

/** What a filter field sets, in the words of its declaration and its schema. */
function filterPhrase(filter: FilterSpec, field: string): string {
	if (filter.kind !== 'dateRange')
		return `${filter.description}: ${describedAs(filterSchema(filter))}`;
	if (field.endsWith('Within')) return `${filter.description}: one of ${PERIOD_VALUES.join(', ')}`;
	return (
		`${filter.description}: ${field.endsWith('From') ? 'at or after' : 'before'} this time ` +
		'(an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T12:00:00Z)'
	);
}

/** What any other parameter sets: its label and help text, and the values it takes. */
function parameterPhrase(p: INodeProperties | INodePropertyOptions): string {
	const property = p as INodeProperties;
	if (property.type === 'resourceLocator') {
		const byId = property.modes?.find((m) => m.name === 'id');
		const rule = (
			byId?.validation?.[0] as { properties?: { errorMessage?: string } } | undefined
		)?.properties?.errorMessage?.split(': ')[1];
		return `the ${property.displayName.toLowerCase()}'s ID${rule ? ` (${rule})` : ''}`;
	}
	const values = (property.options as INodePropertyOptions[] | undefined)
		?.map((o) => o.value)
		.filter((v) => typeof v === 'string' || typeof v === 'number');
	const takes =
		property.type === 'options' && values?.length
			? `; one of ${values.join(', ')}`
			: property.type === 'multiOptions' && values?.length
				? `; a list of ${values.join(', ')}`
				: property.type === 'boolean'
					? '; true or false'
					: property.type === 'number'
						? '; a number'
						: '';
	const help = property.description ? `: ${property.description.replace(/\.$/, '')}` : '';
	return `${property.displayName}${help}${takes}`;
}

/** The parameters n8n shows for a resource.operation (any version), as paths, with their fields. */
function parametersOf(
	all: INodeProperties[],
	resource: string,
	operation: string,
): Array<[string, INodeProperties]> {
	const shown = all.filter((p) => {
		const show = p.displayOptions?.show;
		if (p.type === 'notice' || p.type === 'hidden' || p.type === 'callout') return false;
		if (p.name === 'resource' || p.name === 'operation') return false;
		if (show?.resource && !show.resource.includes(resource)) return false;
		return !show?.operation || show.operation.includes(operation);
	});
	const paths = new Map<string, INodeProperties>();
	for (const p of shown) {
		if (p.type === 'collection')
			for (const o of (p.options ?? []) as INodeProperties[]) paths.set(`${p.name}.${o.name}`, o);
		else paths.set(p.name, p);
	}
	return [...paths];
}

/** The summary of an operation: what it does and returns, in words that name no parameter. */
function summaryOf(
	resource: ResourceDefinition,
	op: OperationDefinition,
	spec: ReadResourceSpec | undefined,
	specs: ReadResourceSpec[],
	fields: Array<[string, INodeProperties]>,
): string {
	const words = spec?.plural.replace(/_/g, ' ');
	if (resource.value === 'query') return queryGrammar(specs);
	if (op.proposal) return `${withoutParameters(op, fields)} ${AMOUNTS}`;
	if (spec && op.value === 'get')
		return (
			`Reads one ${spec.label} by its ID (${capitalize(spec.label)} IDs ` +
			`${idRule(spec.idPrefix)}) and returns it simplified. ${AMOUNTS}`
		);
	if (spec && op.value === 'list')
		return `Lists ${words}, newest first. ${hintOf(spec)}${RESULTS} ${AMOUNTS}`;
	if (spec && op.value === 'search')
		return (
			`Finds ${words} with Stripe's search (it can lag about a minute behind changes). ` +
			`${RESULTS} ${AMOUNTS}`
		);
	const said = withoutParameters(op, fields);
	if (op.value.startsWith('list')) return `${said} ${RESULTS} ${AMOUNTS}`;
	return `${said} Returns simplified data. ${AMOUNTS}`;
}

/**
 * An operation's own description without the sentences that name one of its parameters by its
 * label or identifier ("lookup key"): the model may not be able to set it. Its action stands in
 * for a first sentence left out.
 */
function withoutParameters(op: OperationDefinition, fields: Array<[string, INodeProperties]>) {
	const names = fields.flatMap(([path, field]) => {
		const leaf = path.split('.').at(-1)!;
		const label = field.displayName.replace(/\s*\(.*\)$/, '');
		return [...(/[A-Z_]/.test(leaf) ? [leaf] : []), ...(label.includes(' ') ? [label] : [])];
	});
	const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const patterns = names.map((n) => new RegExp(`(?<![\\w-])${escape(n)}(?![\\w-])`, 'i'));
	const sentences = op.description.split(/(?<=\.)\s+(?=[A-Z])/);
	const kept = sentences.filter((s) => !patterns.some((p) => p.test(s)));
	return [...(kept[0] === sentences[0] ? [] : [`${op.action}.`]), ...kept].join(' ');
}

/** Whether a list's hint speaks of this filter. */
const hintNames = (spec: ReadResourceSpec, f: FilterSpec) =>
	new RegExp(`\\b(${f.name}|${f.displayName.replace(/ ID$/, '')})\\b`, 'i').test(
		spec.listHint ?? '',
	);

/**
 * A list's hint goes in its summary unless it speaks of a filter, which a tool may not let the
 * model set: then it goes with the first filter it speaks of, shown only when that is an input.
 */
const hintOf = (spec: ReadResourceSpec) =>
	spec.listHint && !spec.filters.some((f) => hintNames(spec, f)) ? spec.listHint : '';
const hintFor = (spec: ReadResourceSpec, f: FilterSpec) =>
	spec.listHint && spec.filters.find((g) => hintNames(spec, g)) === f
		? ` ${spec.listHint.trim()}`
		: '';

/** Each resource.operation's text for models, before its inputs are known. */
export function toolTexts(
	resources: ResourceDefinition[],
	specs: ReadResourceSpec[],
): Record<string, ToolText> {
	const all = describeResources(resources);
	const out: Record<string, ToolText> = {};
	for (const resource of resources) {
		const spec = (resource as { spec?: ReadResourceSpec }).spec;
		for (const op of resource.operations) {
			const fields = parametersOf(all, resource.value, op.value);
			const inputs = fields.map(([path, field]): [string, string] => {
				const filter = spec?.filters.find((f) =>
					(f.kind === 'dateRange' ? ['Within', 'From', 'Before'] : ['']).some(
						(end) => path === `filters.${camel(f.name)}${end}`,
					),
				);
				if (filter) return [path, filterPhrase(filter, path) + hintFor(spec!, filter)];
				// The Query's JSON: `query` in versions 1 and 2, `queryJson` from version 3.
				if ((path === 'query' || path === QUERY_JSON) && resource.value === 'query')
					return [path, 'the JSON query, in the language above'];
				if (path === 'query' && spec?.search) return [path, searchPhrase(spec.search)];
				if (path in SETTING_PHRASES) return [path, SETTING_PHRASES[path]];
				return [path, parameterPhrase(field)];
			});
			out[`${resource.value}.${op.value}`] = {
				summary: summaryOf(resource, op, spec, specs, fields),
				reads: !op.proposal,
				inputs,
			};
		}
	}
	return out;
}

/** Whether the node's raw parameters turn redaction off (a tool's default is on). */
const redactionOff = (parameters: INodeParameters) => parameters.redactPersonalData === false;

/** A tool's description for a node with these (raw) parameters: what the expression gives. */
const handsOff = (parameters: INodeParameters) =>
	workflowIdOf(parameters.approvalWorkflowId) !== '';

export function describeTool(text: ToolText, parameters: INodeParameters): string {
	const summary = handsOff(parameters)
		? text.summary.replace(RETURNS_PROPOSAL, RETURNS_PENDING)
		: text.summary;
	const privacy = text.reads
		? ` ${redactionOff(parameters) ? PRIVACY_OFF : PRIVACY_ON} ${LINKS}`
		: '';
	const lines = text.inputs.flatMap(([path, phrase]) =>
		fromAiKeys(rawParameter(parameters, path)).map((key) => `- ${key}: ${phrase}`),
	);
	return (
		summary +
		privacy +
		(lines.length ? `\nInputs (the only parameters):\n${lines.join('\n')}` : `\n${NO_INPUTS}`)
	);
}

/** Each resource.operation's description for a tool with no `$fromAI` inputs. */
export function toolDescriptions(
	resources: ResourceDefinition[],
	specs: ReadResourceSpec[],
): Record<string, string> {
	return Object.fromEntries(
		Object.entries(toolTexts(resources, specs)).map(([key, text]) => [key, describeTool(text, {})]),
	);
}

/**
 * The hidden parameter n8n reads a tool's description from (only in the tool variant). Its default
 * is an expression over this node's own parameters: `$rawParameter` gives them unresolved, so the
 * `$fromAI` calls are read, never run.
 */
export function toolDescriptionField(
	resources: ResourceDefinition[],
	specs: ReadResourceSpec[],
): INodeProperties {
	// Phrases repeat across operations (pace, timeout, dates): each is written once, by index.
	const phrases: string[] = [];
	const indexOf = (phrase: string) =>
		phrases.includes(phrase) ? phrases.indexOf(phrase) : phrases.push(phrase) - 1;
	const texts = Object.fromEntries(
		Object.entries(toolTexts(resources, specs)).map(([key, t]) => [
			key,
			[t.summary, t.reads, t.inputs.map(([path, phrase]) => [path, indexOf(phrase)])],
		]),
	);
	// n8n ends an expression at the first "}}" and starts one at "{{", even inside a string: braces
	// in strings are written as escapes, and the structure has no two in a row.
	const data = JSON.stringify({
		texts,
		p: phrases,
		on: PRIVACY_ON,
		off: PRIVACY_OFF,
		links: LINKS,
		none: NO_INPUTS,
		ret: RETURNS_PROPOSAL,
		hand: RETURNS_PENDING,
	}).replace(/"(?:\\.|[^"\\])*"/g, (literal) =>
		literal.replace(/\{/g, '\\u007b').replace(/\}/g, '\\u007d'),
	);
	if (/\{\{|\}\}/.test(data)) throw new Error('The tool descriptions would end the expression');
	// describeTool, written for the expression (no braces in its code, none doubled): `d` the data,
	// `t` the operation's text, `e` one [path, phrase], `v` its raw value, `m` one $fromAI call.
	const q = `'"${'`'}`; // the quotes a $fromAI key may be written in
	const code = [
		'(d => (t => t && ((w => w && (typeof w === "object" ? w.value : w))',
		'($rawParameter.approvalWorkflowId) ? t[0].replace(d.ret, d.hand) : t[0])',
		'+ (t[1] ? " " + ($rawParameter.redactPersonalData === false ? d.off : d.on)',
		'+ " " + d.links : "")',
		'+ (l => l.length ? "\\nInputs (the only parameters):\\n" + l.join("\\n")',
		': "\\n" + d.none)(',
		't[2].flatMap(e => (v => ((typeof v === "string" ? v',
		': JSON.stringify(v === undefined ? null : v))',
		`.match(/\\$fromAI\\s*\\(\\s*\\\\?[${q}][\\w-]+/gi) || [])`,
		`.map(m => "- " + m.replace(/^[^${q}]*\\\\?[${q}]/, "") + ": " + d.p[e[1]]))(`,
		'e[0].split(".")',
		'.reduce((o, k) => o && typeof o === "object" ? o[k] : undefined, $rawParameter)',
		'))))(d.texts[$parameter.resource + "." + $parameter.operation]))(DATA)',
	].join(' ');
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'hidden',
		displayOptions: { show: { '@tool': [true] } },
		default: `={{ ${code.replace('DATA', () => data)} }}`,
	};
}
