/**
 * Nothing a person approves is refused by Stripe for its shape. For every write and every
 * parameter it can send, fast-check draws values from Stripe's own definitions, just inside and
 * just outside each of them: maxLength (Stripe's OpenAPI spec, stripe-limits.json), enums and types
 * (the `stripe` package's, stripe-contract.json) and the limits Stripe documents elsewhere (a
 * price's longest interval, metadata, Checkout's URLs and line items: contract/documented.ts).
 *
 * - Whatever Stripe's definitions refuse, as the value was given, the builder refuses with a
 *   WriteInputError in words.
 * - Whatever the builder proposes, Stripe's definitions accept (the contract checker), and so does
 *   the emulator over HTTPS, sent with a write key through the stripe SDK.
 * - What sits exactly at a limit (and plain values inside it) the builder accepts.
 *
 * The oracle is read from those files, not from the product. Stated here are only which field of
 * the node feeds which parameter (every parameter a write sends must be in that table) and, for a
 * few whole numbers, plain values inside their range (an amount within the charge it refunds).
 */
import fc from 'fast-check';
import type { INodeProperties } from 'n8n-workflow';
import { parse, stringify } from 'qs';
import Stripe from 'stripe';

import {
	WRITES,
	WriteInputError,
	type WriteDefinition,
	type WriteDraft,
} from '../../nodes/StripeGuard/writes';
import { checkRequest, describeParam, matchEndpoint, type ParamFacts } from '../emulator/contract';
import {
	CHECKOUT_LINE_ITEMS,
	CHECKOUT_URL_PARAMS,
	METADATA_LIMITS,
	RECURRING_INTERVAL_MAX,
} from '../emulator/contract/documented';
import type { StripeEmulator } from '../emulator';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const RUNS = Number(process.env.PROPERTY_RUNS || 25);

const emulator = useEmulator({ seed: 'none', rateLimits: false });
const writes = WRITES as unknown as WriteDefinition[];
type Params = Record<string, unknown>;
interface Request {
	method: string;
	path: string;
	params: Params;
}

// ---------------------------------------------------------------------------------------------
// Stripe's side: the definitions, and the emulator.
// ---------------------------------------------------------------------------------------------

/** The parameters as Stripe receives them: form-encoded, then parsed as the emulator parses. */
const received = (params: Params) =>
	parse(stringify(params, { arrayFormat: 'indices' }), { depth: 6, arrayLimit: 1000 }) as Params;

/** What Stripe's definitions say of a request: undefined when they accept it. */
function refusal(r: Request) {
	const form = received(r.params);
	const body = r.method === 'POST';
	return checkRequest({
		method: r.method,
		path: r.path,
		query: body ? {} : form,
		body: body ? form : {},
	});
}

/** The objects the writes' example inputs name, fresh for every request. */
function seed(e: StripeEmulator, write: string, prices: string[]) {
	e.reset();
	e.create('customer', 'test', { id: 'cus_Example1', name: 'Ada', email: 'ada@example.com' });
	e.create('product', 'test', { id: 'prod_Example1', name: 'Pro' });
	for (const id of prices)
		e.create('price', 'test', {
			id,
			product: 'prod_Example1',
			currency: 'usd',
			unit_amount: 100,
			unit_amount_decimal: '100',
			billing_scheme: 'per_unit',
			type: 'one_time',
			recurring: null,
		});
	e.create('subscription', 'test', { id: 'sub_Example1', customer: 'cus_Example1' });
	e.create('invoice', 'test', {
		id: 'in_Example1',
		customer: 'cus_Example1',
		status: write === 'invoice.finalize' ? 'draft' : 'open',
	});
	e.create('payment_intent', 'test', { id: 'pi_Example1', status: 'requires_payment_method' });
	e.create('charge', 'test', {
		id: 'ch_Example1',
		amount: 2000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
	});
	e.create('coupon', 'test', { id: 'SUMMER25' });
	e.create('checkout_session', 'test', { id: 'cs_Example1', status: 'open' });
	e.create('dispute', 'test', { id: 'dp_Example1', charge: 'ch_Example1' });
}

/** Stripe's answer, through the stripe SDK with a write key (the SDK throws Stripe's errors). */
async function send(e: StripeEmulator, r: Request) {
	const sdk = new Stripe(e.keys.testWrite, { maxNetworkRetries: 0 });
	const query = new URLSearchParams(r.params as Record<string, string>).toString();
	const url = r.method === 'POST' || !query ? r.path : `${r.path}?${query}`;
	try {
		await sdk.rawRequest(r.method, url, r.method === 'POST' ? r.params : undefined);
		return { status: 200 };
	} catch (error) {
		const failure = error as { statusCode?: number; code?: string; message: string };
		if (failure.statusCode === undefined) throw error;
		return { status: failure.statusCode, code: failure.code, message: failure.message };
	}
}

// ---------------------------------------------------------------------------------------------
// Values drawn from the definitions.
// ---------------------------------------------------------------------------------------------

/** A drawn value; `plain`: well inside every limit, so the builder must accept it. */
interface Drawn {
	value: unknown;
	plain?: boolean;
}
/** A value as fast-check reports it: long strings by their length, not in full. */
function short(value: unknown): string {
	const text = JSON.stringify(value, (_k, v: unknown) =>
		typeof v === 'string' && v.length > 60 ? `${v.slice(0, 30)}… (${v.length} units)` : v,
	);
	return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
const drawn = (value: unknown, inside = false): Drawn =>
	Object.defineProperty(inside ? { value, plain: true } : { value }, fc.toStringMethod, {
		value: () => `${inside ? 'plain ' : ''}${short(value)}`,
	});
const plain = (value: unknown) => drawn(value, true);
const beyond = (value: unknown) => drawn(value);
const x = (n: number) => 'x'.repeat(Math.max(0, n));
/** Characters outside the BMP: one character for Stripe, two UTF-16 units in JavaScript. */
const wide = (n: number) => '🧨'.repeat(Math.max(0, n));
const WRONG_TYPES = [{ a: 'b' }, ['x'], { nested: { deep: 1 } }, 42, true].map(beyond);
/** An n8n field left empty: the builder reads it as not given, so it is left out here too. */
const isUnset = (v: unknown) => v === '' || v === null || v === undefined;

type Shape = 'text' | 'email' | 'url' | 'id' | 'currency' | 'enum' | 'boolean' | 'integer';
interface Field {
	/** The node's field (an input key of the builder). */
	field: string;
	/** The request parameter it becomes. */
	param: string[];
	/** How the value is drawn; by default from what the definitions say the parameter is. */
	shape?: Shape | 'metadata' | 'lineItems' | 'intervalCount';
	/** An ID field: the ID the example and the emulator hold. */
	id?: string;
	/** Whole numbers the builder must accept (an amount within the charge, a count). */
	range?: [number, number];
	/** Puts the drawn value into the input, when it is not just `input[field]`. */
	apply?: (input: Params, value: unknown) => Params;
	/** Puts the drawn value into the request as given, when it is not just at `param`. */
	naive?: (params: Params, value: unknown) => Params;
}

function shapeOf(f: Field, facts: ParamFacts, template: string): NonNullable<Field['shape']> {
	if (f.shape) return f.shape;
	if (f.param[0] === 'metadata') return 'metadata';
	const last = f.param[f.param.length - 1];
	if (template === '/v1/checkout/sessions' && CHECKOUT_URL_PARAMS.includes(last)) return 'url';
	if (facts.kind === 'enum') return 'enum';
	if (facts.kind === 'boolean') return 'boolean';
	if (facts.limits?.integer) return 'integer';
	if (facts.kind === 'string') return 'text';
	throw new Error(`no values to draw for ${f.param.join('.')} (${facts.kind})`);
}

/** The values the node's editor offers for a field, when it is a dropdown. */
function editorOptions(write: WriteDefinition, field: string): string[] | undefined {
	const find = (props: INodeProperties[]): INodeProperties | undefined => {
		for (const p of props) {
			if (p.name === field && p.type === 'options') return p;
			const inner = find((p.options ?? []).filter((o): o is INodeProperties => 'type' in o));
			if (inner) return inner;
		}
		return undefined;
	};
	const property = find(write.properties);
	return property?.options?.map((o) => String((o as { value: unknown }).value));
}

function draws(write: WriteDefinition, f: Field, facts: ParamFacts, template: string): Drawn[] {
	const max = facts.limits?.maxLength;
	const shape = shapeOf(f, facts, template);
	switch (shape) {
		case 'text': {
			const limit = max ?? 5000;
			return [
				plain(x(limit)),
				plain(x(1)),
				plain(`${x(Math.floor(limit / 2))} — Ünïcödé`),
				beyond(x(limit + 1)),
				beyond(x(limit + 37)),
				beyond(wide(limit)),
				beyond(wide(limit + 1)),
				beyond(wide(Math.ceil(limit / 2) + 1)),
				...WRONG_TYPES,
			];
		}
		case 'email': {
			const limit = max ?? 512;
			const at = (n: number) => `${x(n - '@example.com'.length)}@example.com`;
			return [
				plain(at(limit)),
				plain('ada@example.com'),
				beyond(at(limit + 1)),
				beyond(at(limit + 100)),
				...WRONG_TYPES,
			];
		}
		case 'url': {
			const limit = max ?? 5000;
			const base = 'https://example.com/';
			return [
				plain(base + x(limit - base.length)),
				plain('http://localhost:5678/done?session={CHECKOUT_SESSION_ID}'),
				beyond(base + x(limit - base.length + 1)),
				beyond('javascript:alert(document.cookie)'),
				beyond('JavaScript:alert(1)//https://example.com'),
				beyond('data:text/html,<script>alert(1)</script>'),
				beyond('ftp://example.com/file'),
				beyond('https://'),
				beyond('//example.com/thanks'),
				beyond('example.com/thanks'),
				beyond('https://exa mple.com/'),
				beyond('https://example.com/\nSet-Cookie: x'),
				...WRONG_TYPES,
			];
		}
		case 'id': {
			const limit = max ?? 5000;
			const prefix = /^[a-z]+_/.exec(f.id!)?.[0] ?? '';
			return [
				plain(f.id),
				beyond(prefix + x(limit - prefix.length)),
				beyond(prefix + x(limit - prefix.length + 1)),
				beyond(`${f.id} `),
				...WRONG_TYPES,
			];
		}
		case 'currency':
			return [plain('usd'), plain('EUR'), beyond('euro'), beyond(x(3)), ...WRONG_TYPES];
		case 'enum': {
			const offered = editorOptions(write, f.field) ?? facts.values!;
			return [
				...offered.map(plain),
				...facts.values!.flatMap((v) => [beyond(v.toUpperCase()), beyond(`${v}_`)]),
				beyond('x'),
				...WRONG_TYPES,
			];
		}
		case 'boolean':
			return [plain(true), plain(false), beyond('true'), beyond(1), beyond({}), beyond([true])];
		case 'integer': {
			const [low, high] = f.range ?? [1, 1000];
			return [
				plain(low),
				plain(high),
				plain(Math.floor((low + high) / 2)),
				beyond(1.5),
				beyond(high + 0.5),
				beyond('7'),
				beyond('1.5'),
				beyond(Number.NaN),
				beyond(Number.POSITIVE_INFINITY),
				beyond(1e21),
				beyond(2 ** 64),
				beyond(-1),
				...[{}, ['1'], true].map(beyond),
			];
		}
		case 'metadata': {
			const keys = (n: number, key = 40, value = 500) =>
				Object.fromEntries(
					Array.from({ length: n }, (_, i) => [
						`${i}`.padStart(key, 'k'),
						`${i}`.padStart(value, 'v'),
					]),
				);
			return [
				plain({ order: '6735' }),
				plain(keys(METADATA_LIMITS.keys)),
				plain(keys(1, METADATA_LIMITS.keyLength, METADATA_LIMITS.valueLength)),
				beyond(keys(METADATA_LIMITS.keys + 1, 10, 10)),
				beyond(keys(1, METADATA_LIMITS.keyLength + 1, 10)),
				beyond(keys(1, 10, METADATA_LIMITS.valueLength + 1)),
				beyond({ k: wide(METADATA_LIMITS.valueLength + 1) }),
				beyond({ k: { nested: 'x' } }),
				beyond({ k: ['x'] }),
				beyond('order=6735'),
				beyond(['x']),
			];
		}
		case 'intervalCount':
			return Object.entries(RECURRING_INTERVAL_MAX).flatMap(([interval, most]) => [
				plain({ interval, count: 1 }),
				plain({ interval, count: most }),
				beyond({ interval, count: most + 1 }),
				beyond({ interval, count: most * 2 }),
				beyond({ interval, count: 0 }),
				beyond({ interval, count: -1 }),
				beyond({ interval, count: 2.5 }),
				beyond({ interval, count: '3 ' }),
				beyond({ interval, count: { n: 3 } }),
			]);
		case 'lineItems': {
			const { payment, subscription, perKind } = CHECKOUT_LINE_ITEMS;
			return [
				plain({ mode: 'payment', count: payment }),
				plain({ mode: 'subscription', count: perKind }),
				beyond({ mode: 'payment', count: payment + 1 }),
				beyond({ mode: 'subscription', count: perKind + 1 }),
				beyond({ mode: 'subscription', count: subscription + 1 }),
			];
		}
	}
}

/**
 * Keys the emulator's form parser (qs) reads otherwise than Stripe: numeric keys become an array
 * (`metadata[0]=x`), keys named like Object.prototype's are dropped. Left out of the junk drawn.
 */
function formSafe(value: unknown): boolean {
	if (!value || typeof value !== 'object') return true;
	if (Array.isArray(value)) return value.every(formSafe);
	return Object.entries(value).every(
		([k, v]) => !/^\d+$/.test(k) && !(k in Object.prototype) && formSafe(v),
	);
}

/**
 * Random values beside the fixed ones: text of any length around its limit, and anything at all
 * where the field stands alone in the input.
 */
function around(fixed: Drawn[], f: Field, shape: string): fc.Arbitrary<Drawn> {
	const limit = Math.max(
		0,
		...fixed
			.filter((d) => d.plain && typeof d.value === 'string' && /^x+$/.test(d.value))
			.map((d) => (d.value as string).length),
	);
	return fc.oneof(
		fc.constantFrom(...fixed),
		...(shape === 'text' && limit > 1
			? [fc.integer({ min: 1, max: limit + 3 }).map((n) => drawn(x(n), n <= limit))]
			: []),
		...(f.apply ? [] : [fc.anything({ maxDepth: 2 }).filter(formSafe).map(beyond)]),
	);
}

// ---------------------------------------------------------------------------------------------
// Which node field feeds which parameter (the one thing stated here), per write.
// ---------------------------------------------------------------------------------------------

const field = (name: string, param = name): Field => ({ field: name, param: [param] });
const CUSTOMER = [
	field('name'),
	{ ...field('email'), shape: 'email' as const },
	field('phone'),
	field('description'),
	field('metadata'),
];
const priceIds = (n: number) =>
	Array.from({ length: n }, (_, i) => (i === 0 ? 'price_Example1' : `price_Line${i}`));

const FIELDS: Record<string, Field[]> = {
	'customer.create': CUSTOMER,
	'customer.update': CUSTOMER,
	'customer.delete': [],
	'product.create': [field('name'), field('description'), field('active'), field('metadata')],
	'product.update': [field('name'), field('description'), field('active'), field('metadata')],
	'price.create': [
		{ field: 'productId', param: ['product'], shape: 'id', id: 'prod_Example1' },
		{ field: 'currency', param: ['currency'], shape: 'currency' },
		{ field: 'unitAmount', param: ['unit_amount'], range: [1, 99_999_999] },
		field('nickname'),
		field('lookupKey', 'lookup_key'),
		field('metadata'),
		{
			field: 'interval',
			param: ['recurring', 'interval'],
			naive: (params, value) => {
				const { recurring, ...rest } = params;
				if (isUnset(value)) return rest;
				return { ...rest, recurring: { ...(recurring as Params), interval: value } };
			},
		},
		{
			field: 'intervalCount',
			param: ['recurring', 'interval_count'],
			shape: 'intervalCount',
			apply: (input, value) => {
				const { interval, count } = value as { interval: string; count: unknown };
				return { ...input, interval, intervalCount: count };
			},
			naive: (params, value) => {
				const { interval, count } = value as { interval: string; count: unknown };
				const recurring = isUnset(count) ? { interval } : { interval, interval_count: count };
				return { ...params, recurring };
			},
		},
	],
	'price.update': [
		field('active'),
		field('nickname'),
		field('lookupKey', 'lookup_key'),
		field('metadata'),
	],
	'coupon.update': [field('name'), field('metadata')],
	'subscription.update': [
		field('cancelAtPeriodEnd', 'cancel_at_period_end'),
		field('description'),
		field('metadata'),
	],
	'subscription.cancel': [field('invoiceNow', 'invoice_now'), field('prorate')],
	'invoice.create': [
		{ field: 'customerId', param: ['customer'], shape: 'id', id: 'cus_Example1' },
		field('collectionMethod', 'collection_method'),
		{ field: 'daysUntilDue', param: ['days_until_due'], range: [1, 365] },
		field('description'),
		field('metadata'),
	],
	'invoice.finalize': [],
	'invoice.send': [],
	'invoice.void': [],
	'paymentIntent.cancel': [field('cancellationReason', 'cancellation_reason')],
	'refund.create': [
		{ field: 'chargeId', param: ['charge'], shape: 'id', id: 'ch_Example1' },
		{ field: 'amount', param: ['amount'], range: [1, 2000] },
		field('reason'),
		field('metadata'),
	],
	'checkoutSession.create': [
		field('mode'),
		field('successUrl', 'success_url'),
		field('cancelUrl', 'cancel_url'),
		{ field: 'customerId', param: ['customer'], shape: 'id', id: 'cus_Example1' },
		field('metadata'),
		{
			field: 'quantity',
			param: ['line_items', '0', 'quantity'],
			range: [1, 1000],
			apply: (input, value) => ({
				...input,
				lineItems: [{ price: 'price_Example1', quantity: value }],
			}),
		},
		{
			field: 'price',
			param: ['line_items', '0', 'price'],
			shape: 'id',
			id: 'price_Example1',
			apply: (input, value) => ({ ...input, lineItems: [{ price: value, quantity: 1 }] }),
		},
		{
			field: 'lineItems',
			param: ['line_items'],
			shape: 'lineItems',
			apply: (input, value) => {
				const { mode, count } = value as { mode: string; count: number };
				return { ...input, mode, lineItems: priceIds(count).map((price) => ({ price })) };
			},
			naive: (params, value) => {
				const { mode, count } = value as { mode: string; count: number };
				return {
					...params,
					mode,
					line_items: priceIds(count).map((price) => ({ price, quantity: 1 })),
				};
			},
		},
	],
	'checkoutSession.expire': [],
	'dispute.updateEvidence': [
		...(
			[
				['productDescription', 'product_description'],
				['customerName', 'customer_name'],
				['customerEmailAddress', 'customer_email_address'],
				['customerPurchaseIp', 'customer_purchase_ip'],
				['billingAddress', 'billing_address'],
				['shippingAddress', 'shipping_address'],
				['shippingCarrier', 'shipping_carrier'],
				['shippingDate', 'shipping_date'],
				['shippingTrackingNumber', 'shipping_tracking_number'],
				['serviceDate', 'service_date'],
				['accessActivityLog', 'access_activity_log'],
				['cancellationPolicyDisclosure', 'cancellation_policy_disclosure'],
				['cancellationRebuttal', 'cancellation_rebuttal'],
				['refundPolicyDisclosure', 'refund_policy_disclosure'],
				['refundRefusalExplanation', 'refund_refusal_explanation'],
				['duplicateChargeExplanation', 'duplicate_charge_explanation'],
				['uncategorizedText', 'uncategorized_text'],
			] as const
		).map(([name, param]) => ({ field: name, param: ['evidence', param] })),
		{
			field: 'duplicateChargeId',
			param: ['evidence', 'duplicate_charge_id'],
			shape: 'id',
			id: 'ch_Example1',
		},
		field('metadata'),
		field('submit'),
	],
	'dispute.close': [],
};

/** Parameters a write always sends with a value of its own (not from a field). */
const FIXED: Record<string, string[]> = { 'invoice.create': ['pending_invoice_items_behavior'] };

/** Every price a checkout may name, as the node would have read it (one-time, $1.00). */
const CHECKOUT_PRICES = Object.fromEntries(
	priceIds(CHECKOUT_LINE_ITEMS.payment + CHECKOUT_LINE_ITEMS.subscription).map((id) => [
		id,
		{ unit_amount: 100, currency: 'usd', usage_type: null },
	]),
);

function contextOf(write: WriteDefinition) {
	if (write.key === 'checkoutSession.create') return { prices: CHECKOUT_PRICES };
	return write.example.context;
}

function setAt(params: Params, path: string[], value: unknown): Params {
	const copy = structuredClone(params) as Params;
	let at: Record<string, unknown> = copy;
	for (const key of path.slice(0, -1)) {
		if (typeof at[key] !== 'object' || at[key] === null) at[key] = /^\d+$/.test(key) ? [] : {};
		at = at[key] as Record<string, unknown>;
	}
	at[path[path.length - 1]] = value;
	return copy;
}

/** Every parameter path a request sends, metadata and line items as one each. */
function sentParams(params: Params): string[] {
	return Object.entries(params).flatMap(([k, v]) =>
		k !== 'metadata' && k !== 'line_items' && v && typeof v === 'object' && !Array.isArray(v)
			? Object.keys(v).map((inner) => `${k}.${inner}`)
			: [k],
	);
}

// ---------------------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------------------

async function holds(write: WriteDefinition, f: Field, sample: Drawn) {
	const base = write.draft(write.example.input, write.example.context).request;
	const input = f.apply
		? f.apply({ ...write.example.input }, sample.value)
		: { ...write.example.input, [f.field]: sample.value };
	const naive = f.naive
		? f.naive(structuredClone(base.params) as Params, sample.value)
		: isUnset(sample.value)
			? setAt(base.params, f.param, undefined)
			: setAt(base.params, f.param, sample.value);
	const shown = `${write.key} with ${f.field} = ${short(sample.value)}`;

	let draft: WriteDraft | undefined;
	let refused: string | undefined;
	try {
		draft = write.draft(input, contextOf(write));
	} catch (error) {
		if (!(error instanceof WriteInputError)) throw error;
		refused = error.message;
	}
	// Stripe's definitions refuse the value as given: so must the builder, in words.
	const stripeSays = refusal({ ...base, params: naive });
	if (stripeSays && !refused)
		throw new Error(`${shown}: proposed, but Stripe refuses it (${stripeSays.message})`);
	if (refused) {
		expect(refused.length).toBeGreaterThan(15);
		expect(refused).not.toContain('[object Object]');
		if (sample.plain) throw new Error(`${shown}: inside Stripe's limits, but refused: ${refused}`);
		return;
	}
	// What it proposes, Stripe accepts: its definitions, and the emulator over HTTPS.
	const request = draft!.request;
	expect([shown, refusal(request)]).toEqual([shown, undefined]);
	const e = emulator();
	const lines = (request.params.line_items as Array<{ price: string }> | undefined) ?? [];
	seed(e, write.key, ['price_Example1', ...lines.map((l) => l.price)]);
	const answer = await send(e, request);
	expect([shown, answer, e.takeViolations()]).toEqual([shown, { status: 200 }, []]);
}

describe.each(writes.map((w) => [w.key, w] as const))('%s', (key, write) => {
	const base = write.draft(write.example.input, write.example.context).request;
	const template = matchEndpoint(base.method, base.path)!.template;
	const fields = FIELDS[key] ?? [];

	test('every parameter it sends is fed by a field listed here, each one Stripe has', () => {
		expect(FIELDS[key]).toBeDefined();
		for (const f of fields)
			expect([f.param.join('.'), describeParam(base.method, base.path, f.param)]).toEqual([
				f.param.join('.'),
				expect.objectContaining({ kind: expect.any(String) }),
			]);
		const fed = new Set([
			...fields.map((f) => f.param.slice(0, 2).join('.')),
			...(FIXED[key] ?? []),
		]);
		const sent = new Set(sentParams(base.params));
		for (const f of fields)
			for (const d of draws(write, f, describeParam(base.method, base.path, f.param)!, template))
				if (d.plain) {
					const input = f.apply
						? f.apply({ ...write.example.input }, d.value)
						: { ...write.example.input, [f.field]: d.value };
					for (const p of sentParams(write.draft(input, contextOf(write)).request.params))
						sent.add(p);
				}
		for (const p of sent) expect([p, fed.has(p) || fed.has(p.split('.')[0])]).toEqual([p, true]);
	});

	test('its example reaches Stripe and is accepted', async () => {
		const example: Field = { field: '(example)', param: [], apply: (i) => i, naive: (p) => p };
		await holds(write, example, { value: undefined, plain: true });
	});

	if (fields.length === 0) return;
	test.each(fields.map((f) => [f.field, f] as const))(
		"%s: at and beyond Stripe's limits, refused in words or accepted by Stripe",
		async (_field, f) => {
			const facts = describeParam(base.method, base.path, f.param)!;
			const fixed = draws(write, f, facts, template);
			const shape = shapeOf(f, facts, template);
			await fc.assert(
				fc.asyncProperty(around(fixed, f, shape), (sample) => holds(write, f, sample)),
				{ numRuns: fixed.length + RUNS, examples: fixed.map((d) => [d]) },
			);
		},
		120_000,
	);
});

test("the editor's dropdowns offer only values Stripe's enums have", () => {
	for (const write of writes) {
		const base = write.draft(write.example.input, write.example.context).request;
		for (const f of FIELDS[write.key] ?? []) {
			const facts = describeParam(base.method, base.path, f.param)!;
			const offered = editorOptions(write, f.field);
			if (facts.kind !== 'enum' || !offered) continue;
			for (const value of offered.filter((v) => v !== ''))
				expect([write.key, f.field, value, facts.values]).toEqual([
					write.key,
					f.field,
					value,
					expect.arrayContaining([value]),
				]);
		}
	}
});

describe('what once reached signed proposals and then failed at Stripe is refused in words', () => {
	const price = { productId: 'prod_Example1', currency: 'usd', unitAmount: 4900 };
	const checkout = {
		successUrl: 'https://example.com/thanks',
		lineItems: [{ price: 'price_Example1', quantity: 1 }],
	};
	const byKey = (key: string) => writes.find((w) => w.key === key)!;
	const refusedWith = (key: string, input: Params, context: object = {}) => {
		try {
			byKey(key).draft(input, context);
		} catch (error) {
			expect(error).toBeInstanceOf(WriteInputError);
			return (error as Error).message;
		}
		throw new Error(`${key} proposed ${JSON.stringify(input)}`);
	};

	test.each([
		[
			'price.create',
			'a 5-year interval',
			{ ...price, interval: 'year', intervalCount: 5 },
			/from 1 to 3, not 5/,
		],
		[
			'price.create',
			'a 200-week interval',
			{ ...price, interval: 'week', intervalCount: 200 },
			/from 1 to 156, not 200/,
		],
		[
			'price.create',
			'a 1096-day interval',
			{ ...price, interval: 'day', intervalCount: 1096 },
			/from 1 to 1095/,
		],
		[
			'price.create',
			'a 201-character lookup key',
			{ ...price, lookupKey: 'k'.repeat(201) },
			/201 .*at most 200: shorten/,
		],
		[
			'price.update',
			'a 201-character lookup key',
			{ priceId: 'price_1', lookupKey: 'k'.repeat(201) },
			/at most 200/,
		],
		[
			'price.update',
			'an object as lookup key',
			{ priceId: 'price_1', lookupKey: { $ne: '' } },
			/Lookup key must be text/,
		],
	])('%s refuses %s', (key, _what, input, expected) => {
		expect(refusedWith(key, input)).toMatch(expected);
	});

	test.each([
		'javascript:alert(document.cookie)',
		'data:text/html,<script>alert(1)</script>',
		'https://example.com/a b',
	])('a checkout session refuses the cancel URL %p', (cancelUrl) => {
		const context = { prices: { price_Example1: { unit_amount: 4900, currency: 'usd' } } };
		expect(refusedWith('checkoutSession.create', { ...checkout, cancelUrl }, context)).toMatch(
			/Cancel URL/,
		);
	});

	test('the longest intervals Stripe allows are proposed: 3 years, 36 months, 156 weeks', () => {
		for (const [interval, intervalCount] of [
			['year', 3],
			['month', 36],
			['week', 156],
			['day', 1095],
		] as const) {
			const { request } = byKey('price.create').draft({ ...price, interval, intervalCount }, {});
			expect(request.params.recurring).toEqual({ interval, interval_count: intervalCount });
		}
	});

	test('through the node: a NodeOperationError naming the item, and nothing proposed', async () => {
		const e = emulator();
		seed(e, 'price.create', ['price_Example1']);
		const credential = { apiKey: e.keys.testWrite, allowWrites: true };
		const runs = [
			{
				resource: 'price',
				operation: 'create',
				productId: 'prod_Example1',
				currency: 'usd',
				unitAmount: 4900,
				additionalFields: { interval: 'year', intervalCount: 5 },
			},
			{
				resource: 'checkoutSession',
				operation: 'create',
				mode: 'payment',
				successUrl: 'https://example.com/thanks',
				lineItems: { item: [{ price: 'price_Example1', quantity: 1 }] },
				additionalFields: { cancelUrl: 'javascript:alert(document.cookie)' },
			},
		];
		for (const parameters of runs) {
			const run = await runStripeGuard({ parameters: parameters as never, credential });
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toMatch(/\(item 0\)$/);
			expect(run.items).toEqual([]);
		}
		expect(e.requests.filter((r) => r.method !== 'GET')).toEqual([]);
	}, 60_000);
});
