/**
 * Property: any valid ID of each object round-trips through By URL (n8n-core's own extractValue on
 * the node's parameter, and the node's run-time reading) and passes By ID (n8n-workflow's own
 * parameter validation); an ID with another prefix is refused by both modes. A coupon's ID has no
 * prefix (a code): any code round-trips through a link to the coupons page, and only through it.
 */
import fc from 'fast-check';
import * as core from 'n8n-core/dist/execution-engine/node-execution-context/utils/extract-value';
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { isStripeId, prefixesOf, type IdPrefix } from '../../nodes/shared/ids';
import { dashboardMode, idFromDashboardUrl } from '../../nodes/StripeGuard/framework/locator';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { STRIPE_GUARD } from './harness';

const nodeType = new StripeGuard();

/**
 * Stripe's ID prefix of each object the node reads (docs.stripe.com/api, each object's `id`), or
 * its prefixes where Stripe has given its objects more than one.
 */
const PREFIXES: Array<[resource: string, prefix: IdPrefix]> = [
	['customer', 'cus_'],
	['product', 'prod_'],
	['price', 'price_'],
	['subscription', 'sub_'],
	['invoice', 'in_'],
	['paymentIntent', 'pi_'],
	['charge', 'ch_'],
	['refund', 're_'],
	// The API reference shows du_…; older disputes, and Stripe's example dispute (OpenAPI
	// fixtures3.json), are dp_….
	['dispute', ['du_', 'dp_']],
	['checkoutSession', 'cs_'],
	['payout', 'po_'],
	['balanceTransaction', 'txn_'],
	['event', 'evt_'],
];
/** Objects whose IDs have no prefix, with their Dashboard page (docs.stripe.com/api/coupons). */
const UNPREFIXED: Array<[resource: string, page: string]> = [['coupon', 'coupons']];

test("every read resource declares Stripe's prefix, or none and its Dashboard page", () => {
	expect(
		querySpecs.map((s) => [s.value, s.idPrefix || `no prefix: ${s.dashboard}`]).sort(),
	).toEqual(
		[...PREFIXES, ...UNPREFIXED.map(([resource, page]) => [resource, `no prefix: ${page}`])].sort(),
	);
});

const node = (resource: string, value: unknown): INode => ({
	id: 'n',
	name: 'Stripe Guard',
	type: STRIPE_GUARD,
	typeVersion: 1,
	position: [0, 0],
	parameters: { resource, operation: 'get', [`${resource}Id`]: value } as INodeParameters,
});

/** n8n's parameter issues of the ID field (what the editor shows and the engine refuses to run). */
function issues(resource: string, value: unknown): string[] {
	const found = NodeHelpers.getNodeParametersIssues(
		nodeType.description.properties,
		node(resource, value),
		nodeType.description,
	);
	return found?.parameters?.[`${resource}Id`] ?? [];
}

const ID_CHARS = fc.constantFrom(
	...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'.split(''),
);
const body = fc.string({ unit: ID_CHARS, minLength: 1, maxLength: 40 });
const url = (
	id: string,
	o: { account: string | null; test: boolean; path: string; tail: string },
) =>
	'https://dashboard.stripe.com/' +
	`${o.account ? `${o.account}/` : ''}${o.test ? 'test/' : ''}${o.path}/${id}${o.tail}`;
const urlParts = fc.record({
	account: fc.option(
		fc
			.string({ unit: fc.constantFrom(...'abcXYZ0189'.split('')), minLength: 1, maxLength: 16 })
			.map((s) => `acct_${s}`),
	),
	test: fc.boolean(),
	path: fc.constantFrom(
		'customers',
		'products',
		'prices',
		'subscriptions',
		'invoices',
		'payments',
		'refunds',
		'payouts',
		'events',
		'checkout/sessions',
		'balance_transactions',
	),
	tail: fc.constantFrom('', '/', '?tab=events', '#details', '/edit'),
});

describe.each(PREFIXES)('%s (%s)', (resource, prefix) => {
	const own = prefixesOf(prefix);
	test('any valid ID round-trips through By URL and passes By ID', () => {
		fc.assert(
			fc.property(fc.constantFrom(...own), body, urlParts, (start, b, parts) => {
				const id = `${start}${b}`;
				const link = url(id, parts);
				// n8n's own extraction of the By URL mode, on the node's real parameter.
				expect(
					core.extractValue(
						{ __rl: true, mode: 'url', value: link },
						`${resource}Id`,
						node(resource, {}),
						nodeType,
					),
				).toBe(id);
				// The node's run-time reading gives the same ID and the link's mode.
				expect(idFromDashboardUrl(link, prefix)).toBe(id);
				expect(dashboardMode(link)).toBe(parts.test ? 'test' : 'live');
				// The ID passes By ID in the editor (n8n's validation) and at run time.
				expect(issues(resource, { __rl: true, mode: 'id', value: id })).toEqual([]);
				expect(issues(resource, { __rl: true, mode: 'url', value: link })).toEqual([]);
				expect(isStripeId(id, prefix)).toBe(true);
			}),
			{ numRuns: 150 },
		);
	});

	test('an ID with another prefix is refused by By ID and By URL', () => {
		const others = PREFIXES.flatMap(([, p]) => prefixesOf(p)).filter(
			(p) => !own.some((o) => p.startsWith(o)),
		);
		fc.assert(
			fc.property(fc.constantFrom(...others), body, urlParts, (other, b, parts) => {
				const id = `${other}${b}`;
				fc.pre(!own.some((o) => id.startsWith(o)));
				// (n8n may list the same issue twice: the field's name
				// also stands inside a collection of another operation.)
				expect(new Set(issues(resource, { __rl: true, mode: 'id', value: id }))).toEqual(
					new Set([
						expect.stringMatching(
							new RegExp(`^Not an? .+ ID: .+ IDs start with ${own.join(' or ')}$`),
						),
					]),
				);
				expect(
					new Set(issues(resource, { __rl: true, mode: 'url', value: url(id, parts) })),
				).toEqual(
					new Set([
						expect.stringMatching(
							new RegExp(
								`^Not a Stripe Dashboard URL of an? .+ ` +
									`\\(${own.map((o) => `…/${o}…`).join(' or ')}\\)$`,
							),
						),
					]),
				);
				expect(idFromDashboardUrl(url(id, parts), prefix)).toBeUndefined();
				expect(isStripeId(id, prefix)).toBe(false);
			}),
			{ numRuns: 100 },
		);
	});
});

describe.each(UNPREFIXED)('%s (no prefix)', (resource, page) => {
	const CODE_CHARS = fc.constantFrom(
		...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split(''),
	);
	const code = fc.string({ unit: CODE_CHARS, minLength: 1, maxLength: 40 });

	test('any code round-trips through a link to its page and passes By ID', () => {
		fc.assert(
			fc.property(code, urlParts, (id, parts) => {
				const link = url(id, { ...parts, path: page });
				expect(
					core.extractValue(
						{ __rl: true, mode: 'url', value: link },
						`${resource}Id`,
						node(resource, {}),
						nodeType,
					),
				).toBe(id);
				expect(idFromDashboardUrl(link, '', page)).toBe(id);
				expect(dashboardMode(link)).toBe(parts.test ? 'test' : 'live');
				expect(issues(resource, { __rl: true, mode: 'id', value: id })).toEqual([]);
				expect(issues(resource, { __rl: true, mode: 'url', value: link })).toEqual([]);
				expect(isStripeId(id, '')).toBe(true);
			}),
			{ numRuns: 150 },
		);
	});

	test('a link to another page is refused, and so is text that no code can be', () => {
		const other = fc.constantFrom(...'!?/ .%#'.split(''));
		fc.assert(
			fc.property(code, urlParts, other, (id, parts, bad) => {
				fc.pre(parts.path !== page);
				const link = url(id, parts);
				expect(new Set(issues(resource, { __rl: true, mode: 'url', value: link }))).toEqual(
					new Set([`Not a Stripe Dashboard URL of a ${resource} (…/${page}/…)`]),
				);
				expect(idFromDashboardUrl(link, '', page)).toBeUndefined();
				const notCode = `${id}${bad}`;
				expect(new Set(issues(resource, { __rl: true, mode: 'id', value: notCode }))).toEqual(
					new Set([expect.stringMatching(/^Not an? .+ ID: .+ IDs have no prefix/)]),
				);
				expect(isStripeId(notCode, '')).toBe(false);
			}),
			{ numRuns: 100 },
		);
	});
});
