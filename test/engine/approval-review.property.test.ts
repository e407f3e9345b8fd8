/**
 * "What you see is what executes", as properties (fast-check) over every write Stripe Guard can
 * propose, with hostile text (newlines, backticks, Slack links and markup, `&`, unicode, values at
 * Stripe's length limits, metadata with up to 50 keys) in every free-text field:
 *
 * 1. every value the request sends appears in the approval chat text, in an inline code span;
 *    amounts in their currency (formatted by an oracle of our own, not the product's formatAmount);
 * 2. nothing else is sent: through the real Stripe Guard node, the real approval path and the
 *    emulator, Stripe receives exactly the proposal's parameters, with the idempotency key
 *    `stripe-guard-<proposalId>`;
 * 3. the totals are what Stripe would move: a refund's amount, and a checkout session's line items
 *    priced by our own implementation of Stripe's pricing models (per unit with transform_quantity,
 *    graduated and volume tiers with flat amounts);
 * 4. untrusted text stays text: the signed links are the only links outside code spans, every
 *    value line is `    • <label>: `<value>``, no value breaks a line, and headlines never hold
 *    input free text (they do not change when all free text is swapped for other text).
 */
import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { PriceTerms } from '../../nodes/StripeGuard/framework/price-amount';
import { reviewProposal } from '../../nodes/StripeGuard/writes';
import { createProposal, type Proposal } from '../../nodes/shared/proposals/proposals';
import {
	WRITE_BUILDERS,
	WriteInputError,
	type WriteContext,
	type WriteKey,
} from '../../nodes/StripeGuard/writes';
import {
	buildRequest,
	chatQuote,
	type ApprovalLink,
	type Reviewed,
} from '../../nodes/StripeGuardApproval/request';
import { RECURRING_INTERVAL_MAX } from '../emulator/contract/documented';
import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { money } from './simplified-oracle';
import { runStripeGuard, type TestCredential } from './harness';

const RUNS = Number(process.env.PROPERTY_RUNS || 150);
const PATH_RUNS = Number(process.env.PROPERTY_PATH_RUNS || 15);

// ---------------------------------------------------------------------------------------------
// Oracles, written from Stripe's documentation, independent of the product's code.
// ---------------------------------------------------------------------------------------------

type Tier = { up_to: number | null; unit_amount: number | null; flat_amount: number | null };

/**
 * https://docs.stripe.com/products-prices/pricing-models: per unit (quantity divided by
 * transform_quantity.divide_by, rounded up or down); graduated (each tier prices the units that
 * fall in it, plus its flat amount when any unit falls in it); volume (every unit at the tier the
 * quantity falls in, plus that tier's flat amount).
 */
function stripeCharges(price: PriceTerms, quantity: number): number {
	if (price.billing_scheme === 'tiered') {
		const tiers = (price.tiers ?? []) as Tier[];
		const ceiling = (t: Tier) => (t.up_to === null ? Number.POSITIVE_INFINITY : t.up_to);
		if (price.tiers_mode === 'volume') {
			const tier = tiers.find((t) => quantity <= ceiling(t))!;
			return quantity * (tier.unit_amount ?? 0) + (tier.flat_amount ?? 0);
		}
		let sum = 0;
		tiers.forEach((tier, i) => {
			const first = i === 0 ? 1 : ceiling(tiers[i - 1]) + 1;
			const last = Math.min(quantity, ceiling(tier));
			const units = last - first + 1;
			if (units > 0) sum += units * (tier.unit_amount ?? 0) + (tier.flat_amount ?? 0);
		});
		return sum;
	}
	const t = price.transform_quantity;
	const units = t
		? t.round === 'up'
			? Math.ceil(quantity / t.divide_by)
			: Math.floor(quantity / t.divide_by)
		: quantity;
	return units * (price.unit_amount as number);
}

// ---------------------------------------------------------------------------------------------
// Hostile text and valid inputs of every write.
// ---------------------------------------------------------------------------------------------

const HOSTILE_PIECES = [
	'<https://evil.example|click>',
	'<https://evil.example>',
	'https://evil.example/pay?x=1&y=2',
	'HTTP://EVIL.EXAMPLE',
	'[click](https://evil.example)',
	'*bold*',
	'_italic_',
	'~strike~',
	'`',
	'```',
	'`code`',
	'&',
	'&amp;',
	'&lt;b&gt;',
	'<!channel>',
	'<!here>',
	'<@U123ABC>',
	'<#C123|general>',
	'> quoted',
	'# Heading',
	'\n',
	'\r\n',
	'\r',
	'\t',
	'\u000b',
	'\u000c',
	'\u0000',
	'\u0085',
	'\u2028',
	'\u2029',
	'\u202e',
	'\u200b',
	'\ufeff',
	'Ünïcödé',
	'日本語',
	'🧨',
	'👩‍👩‍👧',
	'e\u0301',
	'    • Amount: `$0.00`',
	'\nTotal that can move: $0.01',
	'\nReview and decide: https://evil.example/approve',
	'Approve: ',
	' = ',
	' × ',
	'(empty)',
	'"',
	"'",
	'\\',
	'|',
];

/** Keeps whole code points and at most `max` UTF-16 units (Stripe's limits, conservatively). */
function cut(s: string, max: number): string {
	let out = '';
	for (const ch of s) {
		if (out.length + ch.length > max) break;
		out += ch;
	}
	return out;
}

const piece = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
	{ weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
	{ weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) },
	{ weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9 ]{1,12}$/) },
);

/**
 * Text that chatQuote flattens to nothing (whitespace and control
 * characters only): shown as "(empty)", see the last tests.
 */
const blankOnceFlattened = (s: string) =>
	s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim() === '';

/**
 * A hostile string of at most `max` units, sometimes
 * exactly at the limit, never blank once flattened.
 */
const hostile = (max: number): fc.Arbitrary<string> =>
	fc
		.oneof(
			{
				weight: 8,
				arbitrary: fc
					.array(piece, { minLength: 1, maxLength: 8 })
					.map((parts) => cut(parts.join(''), max)),
			},
			{
				weight: 1,
				arbitrary: fc
					.array(piece, { minLength: 1, maxLength: 4 })
					.map((parts) =>
						cut(parts.join('').repeat(Math.ceil(max / Math.max(1, parts.join('').length))), max),
					),
			},
		)
		.filter((s) => !blankOnceFlattened(s));

/** Passes the builder's email check (no whitespace, one @, a dot in the domain) while hostile. */
const emailPart = fc
	.array(
		fc.oneof(
			fc.constantFrom(
				'<https://evil.example|click>',
				'*b*',
				'`x`',
				'&amp;',
				'ü',
				'日本',
				'🧨',
				'"',
				'|',
				'<!here>',
				'x',
			),
			fc.stringMatching(/^[A-Za-z0-9._+-]{1,8}$/),
		),
		{ minLength: 1, maxLength: 4 },
	)
	.map((p) => p.join(''));
const hostileEmail = fc
	.tuple(emailPart, emailPart, fc.constantFrom('example', 'com', 'evil|click>', '`'))
	.map(([a, b, c]) => cut(`${a}@${b}.${c}`, 512));

const stripeId = (prefix: string) =>
	fc.stringMatching(/^[A-Za-z0-9]{1,24}$/).map((s) => prefix + s);

const metadataValue = fc.oneof(
	{ weight: 6, arbitrary: hostile(500) },
	{ weight: 1, arbitrary: fc.constant('') },
	{ weight: 1, arbitrary: fc.integer({ min: -1e9, max: 1e9 }) },
	{ weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
	{ weight: 1, arbitrary: fc.boolean() },
);
const metadataKey = hostile(40).map((k) => k.replace(/[[\]]/g, '|'));
const metadata = fc.oneof(
	{
		weight: 3,
		arbitrary: fc.dictionary(metadataKey, metadataValue, {
			minKeys: 1,
			maxKeys: 6,
			noNullPrototype: true,
		}),
	},
	{
		weight: 1,
		arbitrary: fc.dictionary(metadataKey, metadataValue, {
			minKeys: 40,
			maxKeys: 50,
			noNullPrototype: true,
		}),
	},
);

const CURRENCIES = [
	'usd',
	'eur',
	'gbp',
	'chf',
	'inr',
	'isk',
	'huf',
	'twd',
	'jpy',
	'krw',
	'vnd',
	'clp',
	'bif',
	'xof',
	'xpf',
	'ugx',
	'bhd',
	'jod',
	'kwd',
	'omr',
	'tnd',
];
const currency = fc.constantFrom(...CURRENCIES);
const anyCase = (s: string) =>
	fc.constantFrom(s, s.toUpperCase(), s.charAt(0).toUpperCase() + s.slice(1));
const amount = fc.integer({ min: 1, max: 99_999_999 });
/**
 * Hostile text as a URL Stripe accepts can hold it: pieces in the characters RFC 3986 allows as
 * they are, the others percent-encoded (a space, quote, `<` or line break is no URL: refused).
 */
const urlPiece = piece.map((p) => {
	if (/^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/.test(p)) return p;
	try {
		return encodeURIComponent(p);
	} catch {
		return '%EF%BF%BD'; // a lone surrogate: encodeURIComponent cannot write it
	}
});
const url = (scheme: fc.Arbitrary<string>) =>
	fc
		.tuple(
			scheme,
			fc.constantFrom('example.com', 'evil.example', 'localhost:5678'),
			fc.array(urlPiece, { minLength: 1, maxLength: 8 }),
		)
		.map(([s, host, path]) => `${s}${host}/${path.join('')}`);

/**
 * Fields that hold untrusted text, and what each is swapped for to show the headline ignores it.
 */
const FREE_TEXT: Record<string, unknown> = {
	name: 'Placeholder',
	email: 'placeholder@example.com',
	phone: 'placeholder',
	description: 'placeholder',
	nickname: 'placeholder',
	lookupKey: 'placeholder',
	successUrl: 'https://placeholder.example/ok',
	cancelUrl: 'https://placeholder.example/back',
	// A dispute's text evidence.
	...Object.fromEntries(
		[
			'productDescription',
			'customerName',
			'customerEmailAddress',
			'customerPurchaseIp',
			'billingAddress',
			'shippingAddress',
			'shippingCarrier',
			'shippingDate',
			'shippingTrackingNumber',
			'serviceDate',
			'accessActivityLog',
			'cancellationPolicyDisclosure',
			'cancellationRebuttal',
			'refundPolicyDisclosure',
			'refundRefusalExplanation',
			'duplicateChargeExplanation',
			'uncategorizedText',
		].map((field) => [field, 'placeholder']),
	),
};

type Input = Record<string, unknown>;

interface WriteCase {
	write: string;
	input: Input;
	context: WriteContext;
	/** The currency the request's amounts are in, known from the input (not from the draft). */
	currency?: string;
}

function neutral(input: Input): Input {
	const out: Input = { ...input };
	for (const [field, placeholder] of Object.entries(FREE_TEXT))
		if (typeof out[field] === 'string') out[field] = placeholder;
	if (out.metadata && typeof out.metadata === 'object')
		out.metadata = Object.keys(out.metadata).length ? { placeholder: 'x' } : {};
	return out;
}

/**
 * Every string of the input that came from outside (free-text fields, metadata keys and values).
 */
function freeTexts(input: Input): string[] {
	const texts = Object.keys(FREE_TEXT).flatMap((f) =>
		typeof input[f] === 'string' ? [input[f] as string] : [],
	);
	if (input.metadata && typeof input.metadata === 'object') {
		for (const [k, v] of Object.entries(input.metadata))
			texts.push(k, ...(typeof v === 'string' ? [v] : []));
	}
	return texts;
}

const some = <T extends Input>(arb: fc.Arbitrary<T>) =>
	arb.filter((fields) => Object.keys(fields).length > 0);
const customerFields = {
	name: hostile(256),
	email: hostileEmail,
	phone: hostile(20),
	description: hostile(350),
	metadata,
};

const tier = (upTo: number | null) =>
	fc
		.record({
			unit_amount: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
			flat_amount: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
		})
		.filter((t) => t.unit_amount !== null || t.flat_amount !== null)
		.map((t): Tier => ({ up_to: upTo, ...t }));
const tiers = fc
	.uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 0, maxLength: 4 })
	.map((tops) => [...tops.sort((a, b) => a - b), null])
	.chain((tops) => fc.tuple(...tops.map((top) => tier(top))));
const priceTerms = (cur: string): fc.Arbitrary<PriceTerms> =>
	fc.oneof(
		fc.record({ unit_amount: fc.integer({ min: 0, max: 1_000_000 }) }).map((p) => ({
			...p,
			currency: cur,
			billing_scheme: 'per_unit',
			tiers_mode: null,
			tiers: null,
			transform_quantity: null,
		})),
		fc
			.record({
				unit_amount: fc.integer({ min: 0, max: 1_000_000 }),
				divide_by: fc.integer({ min: 1, max: 1000 }),
				round: fc.constantFrom('up', 'down'),
			})
			.map(({ unit_amount, divide_by, round }) => ({
				unit_amount,
				currency: cur,
				billing_scheme: 'per_unit',
				tiers_mode: null,
				tiers: null,
				transform_quantity: { divide_by, round },
			})),
		fc.tuple(fc.constantFrom('graduated', 'volume'), tiers).map(([mode, t]) => ({
			unit_amount: null,
			currency: cur,
			billing_scheme: 'tiered',
			tiers_mode: mode,
			tiers: t,
			transform_quantity: null,
		})),
	);
const lineItems = (cur: string) =>
	fc.uniqueArray(stripeId('price_'), { minLength: 1, maxLength: 5 }).chain((ids) =>
		fc.tuple(
			...ids.map((id) =>
				fc.record({
					id: fc.constant(id),
					quantity: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
					terms: priceTerms(cur),
				}),
			),
		),
	);

const checkoutCase = currency.chain((cur) =>
	fc
		.record(
			{
				mode: fc.constantFrom('payment', 'subscription'),
				successUrl: url(fc.constantFrom('https://', 'http://')),
				cancelUrl: url(fc.constantFrom('https://', 'http://', 'HTTPS://')),
				customerId: stripeId('cus_'),
				metadata,
				lines: lineItems(cur),
			},
			{ requiredKeys: ['successUrl', 'lines'] },
		)
		.map(
			({ lines, ...rest }): WriteCase => ({
				write: 'checkoutSession.create',
				input: {
					...rest,
					lineItems: lines.map((l) =>
						l.quantity === undefined ? { price: l.id } : { price: l.id, quantity: l.quantity },
					),
				},
				context: { prices: Object.fromEntries(lines.map((l) => [l.id, l.terms])) },
				currency: cur,
			}),
		),
);

const refundCase = fc
	.record({
		chargeId: stripeId('ch_'),
		currency,
		charged: amount,
		refundedShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
		partShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
		reason: fc.option(fc.constantFrom('duplicate', 'fraudulent', 'requested_by_customer'), {
			nil: undefined,
		}),
		metadata: fc.option(metadata, { nil: undefined }),
	})
	.map(
		({
			chargeId,
			currency: cur,
			charged,
			refundedShare,
			partShare,
			reason,
			metadata: meta,
		}): WriteCase => {
			const refunded = Math.min(charged - 1, Math.floor(charged * refundedShare));
			const remaining = charged - refunded;
			const input: Input = { chargeId };
			if (partShare !== undefined) input.amount = Math.max(1, Math.round(remaining * partShare));
			if (reason) input.reason = reason;
			if (meta) input.metadata = meta;
			return {
				write: 'refund.create',
				input,
				context: {
					charge: { id: chargeId, amount: charged, amount_refunded: refunded, currency: cur },
				},
				currency: cur,
			};
		},
	);

/**
 * A dispute's evidence: hostile text up to each field's maxLength in Stripe's definitions, within
 * the 150,000 characters Stripe takes in all; something to send, or staged evidence submitted.
 */
const disputeEvidence = fc
	.record(
		{
			disputeId: stripeId('dp_'),
			submit: fc.boolean(),
			productDescription: hostile(20000),
			customerName: hostile(5000),
			customerEmailAddress: hostile(5000),
			customerPurchaseIp: hostile(5000),
			billingAddress: hostile(5000),
			shippingAddress: hostile(5000),
			shippingCarrier: hostile(5000),
			shippingDate: hostile(5000),
			shippingTrackingNumber: hostile(5000),
			serviceDate: hostile(5000),
			accessActivityLog: hostile(20000),
			cancellationPolicyDisclosure: hostile(20000),
			cancellationRebuttal: hostile(20000),
			refundPolicyDisclosure: hostile(20000),
			refundRefusalExplanation: hostile(20000),
			duplicateChargeExplanation: hostile(20000),
			uncategorizedText: hostile(20000),
			duplicateChargeId: stripeId('ch_'),
			metadata,
		},
		{ requiredKeys: ['disputeId', 'submit'] },
	)
	.filter((input) => {
		const total = Object.entries(input).reduce(
			(n, [k, v]) => n + (k in FREE_TEXT && typeof v === 'string' ? v.length : 0),
			0,
		);
		return total <= 150_000 && (input.submit || Object.keys(input).length > 2);
	});

const simple = (write: string, arb: fc.Arbitrary<Input>): fc.Arbitrary<WriteCase> =>
	arb.map((input) => ({ write, input, context: {} }));

const CASES: Record<string, fc.Arbitrary<WriteCase>> = {
	'customer.create': simple(
		'customer.create',
		fc
			.record(customerFields, { requiredKeys: [] })
			.filter((f) => f.name !== undefined || f.email !== undefined),
	),
	'customer.update': simple(
		'customer.update',
		fc
			.tuple(stripeId('cus_'), some(fc.record(customerFields, { requiredKeys: [] })))
			.map(([customerId, f]) => ({ customerId, ...f })),
	),
	'customer.delete': simple('customer.delete', fc.record({ customerId: stripeId('cus_') })),
	'product.create': simple(
		'product.create',
		fc.record(
			{
				name: hostile(250).filter((s) => s.trim() !== ''),
				description: hostile(5000),
				active: fc.boolean(),
				metadata,
			},
			{ requiredKeys: ['name'] },
		),
	),
	'product.update': simple(
		'product.update',
		fc
			.tuple(
				stripeId('prod_'),
				some(
					fc.record(
						{ name: hostile(250), description: hostile(5000), active: fc.boolean(), metadata },
						{ requiredKeys: [] },
					),
				),
			)
			.map(([productId, f]) => ({ productId, ...f })),
	),
	'coupon.update': simple(
		'coupon.update',
		fc
			.tuple(
				fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
				some(fc.record({ name: hostile(40), metadata }, { requiredKeys: [] })),
			)
			.map(([couponId, f]) => ({ couponId, ...f })),
	),
	'price.create': fc
		.record(
			{
				productId: stripeId('prod_'),
				currency: currency.chain(anyCase),
				unitAmount: amount,
				nickname: hostile(250),
				lookupKey: hostile(200),
				metadata,
				interval: fc.constantFrom('day', 'week', 'month', 'year'),
				intervalCount: fc.integer({ min: 1, max: 1095 }),
			},
			{ requiredKeys: ['productId', 'currency', 'unitAmount'] },
		)
		// Within Stripe's longest interval for the unit drawn (three years: 36 months, 156 weeks).
		.map((input) =>
			input.interval && input.intervalCount
				? {
						...input,
						intervalCount: 1 + ((input.intervalCount - 1) % RECURRING_INTERVAL_MAX[input.interval]),
					}
				: input,
		)
		.map((input) => ({
			write: 'price.create',
			input,
			context: {},
			currency: input.currency.toLowerCase(),
		})),
	'price.update': simple(
		'price.update',
		fc
			.tuple(
				stripeId('price_'),
				some(
					fc.record(
						{ active: fc.boolean(), nickname: hostile(250), lookupKey: hostile(200), metadata },
						{ requiredKeys: [] },
					),
				),
			)
			.map(([priceId, f]) => ({ priceId, ...f })),
	),
	'subscription.update': simple(
		'subscription.update',
		fc
			.tuple(
				stripeId('sub_'),
				some(
					fc.record(
						{ description: hostile(500), metadata, cancelAtPeriodEnd: fc.boolean() },
						{ requiredKeys: [] },
					),
				),
			)
			.map(([subscriptionId, f]) => ({ subscriptionId, ...f })),
	),
	'subscription.cancel': simple(
		'subscription.cancel',
		fc.record(
			{ subscriptionId: stripeId('sub_'), invoiceNow: fc.boolean(), prorate: fc.boolean() },
			{ requiredKeys: ['subscriptionId'] },
		),
	),
	'invoice.create': simple(
		'invoice.create',
		fc.record(
			{
				customerId: stripeId('cus_'),
				description: hostile(1500),
				metadata,
				collectionMethod: fc.constantFrom('charge_automatically', 'send_invoice'),
				daysUntilDue: fc.integer({ min: 1, max: 3650 }),
			},
			{ requiredKeys: ['customerId'] },
		),
	),
	'invoice.finalize': simple('invoice.finalize', fc.record({ invoiceId: stripeId('in_') })),
	'invoice.send': simple('invoice.send', fc.record({ invoiceId: stripeId('in_') })),
	'invoice.void': simple('invoice.void', fc.record({ invoiceId: stripeId('in_') })),
	'paymentIntent.cancel': simple(
		'paymentIntent.cancel',
		fc.record(
			{
				paymentIntentId: stripeId('pi_'),
				cancellationReason: fc.constantFrom(
					'duplicate',
					'fraudulent',
					'requested_by_customer',
					'abandoned',
				),
			},
			{ requiredKeys: ['paymentIntentId'] },
		),
	),
	'refund.create': refundCase,
	'checkoutSession.create': checkoutCase,
	'checkoutSession.expire': simple(
		'checkoutSession.expire',
		fc.record({ checkoutSessionId: stripeId('cs_') }),
	),
	'dispute.updateEvidence': simple('dispute.updateEvidence', disputeEvidence),
	'dispute.close': simple('dispute.close', fc.record({ disputeId: stripeId('dp_') })),
};

// ---------------------------------------------------------------------------------------------
// The approval text, and how to read it.
// ---------------------------------------------------------------------------------------------

const LINKS: ApprovalLink[] = [
	{
		approver: '',
		url: `http://127.0.0.1:5678/webhook-waiting/1/n?deadline=1&signature=${'a'.repeat(64)}`,
	},
];
const CTX = {
	mode: 'test' as const,
	workflow: 'wf',
	executionId: '1',
	deadline: new Date(),
	twoApproversAbove: {},
};

function propose(c: WriteCase): Proposal {
	const draft = WRITE_BUILDERS[c.write as WriteKey](c.input, c.context);
	return createProposal({ ...draft, mode: 'test' }, 'rk_test_x', 3_600_000);
}

const reviewedOf = (proposals: Proposal[]): Reviewed[] =>
	proposals.map((proposal, itemIndex) => ({
		entry: { proposal, itemIndex },
		review: reviewProposal(proposal),
		context: [],
	}));
const chatTextOf = (proposals: Proposal[], links = LINKS) =>
	buildRequest(reviewedOf(proposals), [], links, CTX).text;

/** What follows `<label>: ` on each line of a request's values (`•`) or of Stripe context (`◦`). */
const valueTokens = (text: string, bullet = '•') =>
	text
		.split('\n')
		.filter((line) => line.startsWith(`    ${bullet} `))
		.map((line) => {
			const m = /^ {4}. ([^:`]+?): (.*)$/s.exec(line);
			if (!m) throw new Error(`a value line without a label: ${JSON.stringify(line)}`);
			return m[2];
		});

const valueText = (v: unknown) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

/**
 * Property 1's oracle: one token per leaf of the request's params. A
 * metadata entry shows its key and its value on one line (`key = value`),
 * a line item its price and quantity (`price × quantity`).
 */
function expectedTokens(params: Record<string, unknown>, cur: string | undefined): string[] {
	const out: string[] = [];
	const walk = (key: string, value: unknown, top: boolean) => {
		if (top && key === 'metadata' && value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) out.push(chatQuote(`${k} = ${valueText(v)}`));
		} else if (top && key === 'line_items' && Array.isArray(value)) {
			for (const item of value as Array<Record<string, unknown>>) {
				expect(Object.keys(item).sort()).toEqual(['price', 'quantity']);
				out.push(chatQuote(`${String(item.price)} × ${String(item.quantity)}`));
			}
		} else if (Array.isArray(value)) {
			value.forEach((v) => walk(key, v, false));
		} else if (value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) walk(k, v, false);
		} else if (top && (key === 'amount' || key === 'unit_amount') && typeof value === 'number') {
			out.push(chatQuote(money(value, cur!)));
		} else {
			out.push(chatQuote(valueText(value)));
		}
	};
	for (const [k, v] of Object.entries(params)) walk(k, v, true);
	return out;
}

const sorted = (xs: string[]) => [...xs].sort();

/** Property 1 on one proposal's part of a chat text (or the whole text of a single proposal). */
function expectEveryValueShown(text: string, proposal: Proposal, cur: string | undefined) {
	expect(sorted(valueTokens(text))).toEqual(sorted(expectedTokens(proposal.request.params, cur)));
}

const LINE_BREAKS = /[\r\n\u000b\u000c\u0085\u2028\u2029]/;
const VALUE_LINE = /^ {4}[•◦] [^`:]+: `[^`]*`$/;
const OUR_LINES = [
	/^Approval needed: \d+ Stripe changes? \(test mode\)$/,
	new RegExp(
		'^Workflow `[^`]*`, execution \\S+\\. Decide before ' +
			String.raw`\d{4}-\d\d-\d\d \d\d:\d\d UTC; after that nothing runs\.$`,
	),
	/^$/,
	/^\d+\. [^`]+$/,
	/^ {4}From Stripe now:$/,
	/^Total that can move: [^`]+$/,
	/^──────────$/,
	/^Review and decide: \S+$/,
	/^Review and decide \(link of `[^`]*`\): \S+$/,
];

/**
 * Property 4 on a whole chat text: only our lines, value
 * lines as inline code, the links as the only links.
 */
function expectTextStaysText(text: string, links: ApprovalLink[], valueLines: number) {
	const lines = text.split('\n');
	for (const line of lines) {
		expect(LINE_BREAKS.test(line)).toBe(false);
		if (/^ {4}[•◦] /.test(line)) expect(line).toMatch(VALUE_LINE);
		else
			expect(
				OUR_LINES.some((shape) => shape.test(line))
					? line
					: `not one of our lines: ${JSON.stringify(line)}`,
			).toBe(line);
		// Every code span closes on its own line; inside it, nothing Slack would parse as markup.
		const parts = line.split('`');
		expect(parts.length % 2).toBe(1);
		for (const inside of parts.filter((_, i) => i % 2 === 1)) {
			expect(inside).not.toMatch(/[<>]/);
			expect(inside.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
		}
	}
	expect(lines.filter((l) => l.startsWith('    • '))).toHaveLength(valueLines);
	const outside = lines
		.map((line) =>
			line
				.split('`')
				.filter((_, i) => i % 2 === 0)
				.join(' '),
		)
		.join('\n');
	expect(outside.match(/https?:\/\//gi) ?? []).toHaveLength(links.length);
	for (const link of links) expect(outside.split(link.url)).toHaveLength(2);
}

/**
 * Property 4's headline part: the headline does not change
 * when every free text is swapped, and holds none of it.
 */
function expectHeadlineWithoutFreeText(c: WriteCase, headline: string) {
	const swapped = WRITE_BUILDERS[c.write as WriteKey](neutral(c.input), c.context).summary;
	expect(headline).toBe(swapped);
	expect(headline).not.toMatch(/[`<>\n]/);
	for (const text of freeTexts(c.input))
		if (text.trim().length >= 8) expect(headline).not.toContain(text);
}

// ---------------------------------------------------------------------------------------------
// 1, 3 and 4 on the pure path: builder → proposal → review → chat text.
// ---------------------------------------------------------------------------------------------

describe.each(Object.keys(WRITE_BUILDERS))('%s', (write) => {
	test(
		'1. every value the request sends is in the chat text ' +
			'(amounts in their currency); 4. untrusted text stays text',
		() => {
			fc.assert(
				fc.property(CASES[write], (c) => {
					const proposal = propose(c);
					expect(`${proposal.resource}.${proposal.operation}`).toBe(write);
					const text = chatTextOf([proposal]);
					expectEveryValueShown(text, proposal, c.currency);
					expectTextStaysText(text, LINKS, reviewProposal(proposal).lines.length);
					expectHeadlineWithoutFreeText(c, reviewProposal(proposal).headline);
				}),
				{ numRuns: RUNS },
			);
		},
	);
});

test(
	"1 and 4 in a batch of any writes: each proposal's " +
		'values are listed under its own headline, and only there',
	() => {
		fc.assert(
			fc.property(
				fc.array(fc.oneof(...Object.values(CASES)), { minLength: 2, maxLength: 4 }),
				fc.array(hostile(80), { maxLength: 3 }),
				(cases, approvers) => {
					const proposals = cases.map(propose);
					// Named approvers, each with their own signed link, or the one link of anyone.
					const links = approvers.length
						? approvers.map((approver, i) => ({
								approver,
								url: `${LINKS[0].url.slice(0, -1)}${i}`,
							}))
						: LINKS;
					const text = chatTextOf(proposals, links);
					const sections: string[] = [];
					for (const line of text.split('\n')) {
						if (/^\d+\. /.test(line)) sections.push(line);
						else if (sections.length && line.startsWith('    • '))
							sections[sections.length - 1] += `\n${line}`;
					}
					expect(sections).toHaveLength(proposals.length);
					sections.forEach((section, i) => {
						expect(section.startsWith(`${i + 1}. `)).toBe(true);
						expectEveryValueShown(section, proposals[i], cases[i].currency);
					});
					expectTextStaysText(
						text,
						links,
						proposals.reduce((n, p) => n + reviewProposal(p).lines.length, 0),
					);
				},
			),
			{ numRuns: RUNS },
		);
	},
);

test('every write has a generator of valid inputs', () => {
	expect(Object.keys(CASES).sort()).toEqual(Object.keys(WRITE_BUILDERS).sort());
});

describe('3. totals equal what Stripe would move', () => {
	test('a refund: its amount, always sent, formatted in the charge currency, is the total', () => {
		fc.assert(
			fc.property(refundCase, (c) => {
				const proposal = propose(c);
				const { charge } = c.context;
				const sent = proposal.request.params.amount as number;
				expect(Number.isInteger(sent)).toBe(true);
				expect(sent).toBe(c.input.amount ?? charge!.amount - charge!.amount_refunded);
				expect(proposal.amounts).toEqual({ [c.currency!]: sent });
				const text = chatTextOf([proposal]);
				expect(text.split('\n')).toContain(`Total that can move: ${money(sent, c.currency!)}`);
				expect(text.split('\n')).toContain(`    • Amount: ${chatQuote(money(sent, c.currency!))}`);
			}),
			{ numRuns: RUNS },
		);
	});

	test(
		'a checkout session: per-unit, transform_quantity, ' +
			'graduated and volume prices, by our own pricing rules',
		() => {
			fc.assert(
				fc.property(checkoutCase, (c) => {
					const proposal = propose(c);
					const prices = c.context.prices!;
					const expected = (
						c.input.lineItems as Array<{ price: string; quantity?: number }>
					).reduce((sum, l) => sum + stripeCharges(prices[l.price], l.quantity ?? 1), 0);
					expect(proposal.amounts).toEqual({ [c.currency!]: expected });
					expect(chatTextOf([proposal]).split('\n')).toContain(
						`Total that can move: ${money(expected, c.currency!)}`,
					);
				}),
				{ numRuns: RUNS },
			);
		},
	);

	test('a batch: the total per currency of every refund and checkout session in it', () => {
		fc.assert(
			fc.property(
				fc.array(fc.oneof(refundCase, checkoutCase), { minLength: 1, maxLength: 5 }),
				(cases) => {
					const proposals = cases.map(propose);
					const totals: Record<string, number> = {};
					for (const c of cases) {
						const sum =
							c.write === 'refund.create'
								? ((c.input.amount as number | undefined) ??
									c.context.charge!.amount - c.context.charge!.amount_refunded)
								: (c.input.lineItems as Array<{ price: string; quantity?: number }>).reduce(
										(s, l) => s + stripeCharges(c.context.prices![l.price], l.quantity ?? 1),
										0,
									);
						totals[c.currency!] = (totals[c.currency!] ?? 0) + sum;
					}
					const line = chatTextOf(proposals)
						.split('\n')
						.find((l) => l.startsWith('Total that can move: '))!;
					expect(sorted(line.slice('Total that can move: '.length).split(' + '))).toEqual(
						sorted(Object.entries(totals).map(([cur, a]) => money(a, cur))),
					);
				},
			),
			{ numRuns: RUNS },
		);
	});
});

// ---------------------------------------------------------------------------------------------
// 2. Through the real nodes: Stripe receives exactly the proposal's request, once.
// ---------------------------------------------------------------------------------------------

/**
 * What a form-encoded body decodes to: text leaves;
 * empty objects and arrays are not encoded at all.
 */
function asDecodedForm(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(asDecodedForm);
	if (value && typeof value === 'object') {
		const entries = Object.entries(value).filter(
			([, v]) => !(v && typeof v === 'object' && Object.keys(v).length === 0),
		);
		return Object.fromEntries(entries.map(([k, v]) => [k, asDecodedForm(v)]));
	}
	// The SDK form-encodes null as an empty value (which Stripe reads as "unset").
	return value === null ? '' : String(value);
}

describe('2. through Stripe Guard, the approval and the emulator', () => {
	const emulator = useEmulator({ seed: 'none' });
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	beforeAll(async () => {
		receiver = await startReceiver();
	});
	afterAll(async () => await receiver.stop());

	const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
	/**
	 * n8n evaluates a parameter that starts with `=` as an expression; the emulator's qs drops keys
	 * named like Object.prototype's and turns numeric keys into arrays.
	 */
	const asParameter = (s: string) => (s.startsWith('=') ? ` ${s}` : s);
	const pathMetadata = fc.dictionary(
		metadataKey.filter((k) => !(k in Object.prototype) && !/^\d+$/.test(k)),
		fc.oneof(hostile(500).map(asParameter), fc.integer({ min: -1e6, max: 1e6 }), fc.boolean()),
		{ minKeys: 1, maxKeys: 50, noNullPrototype: true },
	);
	const text = (max: number) => hostile(max).map(asParameter);

	/**
	 * Proposes with the real node, sends it for approval,
	 * approves it, and checks what Stripe received.
	 */
	async function proposeApproveExecute(
		parameters: IDataObject,
		cur: string | undefined,
		expectedAmounts?: Record<string, number>,
	) {
		const proposed = await runStripeGuard({
			parameters: parameters as INodeParameters,
			credential: writer(),
		});
		expect(proposed.error?.message).toBeUndefined();
		const proposal = proposed.items[0].json as unknown as Proposal;
		if (expectedAmounts) expect(proposal.amounts).toEqual(expectedAmounts);
		receiver.messages.length = 0;
		emulator().clearRequests();
		const approval = await runApproval({
			proposals: [proposal as unknown as IDataObject],
			credential: writer(),
			parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
		});
		expect(approval.run.status).toBe('waiting');
		expect(receiver.messages).toHaveLength(1);
		const { text: chat } = receiver.messages[0];
		const link = /^Review and decide: (\S+)$/m.exec(chat)![1];
		expectEveryValueShown(chat, proposal, cur);
		expectTextStaysText(chat, [{ approver: '', url: link }], reviewProposal(proposal).lines.length);
		expect(emulator().requests.filter((r) => r.method !== 'GET')).toEqual([]);

		const decided = await approval.open(link, 'POST', { approver: 'Ada', decision: 'approve' });
		expect(decided.resumed?.status).toBe('success');
		const out = approval.outputs(decided.resumed!);
		expect(out.failed.map((i) => i.json.error)).toEqual([]);
		expect(out.approved).toHaveLength(1);
		const writes = emulator().requests.filter((r) => r.method !== 'GET');
		expect(writes.map((w) => [w.method, w.path, w.idempotencyKey])).toEqual([
			[proposal.request.method, proposal.request.path, `stripe-guard-${proposal.proposalId}`],
		]);
		expect(writes[0].body).toEqual(asDecodedForm(proposal.request.params));
		expect(writes[0].query).toEqual({});
		return proposal;
	}

	test('refund.create', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.record({
					cur: currency,
					charged: amount,
					refundedShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
					partShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
					reason: fc.option(fc.constantFrom('duplicate', 'fraudulent', 'requested_by_customer'), {
						nil: undefined,
					}),
					metadata: fc.option(pathMetadata, { nil: undefined }),
					customerName: text(256),
					customerEmail: hostileEmail,
					chargeDescription: fc.option(text(1000), { nil: undefined }),
				}),
				async (r) => {
					const e = emulator();
					e.reset();
					const refunded = Math.min(r.charged - 1, Math.floor(r.charged * r.refundedShare));
					const remaining = r.charged - refunded;
					const customer = e.create<{ id: string }>('customer', 'test', {
						name: r.customerName,
						email: r.customerEmail,
					});
					const charge = e.create<{ id: string }>('charge', 'test', {
						amount: r.charged,
						amount_refunded: refunded,
						currency: r.cur,
						customer: customer.id,
						description: r.chargeDescription ?? null,
						billing_details: { email: r.customerEmail, name: r.customerName },
					});
					const additionalFields: IDataObject = {};
					if (r.partShare !== undefined)
						additionalFields.amount = Math.max(1, Math.round(remaining * r.partShare));
					if (r.reason) additionalFields.reason = r.reason;
					if (r.metadata) additionalFields.metadata = JSON.stringify(r.metadata);
					const sent = (additionalFields.amount as number | undefined) ?? remaining;
					const proposal = await proposeApproveExecute(
						{ resource: 'refund', operation: 'create', chargeId: charge.id, additionalFields },
						r.cur,
						{ [r.cur]: sent },
					);
					expect(proposal.request.params.amount).toBe(sent);
					expect(e.get('charge', 'test', charge.id)?.amount_refunded).toBe(refunded + sent);
				},
			),
			{ numRuns: PATH_RUNS },
		);
	}, 300_000);

	test('customer.update', async () => {
		await fc.assert(
			fc.asyncProperty(
				some(
					fc.record(
						{
							name: text(256),
							email: hostileEmail,
							phone: text(20),
							description: text(350),
							metadata: pathMetadata.map((m) => JSON.stringify(m)),
						},
						{ requiredKeys: [] },
					),
				),
				async (updateFields) => {
					const e = emulator();
					e.reset();
					const customer = e.create<{ id: string }>('customer', 'test', {
						name: 'Jane',
						email: 'jane@example.com',
					});
					await proposeApproveExecute(
						{ resource: 'customer', operation: 'update', customerId: customer.id, updateFields },
						undefined,
					);
				},
			),
			{ numRuns: PATH_RUNS },
		);
	}, 300_000);

	test('checkoutSession.create', async () => {
		await fc.assert(
			fc.asyncProperty(
				currency.chain((cur) =>
					fc.record(
						{
							cur: fc.constant(cur),
							mode: fc.constantFrom('payment', 'subscription'),
							successUrl: url(fc.constantFrom('https://', 'http://')).map(asParameter),
							lines: lineItems(cur),
							productNames: fc.array(text(250), { minLength: 5, maxLength: 5 }),
							nicknames: fc.array(fc.option(text(250)), { minLength: 5, maxLength: 5 }),
							cancelUrl: url(fc.constantFrom('https://', 'http://', 'HTTPS://')).map(asParameter),
							customerName: text(256),
							metadata: pathMetadata,
						},
						{ requiredKeys: ['cur', 'mode', 'successUrl', 'lines', 'productNames', 'nicknames'] },
					),
				),
				async (r) => {
					const e = emulator();
					e.reset();
					const item = r.lines.map((line, i) => {
						const product = e.create<{ id: string }>('product', 'test', {
							name: r.productNames[i],
						});
						const price = e.create<{ id: string }>('price', 'test', {
							...line.terms,
							unit_amount_decimal:
								line.terms.unit_amount === null ? null : String(line.terms.unit_amount),
							product: product.id,
							nickname: r.nicknames[i],
							type: r.mode === 'subscription' ? 'recurring' : 'one_time',
							recurring:
								r.mode === 'subscription'
									? { interval: 'month', interval_count: 1, usage_type: 'licensed' }
									: null,
						});
						return line.quantity === undefined
							? { price: price.id }
							: { price: price.id, quantity: line.quantity };
					});
					const ids = item.map((i) => i.price);
					const expected = r.lines.reduce(
						(sum, line) => sum + stripeCharges(line.terms, line.quantity ?? 1),
						0,
					);
					const additionalFields: IDataObject = {};
					if (r.cancelUrl) additionalFields.cancelUrl = r.cancelUrl;
					if (r.metadata) additionalFields.metadata = JSON.stringify(r.metadata);
					if (r.customerName)
						additionalFields.customerId = e.create<{ id: string }>('customer', 'test', {
							name: r.customerName,
						}).id;
					const proposal = await proposeApproveExecute(
						{
							resource: 'checkoutSession',
							operation: 'create',
							mode: r.mode,
							successUrl: r.successUrl,
							lineItems: { item },
							additionalFields,
						},
						r.cur,
						{ [r.cur]: expected },
					);
					expect(
						(proposal.request.params.line_items as Array<{ price: string }>).map((l) => l.price),
					).toEqual(ids);
				},
			),
			{ numRuns: PATH_RUNS },
		);
	}, 300_000);
});

// ---------------------------------------------------------------------------------------------
// Inputs the properties above leave out because each breaks the guarantee (see the report):
// these fail until the product handles them.
// ---------------------------------------------------------------------------------------------

describe('values the approver would not see as sent', () => {
	const BLANK_CHARS = [
		' ',
		'\t',
		'\n',
		'\r',
		'\u0000',
		'\u000b',
		'\u0085',
		'\u2028',
		'\u00a0',
		'\ufeff',
		'\u3000',
	];
	const blank = fc
		.array(fc.constantFrom(...BLANK_CHARS), { minLength: 1, maxLength: 6 })
		.map((chars) => chars.join(''));
	const usd = { price_1: { unit_amount: 100, currency: 'usd' } };

	test(
		'4. a value made only of whitespace or control characters ' +
			'is still shown as an inline code span, not "(empty)"',
		() => {
			const cases: fc.Arbitrary<WriteCase> = fc.oneof(
				blank.map((b) => ({
					write: 'customer.create',
					input: { email: 'jane@example.com', description: b },
					context: {},
				})),
				blank.map((b) => ({
					write: 'customer.update',
					input: { customerId: 'cus_1', name: b },
					context: {},
				})),
				blank
					.filter((b) => b.trim() !== '')
					.map((b) => ({ write: 'product.create', input: { name: b }, context: {} })),
				blank.map((b) => ({
					write: 'price.update',
					input: { priceId: 'price_1', nickname: b },
					context: {},
				})),
				blank.map((b) => ({
					write: 'subscription.update',
					input: { subscriptionId: 'sub_1', description: b },
					context: {},
				})),
				// A blank cancel URL is left out when JavaScript trims it away, else refused (it is no
				// URL): only the first kind still makes a proposal.
				blank
					.filter((b) => b.trim() === '')
					.map((b) => ({
						write: 'checkoutSession.create',
						input: {
							successUrl: 'https://example.com/ok',
							cancelUrl: b,
							lineItems: [{ price: 'price_1' }],
						},
						context: { prices: usd },
						currency: 'usd',
					})),
			);
			fc.assert(
				fc.property(cases, (c) => {
					const proposal = propose(c);
					expectTextStaysText(chatTextOf([proposal]), LINKS, reviewProposal(proposal).lines.length);
				}),
				{ numRuns: RUNS },
			);
		},
	);

	test(
		'1. a metadata number that is not finite (NaN, ' + 'Infinity) is shown as sent, or refused',
		() => {
			fc.assert(
				fc.property(
					stripeId('cus_'),
					fc.stringMatching(/^[a-z]{1,10}$/),
					fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
					(customerId, key, value) => {
						const c: WriteCase = {
							write: 'customer.update',
							input: { customerId, metadata: { [key]: value } },
							context: {},
						};
						let proposal: Proposal;
						try {
							proposal = propose(c);
						} catch (error) {
							expect(error).toBeInstanceOf(WriteInputError);
							return;
						}
						expectEveryValueShown(chatTextOf([proposal]), proposal, undefined);
					},
				),
				{ numRuns: RUNS },
			);
		},
	);

	test(
		'3. a tier priced by unit_amount_decimal (unit_amount null) ' +
			'is counted, or the checkout refused',
		() => {
			fc.assert(
				fc.property(
					fc.integer({ min: 0, max: 10_000 }),
					fc.integer({ min: 1, max: 500 }),
					fc.constantFrom('graduated', 'volume'),
					(whole, pairs, mode) => {
						// As Stripe returns a tier created with
						// unit_amount_decimal "<whole>.5": unit_amount is null.
						const tiers = [
							{
								up_to: null,
								unit_amount: null,
								unit_amount_decimal: `${whole}.5`,
								flat_amount: null,
								flat_amount_decimal: null,
							},
						];
						const c: WriteCase = {
							write: 'checkoutSession.create',
							input: {
								successUrl: 'https://example.com/ok',
								lineItems: [{ price: 'price_dec', quantity: 2 * pairs }],
							},
							context: {
								prices: {
									price_dec: {
										unit_amount: null,
										currency: 'usd',
										billing_scheme: 'tiered',
										tiers_mode: mode,
										tiers,
									},
								},
							},
							currency: 'usd',
						};
						let proposal: Proposal;
						try {
							proposal = propose(c);
						} catch (error) {
							expect(error).toBeInstanceOf(WriteInputError);
							return;
						}
						// 2 × pairs units at <whole>.5 each: a whole number of cents, no rounding involved.
						expect(proposal.amounts).toEqual({ usd: (2 * whole + 1) * pairs });
					},
				),
				{ numRuns: RUNS },
			);
		},
	);
});

describe('2. a non-finite metadata number from an n8n expression, through the real path', () => {
	const emulator = useEmulator({ seed: 'none' });

	test(
		'is refused before anything is proposed: ' +
			'Stripe would receive an empty value, which deletes the key',
		async () => {
			const e = emulator();
			const credential = { apiKey: e.keys.testWrite, allowWrites: true };
			const customer = e.create<{ id: string }>('customer', 'test', {
				name: 'Jane',
				email: 'jane@example.com',
				metadata: { score: '7' },
			});
			const proposed = await runStripeGuard({
				parameters: {
					resource: 'customer',
					operation: 'update',
					customerId: customer.id,
					updateFields: { metadata: '={{ { score: 0 / 0 } }}' },
				},
				credential,
			});
			expect(proposed.error?.message).toMatch(
				/Metadata value of "score" is NaN, not a number Stripe can store \(item 0\)/,
			);
			expect(e.requests.filter((r) => r.method !== 'GET')).toEqual([]);
		},
		60_000,
	);
});
