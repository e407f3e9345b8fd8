/**
 * The contract checker itself: generated from the installed stripe package, it must refuse and
 * accept what Stripe does, and Stripe's own example objects must fit its object schemas.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { parse, stringify } from 'qs';

import { STRIPE_API_VERSION } from '../../../nodes/shared/transport/constants';
import { RECURRING_INTERVAL_MAX } from './documented';
import { checkObject, checkRequest, contract, limits, matchEndpoint } from './index';

const root = join(__dirname, '../../..');

/** A request as the emulator's server sees it: query and form body parsed by qs. */
function request(method: string, url: string, body = '') {
	const [path, query = ''] = url.split('?');
	return checkRequest({ method, path, query: parse(query), body: parse(body) });
}

test('the JSON is what the generator makes from the installed stripe package', () => {
	const run = spawnSync(
		process.execPath,
		[join(root, 'scripts/generate-stripe-contract.mjs'), '--check'],
		{ encoding: 'utf8' },
	);
	expect(run.stderr).toBe('');
	expect(run.status).toBe(0);
	const stripe = JSON.parse(readFileSync(join(root, 'node_modules/stripe/package.json'), 'utf8'));
	expect(contract.source.stripePackage).toBe(stripe.version);
	expect(contract.source.apiVersion).toBe('2026-10-28.endive');
}, 60_000);

test('the contract is of the API version the package sends', () => {
	expect(contract.source.apiVersion).toBe(STRIPE_API_VERSION);
});

describe('endpoints', () => {
	test('literal segments win over placeholders', () => {
		expect(matchEndpoint('GET', '/v1/customers/search')).toEqual({
			template: '/v1/customers/search',
		});
		expect(matchEndpoint('GET', '/v1/customers/cus_1')).toEqual({ template: '/v1/customers/{id}' });
		expect(matchEndpoint('GET', '/v1/invoices/in_1/lines')).toEqual({
			template: '/v1/invoices/{id}/lines',
		});
		expect(matchEndpoint('GET', '/v1/checkout/sessions/cs_1/line_items')).toEqual({
			template: '/v1/checkout/sessions/{id}/line_items',
		});
	});

	test('an unknown path, and a known path with a method it does not have, are unrecognized', () => {
		expect(request('GET', '/v1/foo')).toEqual({
			message:
				'Unrecognized request URL (GET: /v1/foo). ' +
				'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
		});
		expect(request('PUT', '/v1/customers')?.message).toMatch(
			/^Unrecognized request URL \(PUT: \/v1\/customers\)/,
		);
		expect(request('DELETE', '/v1/charges/ch_1')?.message).toMatch(
			/^Unrecognized request URL \(DELETE: \/v1\/charges\/ch_1\)/,
		);
		expect(matchEndpoint('DELETE', '/v1/charges/ch_1')).toBeUndefined();
	});
});

describe('refused as Stripe refuses them', () => {
	test(
		'invoices have no `subscription` since basil: ' + 'not expandable, on lists or one invoice',
		() => {
			expect(request('GET', '/v1/invoices?expand[]=data.subscription')).toEqual({
				message: 'This property cannot be expanded (data.subscription).',
				param: 'expand[0]',
				template: '/v1/invoices',
			});
			expect(request('GET', '/v1/invoices/in_123?expand[]=subscription')).toMatchObject({
				message: expect.stringMatching(/^This property cannot be expanded/),
				template: '/v1/invoices/{id}',
			});
		},
	);

	test('charges have no `invoice`', () => {
		expect(request('GET', '/v1/charges?expand[]=data.invoice')?.message).toMatch(
			/^This property cannot be expanded \(data.invoice\)/,
		);
	});

	test('list expansions start with data.', () => {
		expect(request('GET', '/v1/invoices?expand[]=customer')?.message).toBe(
			'This property cannot be expanded (customer).',
		);
	});

	test('expansion deeper than 4 levels, counting every segment as Stripe documents', () => {
		// docs.stripe.com/api/expanding_objects: "the deepest expansion allowed when listing charges is
		// data.payment_intent.customer.default_source" — `data` counts. So
		// data.items.data.price.product on the subscription list (5 levels) is refused;
		// items.data.price.product on one subscription is fine. (The brief expected the list form to
		// pass; Stripe's documented rule says otherwise.)
		expect(
			request('GET', '/v1/charges?expand[]=data.payment_intent.customer.default_source'),
		).toBeUndefined();
		expect(
			request('GET', '/v1/charges?expand[]=data.payment_intent.customer.default_source.customer'),
		).toEqual({
			message: 'You cannot expand more than 4 levels of a property.',
			param: 'expand[0]',
			template: '/v1/charges',
		});
		expect(
			request('GET', '/v1/subscriptions?expand[]=data.items.data.price.product')?.message,
		).toBe('You cannot expand more than 4 levels of a property.');
	});

	test('unknown parameters, top-level and nested, with their bracketed names', () => {
		expect(request('GET', '/v1/customers?colour=red')).toEqual({
			message: 'Received unknown parameter: colour',
			param: 'colour',
			template: '/v1/customers',
		});
		expect(
			request(
				'POST',
				'/v1/checkout/sessions',
				'mode=payment&success_url=https://x.test&line_items[0][price]=price_1&' +
					'line_items[0][quantity]=1&line_items[0][colour]=red',
			),
		).toEqual({
			message: 'Received unknown parameter: line_items[0][colour]',
			param: 'line_items[0][colour]',
			template: '/v1/checkout/sessions',
		});
		expect(request('POST', '/v1/customers', 'metadata[foo][bar]=x')).toMatchObject({
			message: 'Received unknown parameter: metadata[foo][bar]',
			param: 'metadata[foo][bar]',
		});
	});

	test('enum values that are not listed', () => {
		// PayoutListParams.status is a plain `string` in the types (the
		// values are only in prose), so status=in_transit on /v1/payouts
		// cannot be refused from them; the invoice status filter is an enum.
		expect(request('GET', '/v1/payouts?status=in_transit')).toBeUndefined();
		expect(request('GET', '/v1/invoices?status=bogus')).toEqual({
			message: 'Invalid status: must be one of draft, open, paid, uncollectible or void',
			param: 'status',
			template: '/v1/invoices',
		});
		expect(request('POST', '/v1/invoices', 'pending_invoice_items_behavior=sometimes')?.param).toBe(
			'pending_invoice_items_behavior',
		);
	});

	test('numbers and booleans must parse', () => {
		expect(request('POST', '/v1/refunds', 'charge=ch_1&amount=ten')).toMatchObject({
			message: 'Invalid number: ten',
			param: 'amount',
		});
		expect(request('DELETE', '/v1/subscriptions/sub_1?prorate=yes')).toMatchObject({
			message: 'Invalid boolean: yes',
			param: 'prorate',
		});
		expect(request('GET', '/v1/invoices?created[gte]=soon')).toMatchObject({
			param: 'created[gte]',
		});
	});
});

describe('accepted', () => {
	test.each([
		[
			'POST',
			'/v1/customers',
			'metadata[a]=b&email=a@b.test&expand[]=default_source&' +
				'expand[]=invoice_settings.default_payment_method',
		],
		['POST', '/v1/customers', 'metadata[a]='], // '' unsets a metadata key
		['POST', '/v1/refunds', 'charge=ch_1&amount=100'],
		['DELETE', '/v1/subscriptions/sub_1?invoice_now=true&prorate=true', ''],
		['POST', '/v1/invoices', 'pending_invoice_items_behavior=include'],
		['GET', '/v1/customers/search?query=email%3A%22a%40b.test%22&page=next_1', ''],
		[
			'GET',
			'/v1/invoices?expand[]=data.parent.subscription_details.subscription&' +
				'status=open&created[gte]=1',
			'',
		],
		['GET', '/v1/subscriptions?expand[]=data.items.data.price', ''],
		['GET', '/v1/subscriptions/sub_1?expand[]=items.data.price.product', ''],
		['GET', '/v1/subscriptions?expand[]=data.customer&expand[]=data.latest_invoice', ''],
		['GET', '/v1/prices?expand[]=data.tiers&expand[]=data.product', ''],
		['GET', '/v1/events?types[]=invoice.paid&types[]=charge.refunded&created[gte]=5', ''],
		['GET', '/v1/balance', ''],
		['POST', '/v1/invoices/in_1', 'description=&metadata='], // Emptyable: '' clears
		[
			'POST',
			'/v1/checkout/sessions',
			'mode=payment&success_url=https://x.test&' +
				'line_items[0][price]=price_1&line_items[0][quantity]=2',
		],
	])('%s %s %s', (method, url, body) => {
		expect(request(method, url, body)).toBeUndefined();
	});

	test('qs gives arrays with sparse or high indexes as objects: both are accepted', () => {
		const body = {
			line_items: { 0: { price: 'p', quantity: '1' }, 25: { price: 'q', quantity: '1' } },
			mode: 'payment',
			success_url: 'https://x.test',
		};
		expect(
			checkRequest({ method: 'POST', path: '/v1/checkout/sessions', query: {}, body }),
		).toBeUndefined();
		const bad = { ...body, line_items: { 0: { price: 'p' }, 25: { price: 'q', colour: 'red' } } };
		expect(
			checkRequest({ method: 'POST', path: '/v1/checkout/sessions', query: {}, body: bad })?.param,
		).toBe('line_items[25][colour]');
	});
});

describe("Stripe's example objects (fixtures3.json) against the object schemas", () => {
	// fixtures3 (snapshot 2026-08-21) is older than, and abbreviated compared with, the types of
	// 2026-10-28. Every difference is listed here, by cause; any other difference fails the test.
	const exceptions: Record<string, string[]> = {
		'fixtures abbreviate an expanded object to a stub ({id, object} or a few fields)': [
			...['charge', 'payment_intent', 'payment_link', 'quote', 'subscription'].flatMap((k) =>
				['charges_enabled', 'details_submitted', 'email', 'payouts_enabled', 'type'].map(
					(f) => `${k}: transfer_data.destination.${f}: missing`,
				),
			),
			...['default_settings', 'phases[0]'].flatMap((p) =>
				['charges_enabled', 'details_submitted', 'email', 'payouts_enabled', 'type'].map(
					(f) => `subscription_schedule: ${p}.transfer_data.destination.${f}: missing`,
				),
			),
			...['billing.credit_balance_summary', 'billing.credit_grant'].flatMap((k) =>
				['balance', 'invoice_settings', 'metadata'].map((f) => `${k}: customer.${f}: missing`),
			),
		],
		'fields the 2026-10-28 types declare (non-optional) that the fixtures lack': [
			'account: business_profile.specified_commercial_transactions_act_url: missing',
			'payment_source: business_profile.specified_commercial_transactions_act_url: missing',
			'account_session: components.payment_method_settings: missing',
			'account_session: components.reporting_chart: missing',
			'account_session: components.terminal_hardware_orders: missing',
			'account_session: components.terminal_hardware_shop: missing',
			'billing_portal.configuration: ' +
				'features.subscription_cancel.cancellation_reason.feedback_options: missing',
			'billing_portal.configuration: features.subscription_pause: missing',
			'billing_portal.session: flow.customer_update: missing',
			'billing_portal.session: flow.subscription_pause: missing',
			'charge: payment_method_details.card.electronic_commerce_indicator: missing',
			'checkout.session: allowed_payment_method_types: missing',
			'confirmation_token: metadata: missing',
			'customer_session: components.active_entitlements: missing',
			'customer_session: components.customer_portal: missing',
			'dispute: evidence_details.submission_method: missing',
			'dispute: intended_submission_method: missing',
			'payment_intent: allowed_payment_method_types: missing',
			'payment_intent: payment_record: missing',
			'payment_link: subscription_data.invoice_settings.account_tax_ids: missing',
			'payment_link: subscription_data.invoice_settings.custom_fields: missing',
			'payment_link: subscription_data.invoice_settings.description: missing',
			'payment_link: subscription_data.invoice_settings.footer: missing',
			'product: tax_details: missing',
			'setup_intent: allowed_payment_method_types: missing',
			'subscription: cancellation_details.feedback_option: missing',
			'subscription: items.data[0].current_trial: missing',
			'subscription: pending_update.cancel_at_period_end: missing',
			'subscription: trial_settings.end_behavior.billing_cycle_anchor: missing',
			'subscription_item: current_trial: missing',
			'subscription_schedule: pause_schedules: missing',
			'tax.calculation_line_item: performance_location: missing',
			'tax_code: requirements: missing',
			'radar.payment_evaluation: signals.early_fraud_warning: missing',
			'radar.payment_evaluation: signals.fraudulent_dispute: missing',
			'reserve.hold: destination: missing',
			'reserve.plan: destination: missing',
			'reserve.release: destination: missing',
		],
		'fields the types no longer have (removed in basil, 2025-03-31)': [
			'invoice: subscription: unknown field',
			'event: data.object.aggregate_usage: unknown field', // the example event carries a plan
		],
		'an enum value the types do not list': [
			"reserve.release: reason: 'bulk_hold_expiry' is not one of hold_expired, " +
				'hold_released_early, hold_reversed, plan_disabled',
		],
		'object types the stripe package has no definition for': [
			"issuing.settlement: (object): Stripe has no object type 'issuing.settlement'",
			"sigma.sigma_api_query: (object): Stripe has no object type 'sigma.sigma_api_query'",
			"terminal.refund: (object): Stripe has no object type 'terminal.refund'",
		],
	};

	const fixtures = JSON.parse(
		readFileSync(join(__dirname, '../data/fixtures3-complete.json'), 'utf8'),
	).resources as Record<string, { object: string }>;

	test('every fixture type-checks, apart from the listed exceptions', () => {
		const found = Object.entries(fixtures).flatMap(([key, value]) =>
			checkObject(value.object, value).map((e) => `${key}: ${e}`),
		);
		expect(found.sort()).toEqual(Object.values(exceptions).flat().sort());
	});

	test('the objects the emulator serves are all among them, and fit', () => {
		const served = [
			'customer',
			'product',
			'price',
			'coupon',
			'discount',
			'subscription',
			'subscription_item',
			'invoice',
			'line_item',
			'invoiceitem',
			'payment_intent',
			'charge',
			'refund',
			'balance',
			'balance_transaction',
			'payout',
			'checkout.session',
			'event',
		];
		for (const key of served) {
			expect(contract.objectTypes[fixtures[key].object]).toBeDefined();
			const errors = checkObject(fixtures[key].object, fixtures[key]);
			const listed = Object.values(exceptions)
				.flat()
				.filter((e) => e.startsWith(`${key}: `))
				.map((e) => e.slice(key.length + 2));
			expect(errors.sort()).toEqual(listed.sort());
		}
	});

	test('expanded fields take the ID or the object; lists check each element by its type', () => {
		const invoice = structuredClone(fixtures.invoice) as Record<string, unknown>;
		delete invoice.subscription;
		expect(checkObject('invoice', { ...invoice, customer: 'cus_1' })).toEqual([]);
		expect(checkObject('invoice', { ...invoice, customer: fixtures.customer })).toEqual([]);
		expect(checkObject('invoice', { ...invoice, customer: 42 })).not.toEqual([]);
		expect(checkObject('invoice', { ...invoice, status: 'in_transit' })).toEqual([
			"status: 'in_transit' is not one of draft, open, paid, uncollectible, void",
		]);
		const list = {
			object: 'list',
			data: [fixtures.customer, fixtures.deleted_customer],
			has_more: false,
			url: '/v1/customers',
		};
		expect(checkObject('list', list)).toEqual([]);
		expect(
			checkObject('list', { ...list, data: [{ ...fixtures.customer, colour: 'red' }] }),
		).toEqual(['data[0].colour: unknown field']);
	});
});

describe(
	'property: unknown keys anywhere in a valid ' + 'nested body are reported where they are',
	() => {
		const base = {
			mode: 'subscription',
			success_url: 'https://example.test/ok',
			customer: 'cus_1',
			// payment_method_types is gone from the 2026-10-28 params
			allowed_payment_method_types: ['card'],
			line_items: [
				{
					price: 'price_1',
					quantity: '2',
					adjustable_quantity: { enabled: 'true', minimum: '1', maximum: '5' },
				},
				{ price: 'price_2', quantity: '1' },
			],
			metadata: { order: '42', source: 'n8n' },
			subscription_data: {
				description: 'Plan',
				trial_period_days: '7',
				metadata: { tier: 'gold' },
			},
			expand: ['customer', 'subscription.latest_invoice'],
		};
		type Place = Array<string | number>;
		/**
		 * Objects a key can be inserted into, and string leaves under metadata (which become hashes).
		 */
		const places: Place[] = [
			[],
			['line_items', 0],
			['line_items', 1],
			['line_items', 0, 'adjustable_quantity'],
			['subscription_data'],
			['metadata', 'order'],
			['subscription_data', 'metadata', 'tier'],
		];
		const bracketed = (p: Place) => p.map((s, i) => (i === 0 ? String(s) : `[${s}]`)).join('');

		test('the base body is valid', () => {
			expect(
				checkRequest({
					method: 'POST',
					path: '/v1/checkout/sessions',
					query: {},
					body: parse(stringify(base)),
				}),
			).toBeUndefined();
		});

		test('inserted keys are always found, with their bracketed path', () => {
			fc.assert(
				fc.property(
					fc.constantFrom(...places),
					// No Stripe parameter starts with zz_.
					fc.stringMatching(/^[a-z][a-z_]{1,12}$/).map((s) => `zz_${s}`),
					fc.string({ minLength: 1, maxLength: 8 }),
					(place, key, value) => {
						const body = structuredClone(base) as Record<string, unknown>;
						const parentPath = place.slice(0, -1);
						let holder: Record<string | number, unknown> = body;
						for (const s of parentPath) holder = holder[s] as Record<string | number, unknown>;
						const last = place[place.length - 1];
						if (last === undefined) body[key] = value;
						else if (typeof holder[last] === 'string') holder[last] = { [key]: value };
						else (holder[last] as Record<string, unknown>)[key] = value;
						// Through Stripe's form encoding and back, as the emulator receives it.
						const received = parse(stringify(body));
						const expected = place.length ? `${bracketed(place)}[${key}]` : key;
						expect(
							checkRequest({
								method: 'POST',
								path: '/v1/checkout/sessions',
								query: {},
								body: received,
							}),
						).toEqual({
							message: `Received unknown parameter: ${expected}`,
							param: expected,
							template: '/v1/checkout/sessions',
						});
					},
				),
				{ numRuns: 300 },
			);
		});
	},
);

describe("limits beyond the types: Stripe's OpenAPI spec and its documentation", () => {
	const x = (n: number) => 'x'.repeat(n);
	const price = 'product=prod_1&currency=usd&unit_amount=100';
	const session = 'mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=1';

	test('a string beyond its maxLength, counted in characters as Stripe counts them', () => {
		expect(request('POST', '/v1/prices', `${price}&lookup_key=${x(201)}`)).toEqual({
			message: `Invalid string: ${x(10)}...${x(10)}; must be at most 200 characters`,
			param: 'lookup_key',
			template: '/v1/prices',
		});
		expect(request('POST', '/v1/prices', `${price}&lookup_key=${x(200)}`)).toBeUndefined();
		// 200 characters outside the BMP are 400 UTF-16 units: still 200 characters.
		const wide = encodeURIComponent('🧨'.repeat(200));
		expect(request('POST', '/v1/prices', `${price}&lookup_key=${wide}`)).toBeUndefined();
		expect(request('POST', '/v1/coupons/SUMMER', `name=${x(41)}`)?.param).toBe('name');
		expect(request('POST', '/v1/customers', `phone=${x(21)}`)?.param).toBe('phone');
	});

	test('a number the spec says is an integer', () => {
		expect(request('POST', '/v1/prices', 'product=prod_1&currency=usd&unit_amount=1.5')).toEqual({
			message: 'Invalid integer: 1.5',
			param: 'unit_amount',
			template: '/v1/prices',
			code: 'parameter_invalid_integer',
		});
		expect(
			request('POST', '/v1/checkout/sessions', `${session.replace('quantity]=1', 'quantity]=2.5')}`)
				?.param,
		).toBe('line_items[0][quantity]');
		// Words that stand in for a number where the spec says so.
		expect(request('POST', '/v1/subscriptions/sub_1', 'trial_end=now')).toBeUndefined();
	});

	test.each([
		['day', 1095],
		['week', 156],
		['month', 36],
		['year', 3],
	])("a price's interval of %s: at most %i, three years", (interval, most) => {
		const at = (n: number) =>
			request(
				'POST',
				'/v1/prices',
				`${price}&recurring[interval]=${interval}&recurring[interval_count]=${n}`,
			);
		expect(at(most)).toBeUndefined();
		expect(at(1)).toBeUndefined();
		expect(at(most + 1)).toMatchObject({
			param: 'recurring[interval_count]',
			code: 'parameter_invalid_integer',
		});
		expect(at(0)?.param).toBe('recurring[interval_count]');
	});

	test("a Checkout Session's URLs are http(s) URLs a browser can be sent to", () => {
		const urls = (q: string) => request('POST', '/v1/checkout/sessions', `${session}&${q}`);
		expect(urls('success_url=https://x.test/ok?s={CHECKOUT_SESSION_ID}')).toBeUndefined();
		expect(urls('success_url=http://localhost:5678/ok')).toBeUndefined();
		for (const bad of ['javascript:alert(1)', 'ftp://x.test', 'x.test/ok', 'https://x test'])
			expect(urls(`cancel_url=${encodeURIComponent(bad)}`)).toEqual({
				message: 'Not a valid URL',
				param: 'cancel_url',
				template: '/v1/checkout/sessions',
				code: 'url_invalid',
			});
	});

	test("a Checkout Session's line items: 100 in payment mode, 40 in subscription mode", () => {
		const lines = (n: number) =>
			Array.from({ length: n }, (_, i) => `line_items[${i}][price]=price_${i}`).join('&');
		expect(request('POST', '/v1/checkout/sessions', `mode=payment&${lines(100)}`)).toBeUndefined();
		expect(request('POST', '/v1/checkout/sessions', `mode=payment&${lines(101)}`)?.param).toBe(
			'line_items',
		);
		expect(request('POST', '/v1/checkout/sessions', `mode=subscription&${lines(41)}`)?.param).toBe(
			'line_items',
		);
	});

	test('metadata: 50 keys, keys of 40 characters, values of 500', () => {
		const keys = (n: number) => Array.from({ length: n }, (_, i) => `metadata[k${i}]=v`).join('&');
		expect(request('POST', '/v1/customers', keys(50))).toBeUndefined();
		expect(request('POST', '/v1/customers', keys(51))?.param).toBe('metadata');
		expect(request('POST', '/v1/customers', `metadata[${x(41)}]=v`)?.param).toBe('metadata');
		expect(request('POST', '/v1/customers', `metadata[k]=${x(500)}`)).toBeUndefined();
		expect(request('POST', '/v1/customers', `metadata[k]=${x(501)}`)?.param).toBe('metadata[k]');
	});

	test('the spec agrees with every length the stripe package states in its own words', () => {
		// The package's types carry no lengths, but some of its comments state one ("This may be up
		// to 200 characters"): each such top-level parameter has that maxLength in stripe-limits.json
		// (which may come from an older spec: parameters it lacks are not checked by it).
		const dir = join(root, 'node_modules/stripe/cjs/resources');
		const files = (d: string): string[] =>
			readdirSync(d, { withFileTypes: true }).flatMap((e) =>
				e.isDirectory()
					? files(join(d, e.name))
					: e.name.endsWith('.d.ts')
						? [join(d, e.name)]
						: [],
			);
		const text = files(dir)
			.map((f) => readFileSync(f, 'utf8'))
			.join('\n');
		const stated = /(?:may be up to \*?|up to |at most |Max length, |Maximum )(\d+) characters/;
		const agree: string[] = [];
		const disagree: string[] = [];
		for (const e of contract.endpoints) {
			if (typeof e.params !== 'object' || e.params.t !== 'ref') continue;
			const name = e.params.n.split('.').pop();
			const start = text.indexOf(`export interface ${name} {`);
			if (start < 0) continue;
			const body = text.slice(start, text.indexOf('\n}\n', start));
			for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n {4}(\w+)\??:/g)) {
				const words = stated.exec(m[1].replace(/\s*\*\s*/g, ' '));
				const spec = limits.endpoints[`${e.method} ${e.path}`]?.[m[2]]?.maxLength;
				if (!words || spec === undefined) continue;
				(Number(words[1]) === spec ? agree : disagree).push(`${e.method} ${e.path} ${m[2]}`);
			}
		}
		expect(disagree).toEqual([]);
		expect(agree).toEqual(
			expect.arrayContaining([
				'POST /v1/prices lookup_key',
				'POST /v1/prices/{id} lookup_key',
				'POST /v1/customers email',
			]),
		);
	});

	test("the longest interval agrees with the package's words on a price's interval_count", () => {
		const prices = readFileSync(
			join(root, 'node_modules/stripe/cjs/resources/Prices.d.ts'),
			'utf8',
		);
		const words =
			/Maximum of three years interval allowed \((\d+) years, (\d+) months, or (\d+) weeks\)/;
		const [, years, months, weeks] = words.exec(prices)!;
		expect([
			RECURRING_INTERVAL_MAX.year,
			RECURRING_INTERVAL_MAX.month,
			RECURRING_INTERVAL_MAX.week,
		]).toEqual([Number(years), Number(months), Number(weeks)]);
		expect(RECURRING_INTERVAL_MAX.day).toBe(3 * 365);
	});
});
