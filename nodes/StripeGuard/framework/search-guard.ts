/**
 * Stripe's search query language, read so that a model's search can be checked before it reaches
 * Stripe: a search by a field the tool does not offer (a card's billing postal code, say) would let
 * a model confirm a guess about data it never receives. Syntax as Stripe documents it
 * (docs.stripe.com/search#search-query-language): clauses `field:'value'` (exact), `field~'value'`
 * (contains, 3 characters or more, string fields), `field>n`, `<`, `>=`, `<=` (numeric fields),
 * `field:null`, `-` before a clause to negate it, `metadata['key']:'value'`; clauses joined by
 * spaces or AND, or by OR (not both), at most 10; no parentheses.
 */

/** Stripe's field types: what each operator may be used on. */
export type SearchFieldType = 'token' | 'string' | 'numeric';

/** A read resource's search, declared once: Stripe's fields and what of them a model may use. */
export interface SearchSpec {
	/** Stripe's query fields for the resource, with their types (`metadata` for metadata['…']). */
	fields: Record<string, SearchFieldType>;
	/** The fields offered: shown as searchable and, as a tool, the only ones accepted. */
	offered: string[];
	/** A query using offered fields only. */
	example: string;
}

export type SearchOperator = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface SearchClause {
	negated: boolean;
	/** The field as written: `email`, `payment_method_details.card.last4`, `metadata`. */
	field: string;
	/** For `metadata['key']`: the key. */
	metadataKey?: string;
	operator: SearchOperator;
	/** The value without its quotes; null for the `null` token. */
	value: string | null;
	quoted: boolean;
}

export type ParsedSearch =
	| { ok: true; clauses: SearchClause[]; join: 'AND' | 'OR' }
	| { ok: false; message: string };

/** Stripe's limit on clauses in one query. */
export const MAX_SEARCH_CLAUSES = 10;

/** The offered fields as a model writes them: "email, name, metadata['key']". */
export const offeredText = (search: SearchSpec) =>
	search.offered.map((f) => (f === 'metadata' ? "metadata['key']" : f)).join(', ');

const OPERATORS: SearchOperator[] = ['>=', '<=', ':', '~', '>', '<'];
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** The quoted string at `at` (a ' or "), backslash escapes read; undefined when unclosed. */
function readQuoted(text: string, at: number): { value: string; end: number } | undefined {
	const quote = text[at];
	let value = '';
	for (let i = at + 1; i < text.length; i++) {
		const c = text[i];
		if (c === '\\' && i + 1 < text.length) {
			value += text[++i];
			continue;
		}
		if (c === quote) return { value, end: i + 1 };
		value += c;
	}
	return undefined;
}

const SYNTAX =
	"Write clauses as field:'value' (or ~ for contains, > < >= <= for numbers and Unix times, " +
	'field:null, - before a clause to negate it), joined by spaces, AND or OR.';

/** Parses a search query into its clauses; a query Stripe would not read is refused here too. */
export function parseSearch(query: string): ParsedSearch {
	const text = query.trim();
	const refuse = (message: string): ParsedSearch => ({ ok: false, message });
	if (!text) return refuse(`The search query is empty. ${SYNTAX}`);
	if (/[()]/.test(text.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, '')))
		return refuse(`Stripe search has no parentheses. ${SYNTAX}`);
	const clauses: SearchClause[] = [];
	const joins = new Set<'AND' | 'OR'>();
	let i = 0;
	let expectClause = true;
	while (i < text.length) {
		if (/\s/.test(text[i])) {
			i++;
			continue;
		}
		const word = /^(and|or)(?=\s|$)/i.exec(text.slice(i));
		if (word) {
			if (expectClause) return refuse(`"${word[1]}" must stand between two clauses. ${SYNTAX}`);
			joins.add(word[1].toUpperCase() as 'AND' | 'OR');
			expectClause = true;
			i += word[1].length;
			continue;
		}
		if (!expectClause) joins.add('AND'); // clauses side by side are joined by AND
		const start = i;
		const clause: Partial<SearchClause> = { negated: text[i] === '-' };
		if (clause.negated) i++;
		const rest = text.slice(i);
		const metadata = /^metadata\[(['"])/.exec(rest);
		if (metadata) {
			const key = readQuoted(text, i + 'metadata['.length);
			if (!key || text[key.end] !== ']')
				return refuse(`Could not read "${text.slice(start, start + 40)}": ${SYNTAX}`);
			clause.field = 'metadata';
			clause.metadataKey = key.value;
			i = key.end + 1;
		} else {
			const field = FIELD.exec(rest);
			if (!field) return refuse(`Could not read "${text.slice(start, start + 40)}": ${SYNTAX}`);
			clause.field = field[0];
			i += field[0].length;
		}
		const operator = OPERATORS.find((op) => text.startsWith(op, i));
		if (!operator)
			return refuse(
				`"${text.slice(start, i + 1)}…" needs an operator right after the field ` +
					`(: ~ > < >= <=, no spaces). ${SYNTAX}`,
			);
		clause.operator = operator;
		i += operator.length;
		if (text[i] === "'" || text[i] === '"') {
			const value = readQuoted(text, i);
			if (!value) return refuse(`A quote is not closed in "${text.slice(start, start + 40)}".`);
			clause.value = value.value;
			clause.quoted = true;
			i = value.end;
		} else {
			const bare = /^[^\s]*/.exec(text.slice(i))![0];
			if (/^null$/i.test(bare)) clause.value = null;
			else if (NUMBER.test(bare)) clause.value = bare;
			else
				return refuse(
					`The value of "${text.slice(start, i)}" must be in quotes ` +
						`('value'), unless it is a number or null.`,
				);
			clause.quoted = false;
			i += bare.length;
		}
		if (i < text.length && !/\s/.test(text[i]))
			return refuse(`Could not read "${text.slice(start, i + 1)}…": ${SYNTAX}`);
		clauses.push(clause as SearchClause);
		expectClause = false;
	}
	if (expectClause) return refuse(`The query ends with AND or OR. ${SYNTAX}`);
	if (joins.size > 1)
		return refuse('Stripe search cannot mix AND and OR in one query: use separate searches.');
	if (clauses.length > MAX_SEARCH_CLAUSES)
		return refuse(`Stripe search takes at most ${MAX_SEARCH_CLAUSES} clauses.`);
	return { ok: true, clauses, join: joins.has('OR') ? 'OR' : 'AND' };
}

const isNumeric = (value: string) => NUMBER.test(value.trim());

/**
 * Why this query may not be run for a model, or undefined when every clause uses an offered field
 * of Stripe's in a way Stripe accepts. `plural` names the resource: "customers".
 */
export function refuseSearch(
	query: string,
	search: SearchSpec,
	plural: string,
): string | undefined {
	const allowed = `Searchable fields for ${plural}: ${offeredText(search)}.`;
	const parsed = parseSearch(query);
	if (!parsed.ok) return `${parsed.message} ${allowed}`;
	for (const clause of parsed.clauses) {
		const name = clause.field === 'metadata' ? "metadata['key']" : clause.field;
		const type = Object.hasOwn(search.fields, clause.field) ? search.fields[clause.field] : null;
		if (!type || !search.offered.includes(clause.field))
			return `"${name}" cannot be searched by this tool. ${allowed}`;
		if (clause.value === null) {
			// field:null asks whether a field is set, on any field; null compares with nothing.
			if (clause.operator === ':') continue;
			return `null goes only with : (${name}:null). ${allowed}`;
		}
		if (clause.operator === '~' && type !== 'string')
			return `"${name}" takes exact values (:), not ~ (contains). ${allowed}`;
		if (clause.operator === '~' && clause.value.length < 3)
			return `~ (contains) needs at least 3 characters, as in ${name}~'abc'.`;
		if (clause.operator !== ':' && clause.operator !== '~' && type !== 'numeric')
			return `"${name}" is not a number or date: use : (or ~ for text). ${allowed}`;
		if (type === 'numeric' && !isNumeric(clause.value))
			return `"${name}" takes a number (dates as Unix seconds, such as created>1767225600).`;
	}
	return undefined;
}
