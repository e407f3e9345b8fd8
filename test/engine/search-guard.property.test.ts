/**
 * Search is not an oracle for a model: as a tool, Search and the Query's `search` accept a query
 * only when every clause uses a field Stripe searches for that resource (docs.stripe.com/search,
 * held here against the emulator's catalog of them) and the tool offers; anything else is refused
 * before any request, naming the fields allowed. What is accepted reaches Stripe unchanged.
 * Workflows search as they write.
 */
import fc from 'fast-check';

import type { ReadResourceSpec } from '../../nodes/StripeGuard/framework/read-resource';
import {
	offeredText,
	parseSearch,
	refuseSearch,
	type SearchSpec,
} from '../../nodes/StripeGuard/framework/search-guard';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { CATALOG } from '../emulator/catalog';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'none' });
const searchable = querySpecs.filter(
	(s): s is ReadResourceSpec & { search: SearchSpec } => s.search !== undefined,
);

test('each resource offers only fields of Stripe’s search that the emulator serves too', () => {
	for (const spec of searchable) {
		const emulated = Object.values(CATALOG).find((c) => c.path === spec.path)?.searchFields ?? [];
		for (const f of spec.search.offered) {
			expect(spec.search.fields).toHaveProperty([f]);
			expect({ spec: spec.plural, f, emulated: emulated.includes(f) }).toEqual({
				spec: spec.plural,
				f,
				emulated: true,
			});
		}
		// The example a model is shown passes the guard.
		expect(refuseSearch(spec.search.example, spec.search, spec.plural)).toBeUndefined();
	}
});

/** The operators each type takes; a value of the right kind is picked for the operator. */
const OPS: Record<string, string[]> = {
	numeric: [':', '>', '<', '>=', '<='],
	string: [':', '~'],
	token: [':'],
};
const WORD = fc.stringMatching(/^[a-z0-9]{3,12}$/);
const NAME = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}(\.[a-z0-9_]{1,8})?$/);
const KEY = fc.stringMatching(/^[a-z_]{1,10}$/);

/** Any name a model could write: Stripe's fields, ours, typos, other resources', made up. */
const ANY_FIELDS = [
	...new Set(searchable.flatMap((s) => Object.keys(s.search.fields))),
	'billing_details.email',
	'address',
	'emails',
	'Email',
	'payment_method_details.card.exp_year',
	'shipping.name',
];

const clause = (spec: SearchSpec) =>
	fc
		.record({
			field: fc.oneof(fc.constantFrom(...spec.offered), fc.constantFrom(...ANY_FIELDS), NAME),
			negated: fc.boolean(),
			key: KEY,
			op: fc.nat(),
			number: fc.nat({ max: 2_000_000_000 }),
			word: WORD,
			quote: fc.constantFrom("'", '"', ''),
		})
		.map(({ field, negated, key, op, number, word, quote }) => {
			// Arbitraries are made once, above: made inside a chain, each run would build its own.
			// null goes with : only (presence); a word with ~ needs 3 characters (WORD has them).
			const type = spec.fields[field] ?? 'token';
			const operator = OPS[type][op % OPS[type].length];
			const value =
				quote === '' && operator === ':'
					? 'null'
					: type === 'numeric'
						? String(number)
						: `${quote || "'"}${word}${quote || "'"}`;
			const name = field === 'metadata' ? `metadata['${key}']` : field;
			return { field, text: `${negated ? '-' : ''}${name}${operator}${value}` };
		});

const queryOf = (spec: SearchSpec) =>
	fc.record({
		clauses: fc.array(clause(spec), { minLength: 1, maxLength: 4 }),
		join: fc.constantFrom(' AND ', ' OR ', ' ', ' and ', ' or '),
	});

test('any query using a field outside the allowed set is refused, naming the allowed', () => {
	for (const spec of searchable)
		fc.assert(
			fc.property(queryOf(spec.search), ({ clauses, join }) => {
				const query = clauses.map((c) => c.text).join(join);
				const outside = clauses.some(
					(c) => !spec.search.offered.includes(c.field) || !(c.field in spec.search.fields),
				);
				const refused = refuseSearch(query, spec.search, spec.plural);
				if (outside) {
					expect(refused).toMatch(/cannot be searched by this tool/);
					expect(refused).toContain(`Searchable fields for ${spec.plural}: `);
					expect(refused).toContain(offeredText(spec.search));
				} else expect(refused).toBeUndefined();
			}),
			{ numRuns: 300 },
		);
});

test('Stripe’s syntax: what it reads is read, what it refuses is refused', () => {
	const ok = [
		"email:'a@b.co' AND name~'Ada'",
		'email:"a@b.co" name~"Ada"',
		"-email:'x@y.z' or name:'its'",
		"metadata['order id']:'1' AND -metadata[\"k\"]:null",
		"name:'the story called \\'The Sky\\''",
		'created>=1767225600 created<1769904000',
	];
	for (const q of ok) expect({ q, ok: parseSearch(q).ok }).toEqual({ q, ok: true });
	const refused: Array<[string, RegExp]> = [
		["email:'a' AND name:'b' OR phone:'c'", /cannot mix AND and OR/],
		["(email:'a' OR name:'b')", /no parentheses/],
		['email:ada', /must be in quotes/],
		["email: 'ada'", /must be in quotes|needs an operator/],
		["email:'ada", /not closed/],
		["email:'a' AND", /ends with AND or OR/],
		[Array.from({ length: 11 }, (_, i) => `name:'n${i}'`).join(' '), /at most 10 clauses/],
	];
	for (const [q, why] of refused) {
		const parsed = parseSearch(q);
		expect({ q, message: parsed.ok ? '' : parsed.message }).toEqual({
			q,
			message: expect.stringMatching(why),
		});
	}
	const customers = searchable.find((s) => s.plural === 'customers')!.search;
	expect(refuseSearch("email~'ad'", customers, 'customers')).toMatch(/at least 3 characters/);
	expect(refuseSearch("created~'2026'", customers, 'customers')).toMatch(/not ~/);
	expect(refuseSearch("name>'a'", customers, 'customers')).toMatch(/not a number or date/);
	expect(refuseSearch("created:'yesterday'", customers, 'customers')).toMatch(/takes a number/);
	expect(refuseSearch('created>null', customers, 'customers')).toMatch(/null goes only with :/);
});

/** The queries the emulator reads too: its subset of the syntax (one join word, no escapes). */
const emulated = (spec: SearchSpec) =>
	fc.record({
		clauses: fc.array(clause(spec), { minLength: 1, maxLength: 3 }),
		join: fc.constantFrom(' AND ', ' OR '),
	});

const CHARGE_FIELDS =
	'status, amount, currency, customer, disputed, refunded, created, ' +
	"payment_method_details.card.last4, metadata['key']";

const charges = searchable.find((s) => s.plural === 'charges')!;

describe('as a tool, through n8n-core', () => {
	const cases = [
		{
			name: 'Search',
			parameters: (q: string) => ({ resource: 'charge', operation: 'search', query: q }),
		},
		{
			name: 'the Query',
			parameters: (q: string) => ({
				resource: 'query',
				operation: 'run',
				query: JSON.stringify({ search: 'charges', query: q }),
			}),
		},
	];
	test.each(cases)(
		'$name: refused before any request, or sent unchanged',
		async ({ parameters }) => {
			await fc.assert(
				fc.asyncProperty(emulated(charges.search), async ({ clauses, join }) => {
					const query = clauses.map((c) => c.text).join(join);
					const allowed = clauses.every((c) => charges.search.offered.includes(c.field));
					emulator().clearRequests();
					const run = await runStripeGuard({
						parameters: parameters(query),
						credential: { apiKey: emulator().keys.testRead },
						asTool: true,
					});
					const sent = emulator().requests.filter((r) => r.path === '/v1/charges/search');
					if (allowed) {
						expect(run.error?.message).toBeUndefined();
						expect(sent.map((r) => r.query.query)).toEqual([query]);
					} else {
						expect(run.error?.message).toMatch(/cannot be searched by this tool\. Searchable/);
						expect(sent).toEqual([]);
					}
				}),
				{ numRuns: 25 },
			);
		},
	);

	test('the fields of the hostile test: billing postal code and another card field', async () => {
		for (const query of [
			"billing_details.address.postal_code:'94107'",
			'payment_method_details.card.exp_year:2030',
		]) {
			const run = await runStripeGuard({
				parameters: { resource: 'charge', operation: 'search', query },
				credential: { apiKey: emulator().keys.testRead },
				asTool: true,
			});
			expect(run.error?.message).toContain(
				`cannot be searched by this tool. Searchable fields for charges: ${CHARGE_FIELDS}.`,
			);
		}
	});

	test('in a workflow, a search goes to Stripe as written', async () => {
		emulator().clearRequests();
		const query = "billing_details.address.postal_code:'94107'";
		const run = await runStripeGuard({
			parameters: { resource: 'charge', operation: 'search', query },
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.error?.message).toBeUndefined();
		expect(emulator().requests.map((r) => r.query.query)).toEqual([query]);
	});
});
