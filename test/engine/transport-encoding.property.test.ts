/**
 * The stripe SDK as the oracle of Stripe's form encoding: for random nested parameters (objects,
 * arrays of objects, booleans, numbers, dates, strings with unicode and reserved characters,
 * empty strings that unset metadata, nulls and undefined), the transport encodes exactly as the
 * SDK does, both as a function (against the SDK's own encoder) and end to end (what each would
 * put on the wire for a GET's query, a POST's body and a DELETE's query).
 */
import { dirname, join } from 'node:path';

import fc from 'fast-check';
import Stripe from 'stripe';

import { createClient } from '../../nodes/shared/transport/client';
import { encodeParams } from '../../nodes/shared/transport/encoding';
import type { Wire, WireRequest } from '../../nodes/shared/transport/http';
import { Transport } from '../../nodes/shared/transport/request';

const RUNS = Number(process.env.PROPERTY_RUNS || 500);
/** Each end-to-end run makes three paced requests (95/s for a live key). */
const WIRE_RUNS = Number(process.env.PROPERTY_PATH_RUNS || 60);

// ---------------------------------------------------------------------------------------------
// The oracle: the stripe SDK's encoder, and the SDK itself with an HTTP client that records.
// ---------------------------------------------------------------------------------------------

/**
 * `stringifyRequestData`, which the SDK uses for bodies and
 * query strings (not in its package exports, so by file).
 */
const sdkUtils = require(join(dirname(require.resolve('stripe')), 'utils.js')) as {
	queryStringifyRequestData(data: unknown): string;
};

interface Recorded {
	method: string;
	path: string;
	body: string;
}

class RecordedAnswer extends Stripe.HttpClientResponse {
	constructor() {
		super(200, { 'request-id': 'req_oracle' });
	}
	getRawResponse(): unknown {
		return {};
	}
	toStream(): never {
		throw new Error('not streamed');
	}
	toJSON(): Promise<unknown> {
		return Promise.resolve({
			id: 'obj_oracle',
			object: 'list',
			data: [],
			has_more: false,
			url: '/v1/x',
		});
	}
}

class Recorder extends Stripe.HttpClient {
	readonly sent: Recorded[] = [];
	getClientName(): string {
		return 'recorder';
	}
	makeRequest(
		_host: string,
		_port: string,
		path: string,
		method: string,
		_headers: object,
		requestData: string,
	): Promise<RecordedAnswer> {
		this.sent.push({ method, path, body: requestData });
		return Promise.resolve(new RecordedAnswer());
	}
}

const recorder = new Recorder();
// No retries, no telemetry (which would write ~/.config/stripe/telemetry_id).
const sdk = new Stripe('rk_live_OracleOracleOracleOracle00', {
	httpClient: recorder,
	maxNetworkRetries: 0,
	telemetry: false,
});

// The transport over a wire that records what it would send.
const wireSent: WireRequest[] = [];
const wire: Wire = {
	send: async (request) => {
		wireSent.push(request);
		return {
			statusCode: 200,
			headers: { 'request-id': 'req_wire' },
			body: '{"id":"obj_wire","object":"list","data":[],"has_more":false,"url":"/v1/x"}',
		};
	},
	cancelled: () => false,
};
const client = createClient(
	new Transport({
		wire,
		apiKey: 'rk_live_PropertyPropertyProperty00',
		baseUrl: 'https://api.stripe.com',
		timeoutMs: 1000,
	}),
);

// ---------------------------------------------------------------------------------------------
// Parameters as Stripe takes them, and then some.
// ---------------------------------------------------------------------------------------------

const RESERVED = [
	'&',
	'=',
	'[',
	']',
	'?',
	'#',
	'%',
	'+',
	' ',
	'/',
	';',
	',',
	':',
	'@',
	'$',
	'!',
	"'",
	'(',
	')',
	'*',
	'~',
	'"',
	'<',
	'>',
	'\\',
	'^',
	'`',
	'{',
	'|',
	'}',
	'\n',
	'\t',
	'é',
	'ß',
	'€',
	'日',
	'😀',
	'👩‍👩‍👧',
	'\u200b',
];
const unit = fc.oneof(
	{ weight: 2, arbitrary: fc.constantFrom(...RESERVED) },
	{ weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
const text = fc.string({ unit, maxLength: 12 });
const key = fc.oneof(
	text,
	fc.constantFrom(
		'metadata',
		'expand',
		'line_items',
		'price',
		'quantity',
		'0',
		'1',
		'data.customer',
	),
);
const scalar = fc.oneof(
	text,
	fc.constant(''),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.date({ min: new Date(0), max: new Date(4_102_444_800_000) }),
);
const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>(
	(tie) => ({
		value: fc.oneof(
			{ depthSize: 'small', withCrossShrink: true },
			scalar,
			tie('object'),
			tie('array'),
		),
		object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
		array: fc.array(tie('value'), { maxLength: 4 }),
	}),
);
/**
 * What this package actually sends: expansions,
 * metadata (an empty string unsets a key), line items.
 */
const stripeShaped = fc.record(
	{
		expand: fc.array(
			fc.constantFrom('data.customer', 'data.discounts.source.coupon', 'tiers', 'charge'),
			{ maxLength: 3 },
		),
		metadata: fc.dictionary(text, fc.oneof(text, fc.constant('')), {
			maxKeys: 5,
			noNullPrototype: true,
		}),
		line_items: fc.array(
			fc.record(
				{ price: text, quantity: fc.integer({ min: 1, max: 1000 }) },
				{ requiredKeys: ['price'] },
			),
			{ maxLength: 3 },
		),
		limit: fc.integer({ min: 1, max: 100 }),
		created: fc.record({ gte: fc.integer({ min: 0 }), lt: fc.integer({ min: 0 }) }),
		invoice_now: fc.boolean(),
		query: text,
	},
	{ requiredKeys: [] },
);
const params = fc
	.tuple(fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true }), stripeShaped)
	.map(([random, shaped]) => ({ ...random, ...shaped }) as Record<string, unknown>);

const queryOf = (path: string) => (path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');

test('the encoding equals the stripe SDK encoder for random nested parameters', () => {
	fc.assert(
		fc.property(params, (p) => {
			expect(encodeParams(p)).toBe(sdkUtils.queryStringifyRequestData(p));
		}),
		{ numRuns: RUNS },
	);
});

test(
	'what the transport puts on the wire equals what ' +
		'the SDK would: GET query, POST body, DELETE query',
	async () => {
		await fc.assert(
			fc.asyncProperty(params, async (p) => {
				recorder.sent.length = 0;
				wireSent.length = 0;

				await sdk.customers.list(p);
				await client.customers.list(p);
				await sdk.rawRequest('POST', '/v1/customers', p);
				await client.rawRequest('POST', '/v1/customers', p);
				await sdk.subscriptions.cancel('sub_1Oracle', p);
				await client.rawRequest('DELETE', '/v1/subscriptions/sub_1Oracle', p);

				const [sdkGet, sdkPost, sdkDelete] = recorder.sent;
				const [ourGet, ourPost, ourDelete] = wireSent;
				expect([ourGet.method, ourPost.method, ourDelete.method]).toEqual([
					sdkGet.method,
					sdkPost.method,
					sdkDelete.method,
				]);
				expect(queryOf(ourGet.url)).toBe(queryOf(sdkGet.path));
				expect(ourGet.url.split('?')[0]).toBe('https://api.stripe.com/v1/customers');
				expect(ourGet.body).toBeUndefined();
				expect(ourPost.body).toBe(sdkPost.body);
				expect(ourPost.url).toBe('https://api.stripe.com/v1/customers');
				expect(queryOf(ourDelete.url)).toBe(queryOf(sdkDelete.path));
				// A DELETE has no body, on either side.
				expect(ourDelete.body).toBeUndefined();
				expect(sdkDelete.body).toBe('');
			}),
			{ numRuns: WIRE_RUNS },
		);
	},
	60_000,
);

test('examples: nested keys as Stripe documents them', () => {
	const p = {
		expand: ['data.customer', 'data.discounts.source.coupon'],
		metadata: { plan: 'pro', unset: '', 'a&b': 'x=y' },
		line_items: [{ price: 'price_1', quantity: 2 }, { price: 'price_2' }],
		created: { gte: 1700000000 },
		invoice_now: true,
		description: null,
	};
	const expected =
		'expand[0]=data.customer&expand[1]=data.discounts.source.coupon&' +
		'metadata[plan]=pro&metadata[unset]=&metadata[a%26b]=x%3Dy' +
		'&line_items[0][price]=price_1&line_items[0][quantity]=2&' +
		'line_items[1][price]=price_2&created[gte]=1700000000&invoice_now=true&description=';
	expect(encodeParams(p)).toBe(expected);
	expect(sdkUtils.queryStringifyRequestData(p)).toBe(expected);
});
