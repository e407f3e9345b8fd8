/**
 * The transport on its own, over a scripted wire: what every request carries, what is retried
 * and what is not (with n8n-workflow's sleep on jest's fake clock), Stripe's errors with the fields
 * the rest of the package reads, and paging that asks for no page more than is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode } from 'n8n-workflow';
import Stripe from 'stripe';

import { KEY_NOT_ACCEPTED, toNodeError } from '../../nodes/shared/errors';
import {
	createClient,
	type ClientSettings,
	type StripeClient,
} from '../../nodes/shared/transport/client';
import {
	PACKAGE_NAME,
	PACKAGE_VERSION,
	STRIPE_API_BASE,
	STRIPE_API_VERSION,
	USER_AGENT,
} from '../../nodes/shared/transport/constants';
import { StripeApiError } from '../../nodes/shared/transport/errors';
import type { Wire, WireRequest, WireResponse } from '../../nodes/shared/transport/http';
import { Transport } from '../../nodes/shared/transport/request';
import type * as Ours from '../../nodes/shared/transport/types';

type Step = WireResponse | Error | ((request: WireRequest) => WireResponse | Error);

/** A wire that answers from a script, one step per request, and records every request. */
function scriptedWire(steps: Step[], cancelled = () => false) {
	const sent: WireRequest[] = [];
	const wire: Wire = {
		async send(request) {
			sent.push(request);
			const step = steps.shift();
			if (step === undefined) throw new Error('the script ran out');
			const outcome = typeof step === 'function' ? step(request) : step;
			if (outcome instanceof Error) throw outcome;
			return outcome;
		},
		cancelled,
	};
	return { wire, sent };
}

let keys = 0;
/** Each test its own key, so that no pacer state is shared between tests. */
function clientFor(
	steps: Step[],
	cancelled?: () => boolean,
	settings: ClientSettings = {},
): { client: StripeClient; sent: WireRequest[] } {
	const { wire, sent } = scriptedWire(steps, cancelled);
	const apiKey = `rk_live_TransportTest${String(++keys).padStart(12, '0')}`;
	return {
		client: createClient(
			new Transport({ wire, apiKey, baseUrl: STRIPE_API_BASE, timeoutMs: 1000 }),
			settings,
		),
		sent,
	};
}

const json = (
	statusCode: number,
	body: unknown,
	headers: Record<string, string> = {},
): WireResponse => ({
	statusCode,
	headers: { 'request-id': `req_${statusCode}`, 'content-type': 'application/json', ...headers },
	body: JSON.stringify(body),
});
const ok = (body: unknown = { id: 'cus_1', object: 'customer' }) => json(200, body);
const stripeError = (
	statusCode: number,
	error: Record<string, unknown>,
	headers: Record<string, string> = {},
) => json(statusCode, { error }, headers);

/**
 * An error as n8n's httpRequestWithAuthentication throws
 * it when no answer came: a NodeApiError around axios's.
 */
function connectionFailure(code: string, message: string): Error {
	const axios = Object.assign(new Error(message), { code, isAxiosError: true });
	return Object.assign(new Error('The connection to the server was closed unexpectedly'), {
		cause: axios,
	});
}

/**
 * Runs a request to its end on jest's fake clock (the
 * pacer and the retries wait with n8n-workflow's sleep).
 */
async function settle<T>(
	promise: PromiseLike<T>,
): Promise<{ value?: T; error?: unknown; ms: number }> {
	let done = false;
	const started = Date.now();
	const result: { value?: T; error?: unknown; ms: number } = { ms: 0 };
	Promise.resolve(promise).then(
		(value) => {
			result.value = value;
			done = true;
		},
		(error: unknown) => {
			result.error = error;
			done = true;
		},
	);
	for (let i = 0; i < 10_000 && !done; i++) await jest.advanceTimersByTimeAsync(50);
	result.ms = Date.now() - started;
	return result;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const node: INode = {
	id: 'n',
	name: 'Stripe Guard',
	type: 'n8n-nodes-stripe-guard.stripeGuard',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('what every request carries', () => {
	test(
		"the API version is the stripe package's pinned version, " +
			'and the User-Agent names this package and its version',
		() => {
			expect(STRIPE_API_VERSION).toBe((Stripe as unknown as { API_VERSION: string }).API_VERSION);
			const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
				name: string;
				version: string;
			};
			expect([PACKAGE_NAME, PACKAGE_VERSION]).toEqual([pkg.name, pkg.version]);
			expect(USER_AGENT).toContain(`${pkg.name}/${pkg.version}`);
			expect(STRIPE_API_BASE).toBe('https://api.stripe.com');
		},
	);

	test('GET: parameters in the query, no body, no idempotency key', async () => {
		const { client, sent } = clientFor([ok()]);
		await settle(client.customers.retrieve('cus_1', { expand: ['default_source'] }));
		expect(sent).toEqual([
			{
				method: 'GET',
				url: 'https://api.stripe.com/v1/customers/cus_1?expand[0]=default_source',
				headers: {
					Accept: 'application/json',
					'Stripe-Version': STRIPE_API_VERSION,
					'User-Agent': USER_AGENT,
				},
				timeoutMs: 1000,
			},
		]);
	});

	test('an ID is encoded into the path', async () => {
		const { client, sent } = clientFor([ok()]);
		await settle(client.customers.retrieve('cus_1/../../v1/balance?x'));
		expect(sent[0].url).toBe(
			'https://api.stripe.com/v1/customers/cus_1%2F..%2F..%2Fv1%2Fbalance%3Fx',
		);
	});

	test('POST: a form body and a random idempotency key, different per request', async () => {
		const { client, sent } = clientFor([ok(), ok()]);
		await settle(
			client.rawRequest('POST', '/v1/customers', { name: 'Jane', metadata: { plan: 'pro' } }),
		);
		await settle(
			client.rawRequest('POST', '/v1/customers', { name: 'Jane', metadata: { plan: 'pro' } }),
		);
		expect(sent[0]).toMatchObject({
			method: 'POST',
			url: 'https://api.stripe.com/v1/customers',
			body: 'name=Jane&metadata[plan]=pro',
		});
		expect(sent[0].headers).toMatchObject({
			'Content-Type': 'application/x-www-form-urlencoded',
			'Stripe-Version': STRIPE_API_VERSION,
		});
		expect(sent[0].headers['Idempotency-Key']).toMatch(/^stripe-guard-[0-9a-f-]{36}$/);
		expect(sent[1].headers['Idempotency-Key']).not.toBe(sent[0].headers['Idempotency-Key']);
	});

	test(
		'DELETE: parameters in the query (as the stripe SDK sends a ' +
			"subscription cancel's), no body, the given idempotency key",
		async () => {
			const { client, sent } = clientFor([
				ok({ id: 'sub_1', object: 'subscription', status: 'canceled' }),
			]);
			const { value } = await settle(
				client.rawRequest(
					'DELETE',
					'/v1/subscriptions/sub_1',
					{ invoice_now: true, prorate: true },
					{ idempotencyKey: 'stripe-guard-prop_1' },
				),
			);
			expect(value).toMatchObject({ id: 'sub_1', status: 'canceled' });
			expect(sent[0]).toMatchObject({
				method: 'DELETE',
				url: 'https://api.stripe.com/v1/subscriptions/sub_1?invoice_now=true&prorate=true',
			});
			expect(sent[0].body).toBeUndefined();
			expect(sent[0].headers['Idempotency-Key']).toBe('stripe-guard-prop_1');
		},
	);

	test('an answer keeps its request id and headers out of sight of JSON and spreads', async () => {
		const { client } = clientFor([
			json(200, { id: 'cus_1', object: 'customer' }, { 'idempotent-replayed': 'true' }),
		]);
		const { value } = await settle(client.customers.retrieve('cus_1'));
		expect(value!.lastResponse).toMatchObject({
			statusCode: 200,
			requestId: 'req_200',
			headers: { 'idempotent-replayed': 'true' },
		});
		expect(JSON.parse(JSON.stringify(value))).toEqual({ id: 'cus_1', object: 'customer' });
		expect({ ...value }).toEqual({ id: 'cus_1', object: 'customer' });
	});
});

describe('retries', () => {
	test(
		'429, 409 lock_timeout and 5xx are retried with the ' +
			'same idempotency key; the write then succeeds once',
		async () => {
			const { client, sent } = clientFor([
				stripeError(429, {
					type: 'invalid_request_error',
					code: 'rate_limit',
					message: 'Request rate limit exceeded.',
				}),
				stripeError(409, {
					type: 'invalid_request_error',
					code: 'lock_timeout',
					message:
						'This object cannot be accessed right now because another ' +
						'API request or Stripe process is currently accessing it.',
				}),
				stripeError(500, { type: 'api_error', message: 'An unknown error occurred' }),
				json(503, { error: { type: 'api_error', message: 'Service unavailable' } }),
				ok({ id: 're_1', object: 'refund' }),
			]);
			const result = await settle(client.rawRequest('POST', '/v1/refunds', { charge: 'ch_1' }));
			expect(result.error).toBeUndefined();
			expect(result.value).toMatchObject({ id: 're_1' });
			expect(sent).toHaveLength(5);
			expect(new Set(sent.map((r) => r.headers['Idempotency-Key'])).size).toBe(1);
			// Backoff with jitter: 0.5, 0.5, 0.5–1 and 1–2 s, plus the key's pause after the 429.
			expect(result.ms).toBeGreaterThanOrEqual(2500);
			expect(result.ms).toBeLessThan(6000);
		},
	);

	test('after four retries the last answer is the error, with its fields', async () => {
		const failure = stripeError(500, { type: 'api_error', message: 'An unknown error occurred' });
		const { client, sent } = clientFor([failure, failure, failure, failure, failure, ok()]);
		const { error } = await settle(client.customers.retrieve('cus_1'));
		expect(sent).toHaveLength(5);
		expect(error).toBeInstanceOf(StripeApiError);
		expect(error).toMatchObject({
			type: 'StripeAPIError',
			rawType: 'api_error',
			statusCode: 500,
			requestId: 'req_500',
			message: 'An unknown error occurred',
		});
	});

	test(
		'Stripe-Should-Retry decides when it is sent: ' + 'false stops a 503, true retries a 400',
		async () => {
			const noRetry = clientFor([
				stripeError(503, { type: 'api_error', message: 'no' }, { 'stripe-should-retry': 'false' }),
				ok(),
			]);
			expect((await settle(noRetry.client.customers.retrieve('cus_1'))).error).toMatchObject({
				statusCode: 503,
			});
			expect(noRetry.sent).toHaveLength(1);

			const retry = clientFor([
				stripeError(
					400,
					{ type: 'invalid_request_error', message: 'try again' },
					{ 'stripe-should-retry': 'true' },
				),
				ok(),
			]);
			expect((await settle(retry.client.customers.retrieve('cus_1'))).value).toMatchObject({
				id: 'cus_1',
			});
			expect(retry.sent).toHaveLength(2);
		},
	);

	test.each([400, 401, 402, 403, 404])('%i is not retried', async (status) => {
		const { client, sent } = clientFor([
			stripeError(status, { type: 'invalid_request_error', message: 'no' }),
			ok(),
		]);
		const { error } = await settle(client.customers.retrieve('cus_1'));
		expect(error).toMatchObject({ statusCode: status });
		expect(sent).toHaveLength(1);
	});

	test('a dropped connection is retried; after four retries it is a connection error', async () => {
		const dropped = () => connectionFailure('ECONNRESET', 'socket hang up');
		const once = clientFor([dropped(), ok()]);
		expect((await settle(once.client.customers.retrieve('cus_1'))).value).toMatchObject({
			id: 'cus_1',
		});
		expect(once.sent).toHaveLength(2);

		const always = clientFor([dropped(), dropped(), dropped(), dropped(), dropped(), ok()]);
		const { error } = await settle(always.client.customers.retrieve('cus_1'));
		expect(always.sent).toHaveLength(5);
		expect(error).toMatchObject({
			type: 'StripeConnectionError',
			message: 'An error occurred with our connection to Stripe. Request was retried 4 times.',
		});
	});

	test('a timeout is retried, and named when it persists', async () => {
		const timeout = () => connectionFailure('ECONNABORTED', 'timeout of 1000ms exceeded');
		const { client, sent } = clientFor([timeout(), timeout(), timeout(), timeout(), timeout()]);
		const { error } = await settle(client.customers.retrieve('cus_1'));
		expect(sent).toHaveLength(5);
		expect(error).toMatchObject({
			type: 'StripeConnectionError',
			message: 'Request aborted due to timeout being reached (1000ms)',
		});
	});

	test(
		'nothing is retried once n8n cancelled the execution, ' +
			'and an error that is not a connection failure passes through',
		async () => {
			const cancelled = clientFor(
				[connectionFailure('ECONNRESET', 'socket hang up'), ok()],
				() => true,
			);
			expect((await settle(cancelled.client.customers.retrieve('cus_1'))).error).toMatchObject({
				type: 'StripeConnectionError',
			});
			expect(cancelled.sent).toHaveLength(1);

			const refused = new Error(
				'Node "Stripe Guard" does not have any credentials of type "stripeRestrictedKeyApi" set',
			);
			const other = clientFor([refused, ok()]);
			expect((await settle(other.client.customers.retrieve('cus_1'))).error).toBe(refused);
			expect(other.sent).toHaveLength(1);
		},
	);
});

describe("Stripe's errors", () => {
	test.each([
		[
			'the plural-capable wording',
			"The provided key 'rk_test_***…qs8Kgd' does not have the required " +
				"permissions for this endpoint on account 'acct_1Test'. " +
				"Having the 'rak_subscription_read' permission would allow this request to continue.",
			undefined,
			'Subscriptions: Read (rak_subscription_read)',
		],
		[
			'the "Permission denied" wording',
			"Permission denied. The provided key 'rk_live_***j4va7j' does not have the " +
				"required permissions for this endpoint on account 'acct_123'. " +
				'Enabling "Prices Read" (\'plan_read\') permissions on this key would allow this request ' +
				'to continue. You can edit permissions at https://dashboard.stripe.com/acct_123/apikeys.',
			'more_permissions_required',
			'rak_plan_read',
		],
	])('403 with %s names the missing permission', async (_name, message, code, named) => {
		const { client } = clientFor([
			stripeError(403, { type: 'invalid_request_error', message, ...(code && { code }) }),
		]);
		const { error } = await settle(client.subscriptions.list({ limit: 1 }));
		expect(error).toMatchObject({
			type: 'StripePermissionError',
			rawType: 'invalid_request_error',
			statusCode: 403,
			code,
			requestId: 'req_403',
			message,
		});
		expect((error as StripeApiError).headers['request-id']).toBe('req_403');
		const nodeError = toNodeError(node, error, 3);
		expect(nodeError.message).toContain(named);
		expect(nodeError.description).toContain('item 3, Stripe request req_403');
	});

	test('401, 404 with its parameter, 400 with its parameter', async () => {
		const { client } = clientFor([
			stripeError(401, {
				type: 'invalid_request_error',
				message: 'Invalid API Key provided: rk_test_***abcd',
			}),
			stripeError(404, {
				type: 'invalid_request_error',
				code: 'resource_missing',
				param: 'id',
				message: "No such customer: 'cus_x'",
			}),
			stripeError(400, {
				type: 'invalid_request_error',
				code: 'parameter_unknown',
				param: 'stripe_guard_write_probe',
				message: 'Received unknown parameter: stripe_guard_write_probe',
			}),
		]);
		const unauthorized = (await settle(client.customers.retrieve('cus_x'))).error;
		expect(unauthorized).toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
		expect(toNodeError(node, unauthorized, 0).message).toBe(KEY_NOT_ACCEPTED);
		const missing = (await settle(client.customers.retrieve('cus_x'))).error;
		expect(missing).toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 404,
			code: 'resource_missing',
			param: 'id',
		});
		expect(toNodeError(node, missing, 0).message).toBe("No such customer: 'cus_x'");
		const refused = (
			await settle(
				client.rawRequest('POST', '/v1/customers/cus_x', { stripe_guard_write_probe: 'true' }),
			)
		).error;
		expect(refused).toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 400,
			code: 'parameter_unknown',
			param: 'stripe_guard_write_probe',
		});
		expect(toNodeError(node, refused, 0).message).toBe(
			'Stripe refused the request: Received unknown parameter: stripe_guard_write_probe',
		);
	});

	test('a body that is not JSON is an API error, not retried', async () => {
		const { client, sent } = clientFor([
			{
				statusCode: 200,
				headers: { 'request-id': 'req_bad' },
				body: '{"object": "list", "data": [{"id": "cus_',
			},
			ok(),
		]);
		const { error } = await settle(client.customers.list({ limit: 1 }));
		expect(error).toMatchObject({
			type: 'StripeAPIError',
			message: 'Invalid JSON received from the Stripe API',
			requestId: 'req_bad',
		});
		expect(sent).toHaveLength(1);
	});
});

describe('paging', () => {
	const customers = (from: number, count: number) =>
		Array.from({ length: count }, (_, i) => ({ id: `cus_${from + i}`, object: 'customer' }));
	const page = (data: unknown[], has_more: boolean) =>
		ok({ object: 'list', data, has_more, url: '/v1/customers' });

	test(
		'awaited, a list is its first page; ' + 'nothing is asked before it is awaited or iterated',
		async () => {
			const { client, sent } = clientFor([page(customers(0, 2), true)]);
			const list = client.customers.list({ limit: 2 });
			await jest.advanceTimersByTimeAsync(100);
			expect(sent).toHaveLength(0);
			const { value } = await settle(list);
			expect(value).toMatchObject({ object: 'list', has_more: true, data: customers(0, 2) });
			expect(sent).toHaveLength(1);
		},
	);

	test('iterated, it follows starting_after, and a break asks for no further page', async () => {
		// One page after another (Parallel Reading off); windows.test.ts reads in parallel.
		const { client, sent } = clientFor(
			[page(customers(0, 3), true), page(customers(3, 3), true), page(customers(6, 3), true)],
			undefined,
			{ parallelReading: false },
		);
		const ids: string[] = [];
		await settle(
			(async () => {
				for await (const c of client.customers.list({ limit: 3, created: { gte: 1 } })) {
					ids.push(c.id);
					if (ids.length === 5) break;
				}
			})(),
		);
		expect(ids).toEqual(['cus_0', 'cus_1', 'cus_2', 'cus_3', 'cus_4']);
		expect(sent.map((r) => r.url)).toEqual([
			'https://api.stripe.com/v1/customers?limit=3&created[gte]=1',
			'https://api.stripe.com/v1/customers?limit=3&created[gte]=1&starting_after=cus_2',
		]);
	});

	test(
		'ending_before pages toward newer objects, ' + 'oldest first, as the SDK iterates them',
		async () => {
			const { client, sent } = clientFor([
				page([{ id: 'evt_3' }, { id: 'evt_2' }], true),
				page([{ id: 'evt_5' }, { id: 'evt_4' }], false),
			]);
			const ids: string[] = [];
			await settle(
				(async () => {
					for await (const e of client.events.list({ ending_before: 'evt_1', limit: 2 }))
						ids.push(e.id);
				})(),
			);
			expect(ids).toEqual(['evt_2', 'evt_3', 'evt_4', 'evt_5']);
			expect(sent[1].url).toBe('https://api.stripe.com/v1/events?ending_before=evt_3&limit=2');
		},
	);

	test('a search follows next_page', async () => {
		const result = (data: unknown[], next_page: string | null) =>
			ok({
				object: 'search_result',
				data,
				has_more: next_page !== null,
				next_page,
				url: '/v1/customers/search',
			});
		const { client, sent } = clientFor([
			result(customers(0, 2), 'page_2'),
			result(customers(2, 1), null),
		]);
		const ids: string[] = [];
		await settle(
			(async () => {
				for await (const c of client.customers.search({ query: "email:'a@b.c'", limit: 2 }))
					ids.push(c.id);
			})(),
		);
		expect(ids).toEqual(['cus_0', 'cus_1', 'cus_2']);
		expect(sent.map((r) => r.url)).toEqual([
			'https://api.stripe.com/v1/customers/search?query=email%3A%27a%40b.c%27&limit=2',
			'https://api.stripe.com/v1/customers/search?query=email%3A%27a%40b.c%27&limit=2&page=page_2',
		]);
	});
});

describe("the package's own object types", () => {
	/**
	 * Compiles only when every field named in `Mine` exists on
	 * the stripe package's type (ts-jest type-checks tests).
	 */
	const fieldsExist = <Mine, Theirs>(
		..._unknown: Exclude<keyof Mine, keyof Theirs> extends never
			? []
			: [`not a field of the stripe type: ${Exclude<keyof Mine, keyof Theirs> & string}`]
	) => true;

	test('name only fields that the stripe package (API 2026-10-28.endive) defines', () => {
		expect([
			fieldsExist<Ours.Account, Stripe.Account>(),
			fieldsExist<Ours.BalanceTransaction, Stripe.BalanceTransaction>(),
			fieldsExist<Ours.Charge, Stripe.Charge>(),
			fieldsExist<NonNullable<Ours.Charge['billing_details']>, Stripe.Charge.BillingDetails>(),
			fieldsExist<NonNullable<Ours.Charge['outcome']>, Stripe.Charge.Outcome>(),
			fieldsExist<Ours.Coupon, Stripe.Coupon>(),
			fieldsExist<Ours.Customer, Stripe.Customer>(),
			fieldsExist<Ours.Discount, Stripe.Discount>(),
			fieldsExist<Ours.Discount['source'], Stripe.Discount.Source>(),
			fieldsExist<Ours.InvoicePayment, Stripe.InvoicePayment>(),
			fieldsExist<Ours.Payout, Stripe.Payout>(),
			fieldsExist<Ours.Price, Stripe.Price>(),
			fieldsExist<NonNullable<Ours.Price['recurring']>, Stripe.Price.Recurring>(),
			fieldsExist<Ours.PriceTier, Stripe.Price.Tier>(),
			fieldsExist<Ours.StripeEvent, Stripe.Event>(),
			fieldsExist<Ours.StripeEvent['data'], Stripe.Event.Data>(),
			fieldsExist<Ours.Subscription, Stripe.Subscription>(),
			fieldsExist<Ours.SubscriptionItem, Stripe.SubscriptionItem>(),
		]).not.toContain(false);
	});
});
