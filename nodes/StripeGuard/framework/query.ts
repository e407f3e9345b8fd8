/**
 * The JSON query language for agents:
 * `{"list": "subscriptions", "filters": {"status": "active"}, "limit": 100}`,
 * `{"search": "customers", "query": "email:'jenny@example.com'"}` or
 * `{"get": "invoices", "id": "in_…"}`. Only these three read verbs exist; resources and filters are
 * allow-listed per resource, and every refusal says how to fix the query.
 */
import { z } from 'zod';

import { isStripeId } from '../../shared/ids';
import { idExample, idRule, prefixWords, withArticle } from './words';
import { filtersSchema } from './filters';
import { currentExpandPath, type ReadResourceSpec } from './read-resource';

export const QUERY_MAX_LIMIT = 1000;
export const QUERY_DEFAULT_LIMIT = 100;
const VERBS = ['list', 'search', 'get'] as const;
/** Words a model might reach for to change data; named in the refusal so it knows why. */
const WRITE_WORDS = [
	'create',
	'update',
	'delete',
	'del',
	'cancel',
	'refund',
	'void',
	'finalize',
	'send',
	'expire',
	'pay',
	'capture',
	'insert',
	'set',
	'post',
	'modify',
	'remove',
];

export type QueryPlan =
	| {
			verb: 'list';
			spec: ReadResourceSpec;
			filters: Record<string, unknown>;
			limit: number;
			expand: string[];
	  }
	| { verb: 'search'; spec: ReadResourceSpec; query: string; limit: number; expand: string[] }
	| { verb: 'get'; spec: ReadResourceSpec; id: string; expand: string[] };

export type QueryCheck = { ok: true; plan: QueryPlan } | { ok: false; message: string };

const refuse = (message: string): QueryCheck => ({ ok: false, message });

function describeIssue(issue: z.ZodIssue): string {
	if (issue.code === z.ZodIssueCode.unrecognized_keys)
		return (
			`unknown ${issue.path.length ? `${issue.path.join('.')} ` : ''}field(s) ` +
			`${issue.keys.map((k) => `"${k}"`).join(', ')}`
		);
	const where = issue.path.length ? `"${issue.path.join('.')}" ` : '';
	return `${where}${issue.message}`;
}

/** Parses and validates a query; `specs` are the read resources the language may name. */
export function parseQuery(input: unknown, specs: ReadResourceSpec[]): QueryCheck {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch {
			return refuse(
				'The query is not JSON. Write an object such as {"list": ' +
					'"subscriptions", "filters": {"status": "active"}, "limit": 100}.',
			);
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return refuse('The query must be a JSON object such as {"list": "customers", "limit": 10}.');
	}
	const query = value as Record<string, unknown>;
	const resources = specs.map((s) => s.plural);
	const writeWord = Object.keys(query).find((k) => WRITE_WORDS.includes(k.toLowerCase()));
	if (writeWord) {
		return refuse(
			`"${writeWord}" is not a verb of the query language: queries only read (list, ` +
				`search, get). To change Stripe data, use that resource's ` +
				'write operation, which creates a proposal for a person to approve.',
		);
	}
	const verbs = VERBS.filter((v) => v in query);
	if (verbs.length !== 1) {
		return refuse(
			verbs.length === 0
				? 'The query needs exactly one verb: "list", "search" or "get", whose value ' +
						'is the resource, e.g. {"list": "invoices", "filters": {"status": "open"}}.'
				: `The query has several verbs (${verbs.join(', ')}); use exactly one.`,
		);
	}
	const verb = verbs[0];
	const spec = specs.find((s) => s.plural === query[verb]);
	if (!spec) {
		const usable =
			verb === 'search' ? specs.filter((s) => s.search).map((s) => s.plural) : resources;
		return refuse(
			`Unknown resource ${JSON.stringify(query[verb])} ` +
				`for "${verb}". Use one of: ${usable.join(', ')}.`,
		);
	}
	const renamed = (e: unknown) => (typeof e === 'string' ? currentExpandPath(spec, e) : e);
	const expandSchema = z.preprocess(
		(v) => (Array.isArray(v) ? v.map(renamed) : v),
		z
			.array(z.enum(spec.expand.length ? (spec.expand as [string, ...string[]]) : ['\u0000']))
			.max(4),
	);
	const limitSchema = z.number().int().min(1).max(QUERY_MAX_LIMIT).default(QUERY_DEFAULT_LIMIT);
	const common = { expand: expandSchema.default([]) };

	let schema: z.ZodTypeAny;
	if (verb === 'list') {
		schema = z
			.object({
				list: z.string(),
				filters: filtersSchema(spec.filters).default({}),
				limit: limitSchema,
				...common,
			})
			.strict();
	} else if (verb === 'search') {
		if (!spec.search) {
			return refuse(
				`Stripe has no search for ${spec.plural}. Use {"list": "${spec.plural}", "filters": ` +
					`{…}} instead; filters: ${spec.filters.map((f) => f.name).join(', ') || 'none'}.`,
			);
		}
		schema = z
			.object({
				search: z.string(),
				query: z.string().trim().min(1).max(1000),
				limit: limitSchema,
				...common,
			})
			.strict();
	} else {
		schema = z
			.object({
				get: z.string(),
				id: z
					.string()
					.trim()
					.refine((id) => isStripeId(id, spec.idPrefix), {
						message: spec.idPrefix
							? `must be ${withArticle(spec.label)} ID starting with ${prefixWords(spec.idPrefix)}`
							: `must be ${withArticle(spec.label)} ID: its IDs ${idRule('')}`,
					}),
				...common,
			})
			.strict();
	}
	const parsed = schema.safeParse(query);
	if (!parsed.success) {
		const hints: Record<string, string> = {
			list:
				`Filters for ${spec.plural}: ${spec.filters.map((f) => f.name).join(', ') || 'none'}. ` +
				`limit: 1–${QUERY_MAX_LIMIT}.` +
				(spec.expand.length ? ` expand: ${spec.expand.join(', ')}.` : ''),
			search:
				`Search fields for ${spec.plural}: ${spec.search?.fields}. ` +
				`Example: ${spec.search?.example}. limit: 1–${QUERY_MAX_LIMIT}.`,
			get:
				`Give the ${spec.label} ID, e.g. {"get": ` +
				`"${spec.plural}", "id": "${idExample(spec.idPrefix)}"}.`,
		};
		return refuse(
			'The query is not valid: ' +
				`${parsed.error.issues.slice(0, 3).map(describeIssue).join('; ')}. ${hints[verb]}`,
		);
	}
	const data = parsed.data as Record<string, unknown>;
	const expand = data.expand as string[];
	if (verb === 'list')
		return {
			ok: true,
			plan: {
				verb,
				spec,
				filters: data.filters as Record<string, unknown>,
				limit: data.limit as number,
				expand,
			},
		};
	if (verb === 'search')
		return {
			ok: true,
			plan: { verb, spec, query: data.query as string, limit: data.limit as number, expand },
		};
	return { ok: true, plan: { verb, spec, id: data.id as string, expand } };
}
