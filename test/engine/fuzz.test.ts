/**
 * Property-based tests (fast-check) over what takes outside input: the query language, the write
 * validators and request builders, the filter parameters, and the parser of Stripe's permission
 * errors. Every input ends as a valid request or a refusal in words, never a TypeError, and never
 * a request with a parameter the operation does not allow (checked against the emulator, which
 * answers `parameter_unknown` as Stripe does).
 */
import fc from 'fast-check';

import { prefixesOf } from '../../nodes/shared/ids';
import { stripeListParams } from '../../nodes/StripeGuard/framework/filters';
import {
	describePermission,
	missingPermissionMessage,
	parseMissingPermissions,
} from '../../nodes/shared/credentials/permissions';
import { parseQuery } from '../../nodes/StripeGuard/framework/query';
import type { ReadResourceSpec } from '../../nodes/StripeGuard/framework/read-resource';
import {
	WRITE_BUILDERS,
	WriteInputError,
	type WriteContext,
	type WriteKey,
} from '../../nodes/StripeGuard/writes';
import {
	amountProblem,
	currencyProblem,
	idProblem,
	metadataProblem,
} from '../../nodes/StripeGuard/writes/validation';
import { resources } from '../../nodes/StripeGuard/resources';
import { StripeApi } from '../emulator/api';
import { StripeFailure } from '../emulator/errors';
import { makeKey } from '../emulator/permissions';
import { Store } from '../emulator/store';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const RUNS = Number(process.env.FUZZ_RUNS || 300);
const specs = resources
	.map((r) => (r as { spec?: ReadResourceSpec }).spec)
	.filter((s): s is ReadResourceSpec => s !== undefined);
const PREFIXES = [
	'cus_',
	'prod_',
	'price_',
	'sub_',
	'in_',
	'pi_',
	'ch_',
	're_',
	'txn_',
	'po_',
	'cs_',
	'evt_',
	'sk_live_',
	'rk_test_',
	'',
];

/**
 * Strings an agent or an expression might produce: IDs
 * with the right or wrong prefix, dates, periods, junk.
 */
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc
		.tuple(fc.constantFrom(...PREFIXES), fc.stringMatching(/^[A-Za-z0-9]{0,24}$/))
		.map(([p, s]) => p + s),
	fc.constantFrom(
		'last_30_days',
		'yesterday',
		'previous_month',
		'2026-01-31',
		'2026-01-31T12:00:00Z',
		'usd',
		'JPY',
		'active',
		'all',
		'open',
		'month',
		'*',
		'null',
		'{}',
		'__proto__',
		'constructor',
	),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
	any: fc.oneof(
		{ depthSize: 'small' },
		text,
		fc.integer(),
		fc.double(),
		fc.boolean(),
		fc.constant(null),
		fc.constant(undefined),
		fc.array(tie('any'), { maxLength: 3 }),
		fc.dictionary(text, tie('any'), { maxKeys: 4 }),
	),
})).any;

/** A query shaped like the real ones, with any part swapped for something else. */
const queryish = fc.record(
	{
		list: fc.oneof(fc.constantFrom(...specs.map((s) => s.plural)), text),
		search: fc.oneof(fc.constantFrom(...specs.map((s) => s.plural)), text),
		get: fc.oneof(fc.constantFrom(...specs.map((s) => s.plural)), text),
		filters: fc.oneof(
			fc.dictionary(
				fc.oneof(
					fc.constantFrom(
						'created',
						'status',
						'customer',
						'type',
						'email',
						'currency',
						'payout',
						'price',
						'active',
					),
					text,
				),
				value,
				{ maxKeys: 4 },
			),
			value,
		),
		limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), value),
		query: value,
		id: value,
		expand: fc.oneof(
			fc.array(
				fc.oneof(
					fc.constantFrom('customer', 'latest_invoice', 'default_price', 'product', 'source'),
					text,
				),
				{ maxLength: 5 },
			),
			value,
		),
		delete: value,
	},
	{ requiredKeys: [] },
);

test('the query language: any input is a plan within the allow-lists or a refusal in words', () => {
	fc.assert(
		fc.property(
			fc.oneof(
				queryish,
				value,
				fc.string().map((s) => `{"list": ${s}}`),
			),
			(input) => {
				const check = parseQuery(input, specs);
				if (!check.ok) {
					expect(typeof check.message).toBe('string');
					expect(check.message.length).toBeGreaterThan(10);
					return;
				}
				const { plan } = check;
				expect(specs).toContain(plan.spec);
				for (const e of plan.expand) expect(plan.spec.expand).toContain(e);
				if (plan.verb === 'list') {
					expect(plan.limit).toBeGreaterThanOrEqual(1);
					expect(plan.limit).toBeLessThanOrEqual(1000);
					const params = stripeListParams(plan.spec.filters, plan.filters, 'Europe/Berlin');
					const allowed = plan.spec.filters.map((f) => f.name);
					for (const name of Object.keys(params)) expect(allowed).toContain(name);
					for (const range of Object.values(params)) {
						if (typeof range === 'object' && range !== null)
							for (const bound of Object.values(range)) expect(Number.isInteger(bound)).toBe(true);
					}
				}
				if (plan.verb === 'get')
					expect(prefixesOf(plan.spec.idPrefix).some((p) => plan.id.startsWith(p))).toBe(true);
			},
		),
		{ numRuns: RUNS * 3 },
	);
});

test(
	'the write validators answer any value with a ' +
		'problem in words or nothing, never a TypeError',
	() => {
		fc.assert(
			fc.property(value, text, (v, label) => {
				for (const problem of [
					currencyProblem(v),
					amountProblem(v),
					metadataProblem(v),
					idProblem(v, label || 'customer', 'cus_'),
				]) {
					expect(problem === undefined || (typeof problem === 'string' && problem.length > 0)).toBe(
						true,
					);
				}
			}),
			{ numRuns: RUNS },
		);
	},
);

const INPUT_FIELDS = [
	'customerId',
	'productId',
	'priceId',
	'subscriptionId',
	'invoiceId',
	'paymentIntentId',
	'chargeId',
	'checkoutSessionId',
	'name',
	'email',
	'phone',
	'description',
	'metadata',
	'active',
	'nickname',
	'lookupKey',
	'currency',
	'unitAmount',
	'interval',
	'intervalCount',
	'cancelAtPeriodEnd',
	'invoiceNow',
	'prorate',
	'amount',
	'reason',
	'cancellationReason',
	'collectionMethod',
	'daysUntilDue',
	'mode',
	'successUrl',
	'cancelUrl',
	'lineItems',
	'unexpected',
];
const writeInput = fc.dictionary(
	fc.constantFrom(...INPUT_FIELDS),
	fc.oneof(
		value,
		fc.integer({ min: -10, max: 100_000 }),
		fc.constantFrom(
			'usd',
			'jpy',
			'day',
			'month',
			'duplicate',
			'payment',
			'subscription',
			'https://example.com/ok',
		),
	),
	{ maxKeys: 8 },
);
const writeContext: fc.Arbitrary<WriteContext> = fc.record(
	{
		charge: fc.record({
			id: fc.constant('ch_fuzz'),
			amount: fc.integer({ min: 0, max: 100_000 }),
			amount_refunded: fc.integer({ min: 0, max: 100_000 }),
			currency: fc.constantFrom('usd', 'jpy', 'bhd'),
			email: fc.option(fc.string()),
		}),
		prices: fc.dictionary(
			text,
			fc.record({
				unit_amount: fc.option(fc.integer({ min: 0, max: 100_000 })),
				currency: fc.constantFrom('usd', 'eur'),
				nickname: fc.option(fc.string()),
			}),
			{ maxKeys: 3 },
		),
	},
	{ requiredKeys: [] },
);

test(
	'every write builder: a request Stripe accepts ' + 'the parameters of, or a WriteInputError',
	() => {
		// The emulator's API answers as Stripe does: an unknown parameter is `parameter_unknown`.
		const api = new StripeApi(new Store(Date.now));
		const key = makeKey(
			{ key: 'sk_test_fuzz', mode: 'test' },
			{ accountId: 'acct_fuzz', newSecret: () => 'x' },
		);
		fc.assert(
			fc.property(
				fc.constantFrom(...(Object.keys(WRITE_BUILDERS) as WriteKey[])),
				writeInput,
				writeContext,
				(write, input, context) => {
					let draft;
					try {
						draft = WRITE_BUILDERS[write](input, context);
					} catch (error) {
						expect(error).toBeInstanceOf(WriteInputError);
						expect((error as Error).message.length).toBeGreaterThan(5);
						return;
					}
					expect(`${draft.resource}.${draft.operation}`).toBe(write);
					expect(draft.summary.length).toBeGreaterThan(5);
					try {
						api.handle({
							method: draft.request.method,
							path: draft.request.path,
							params: draft.request.params,
							key,
						});
					} catch (error) {
						expect(error).toBeInstanceOf(StripeFailure);
						const body = (error as StripeFailure).body('req_fuzz') as {
							error: { code?: string; message: string };
						};
						expect([body.error.code, body.error.message]).not.toContainEqual('parameter_unknown');
					}
				},
			),
			{ numRuns: RUNS * 3 },
		);
	},
);

test('the permission-error parser takes any text and returns only rak_ codes it found', () => {
	const code = fc
		.tuple(
			fc.constantFrom('rak_', ''),
			fc.constantFrom('customer', 'plan', 'balance_transaction_source', 'event', 'x'),
			fc.constantFrom('_read', '_write', ''),
		)
		.map((p) => p.join(''));
	const message = fc.oneof(
		fc.string({ maxLength: 200 }),
		fc
			.tuple(fc.string({ maxLength: 40 }), code, fc.string({ maxLength: 40 }))
			.map(([a, c, b]) => `${a}Having the '${c}' permission would allow${b}`),
		fc
			.tuple(code, code)
			.map(
				([a, b]) =>
					`The provided key 'rk_test_***1234' does not have the required ` +
					`permissions for this endpoint on account 'acct_1'. ` +
					`Having the '${a}' or '${b}' permissions would allow this request to continue.`,
			),
		fc
			.tuple(fc.string({ maxLength: 20 }), code)
			.map(
				([name, c]) =>
					`Enabling "${name}" ('${c}') permissions on this key would allow this request.`,
			),
	);
	fc.assert(
		fc.property(message, (m) => {
			const codes = parseMissingPermissions(m);
			for (const c of codes) {
				expect(c).toMatch(/^rak_[a-z_]+_(read|write)$/);
				expect(describePermission(c).length).toBeGreaterThan(0);
			}
			if (codes.length) expect(missingPermissionMessage(codes)).toContain(codes[0]);
		}),
		{ numRuns: RUNS * 3 },
	);
});

describe('through the node', () => {
	const emulator = useEmulator({ seed: 'demo' });

	test(
		'the Query operation with any query: a result, ' +
			'or a NodeOperationError / NodeApiError naming the item',
		async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.oneof(
						queryish.map((q) => JSON.stringify(q)),
						fc.string({ maxLength: 60 }),
					),
					async (query) => {
						const run = await runStripeGuard({
							parameters: { resource: 'query', operation: 'run', query } as never,
							credential: { apiKey: emulator().keys.testRead },
						});
						if (run.status === 'success') return;
						expect(['NodeOperationError', 'NodeApiError']).toContain(run.error?.name);
						expect(run.error?.context?.itemIndex).toBe(0);
						expect(run.error?.message).not.toMatch(/TypeError|Cannot read|undefined is not/);
					},
				),
				{ numRuns: Math.ceil(RUNS / 4) },
			);
		},
	);

	test(
		'report operations with any period, zone and range: ' +
			'a report, or a NodeOperationError naming the item',
		async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.constantFrom(
						'mrr',
						'revenue',
						'subscriptionMovements',
						'subscriptionMetrics',
						'cohorts',
						'failedPayments',
						'payouts',
					),
					fc.oneof(fc.constantFrom('custom', 'yesterday', 'last_7_days'), text),
					fc.oneof(fc.constantFrom('', 'UTC', 'Asia/Kolkata'), text),
					text,
					text,
					async (operation, period, timeZone, start, end) => {
						const run = await runStripeGuard({
							parameters: {
								resource: 'report',
								operation,
								period,
								timeZone,
								start,
								end,
								includeTable: true,
							} as never,
							credential: { apiKey: emulator().keys.testRead },
						}).catch((error: Error) => {
							// n8n itself refuses to start a workflow whose
							// required field (a custom range's End) is empty.
							expect(error.name).toBe('WorkflowHasIssuesError');
							return undefined;
						});
						if (!run || run.status === 'success') return;
						expect(run.error?.name).toBe('NodeOperationError');
						expect(run.error?.context?.itemIndex).toBe(0);
					},
				),
				{ numRuns: Math.ceil(RUNS / 6) },
			);
		},
		// Seven reports, each run through the engine: seconds, more on a loaded machine.
		30_000,
	);
});
