/**
 * A subset of Stripe's search query language: `field:'value'`, `field~'part'`, `field>n` (and <,
 * >=, <=), `-field:'value'`, `metadata['key']:'value'`, joined by AND or by OR (not both).
 */
import type { StripeObject } from './types';

interface Clause {
	negate: boolean;
	field: string;
	metadataKey?: string;
	op: ':' | '~' | '>' | '<' | '>=' | '<=';
	value: string | number;
}

export class SearchSyntaxError extends Error {}

const CLAUSE = new RegExp(
	String.raw`^(-)?(metadata\[(?:'([^']+)'|"([^"]+)")\]|[a-z_][a-z0-9_.]*)` +
		String.raw`(:|~|>=|<=|>|<)` +
		String.raw`(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(null))$`,
);

export function parseSearch(
	query: string,
	fields: string[],
): { clauses: Clause[]; join: 'AND' | 'OR' } {
	const text = query.trim();
	if (!text) throw new SearchSyntaxError('Query cannot be empty.');
	const hasAnd = / AND /.test(text);
	const hasOr = / OR /.test(text);
	if (hasAnd && hasOr)
		throw new SearchSyntaxError(
			"Query cannot contain both 'AND' and 'OR'. Use separate queries instead.",
		);
	const parts = text.split(hasOr ? / OR / : / AND /);
	const clauses = parts.map((part) => {
		const m = CLAUSE.exec(part.trim());
		if (!m)
			throw new SearchSyntaxError(
				`There was an error parsing your query. Could not parse "${part.trim()}". ` +
					'See https://stripe.com/docs/search#search-query-language.',
			);
		const [, negate, fieldText, mk1, mk2, op, s1, s2, num, nul] = m;
		const isMeta = fieldText.startsWith('metadata[');
		const field = isMeta ? 'metadata' : fieldText;
		if (!fields.includes(field))
			throw new SearchSyntaxError(
				`Field '${field}' is an unsupported search field for this resource.`,
			);
		const value = num !== undefined ? Number(num) : nul !== undefined ? 'null' : (s1 ?? s2 ?? '');
		if (op === '~' && String(value).length < 3)
			throw new SearchSyntaxError('The ~ operator needs at least 3 characters.');
		return {
			negate: !!negate,
			field,
			metadataKey: isMeta ? (mk1 ?? mk2) : undefined,
			op: op as Clause['op'],
			value,
		};
	});
	return { clauses, join: hasOr ? 'OR' : 'AND' };
}

/** Search fields that are not where their name says (Stripe moved the field, the name stayed). */
const FIELD_PATHS: Record<string, string> = {
	'invoice subscription': 'parent.subscription_details.subscription',
};

function read(object: StripeObject, clause: Clause): unknown {
	if (clause.metadataKey !== undefined)
		return (object.metadata as Record<string, unknown> | null)?.[clause.metadataKey];
	return (FIELD_PATHS[`${String(object.object)} ${clause.field}`] ?? clause.field)
		.split('.')
		.reduce<unknown>(
			(o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
			object,
		);
}

function test(object: StripeObject, clause: Clause): boolean {
	const actual = read(object, clause);
	let ok: boolean;
	switch (clause.op) {
		case ':':
			ok =
				clause.value === 'null'
					? actual === null || actual === undefined
					: String(actual ?? '').toLowerCase() === String(clause.value).toLowerCase();
			break;
		case '~':
			ok = String(actual ?? '')
				.toLowerCase()
				.includes(String(clause.value).toLowerCase());
			break;
		default: {
			const a = Number(actual);
			const v = Number(clause.value);
			ok =
				actual !== null &&
				actual !== undefined &&
				(clause.op === '>'
					? a > v
					: clause.op === '<'
						? a < v
						: clause.op === '>='
							? a >= v
							: a <= v);
		}
	}
	return clause.negate ? !ok : ok;
}

export function matcher(parsed: {
	clauses: Clause[];
	join: 'AND' | 'OR';
}): (o: StripeObject) => boolean {
	return parsed.join === 'AND'
		? (o) => parsed.clauses.every((c) => test(o, c))
		: (o) => parsed.clauses.some((c) => test(o, c));
}
