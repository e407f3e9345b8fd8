/**
 * Stripe's limits that neither the `stripe` package's types (stripe-contract.json) nor the OpenAPI
 * spec's schemas (stripe-limits.json) carry: stated in Stripe's documentation, each with its page,
 * and checked by the contract checker after both. Kept apart from the product's own statement of
 * them (nodes/StripeGuard/writes/), so that a test holds one against the other.
 */
import type { ContractViolation } from './index';

/** docs.stripe.com/metadata#data: "up to 50 keys, with key names up to 40 characters long and
 * values up to 500 characters long". */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/**
 * docs.stripe.com/api/prices/create#create_price-recurring-interval_count: "Maximum of three years
 * interval allowed (3 years, 36 months, or 156 weeks)"; three years of days is 1095. The same
 * words stand on every `recurring` object of a price (price_data, default_price_data, plans).
 */
export const RECURRING_INTERVAL_MAX: Record<string, number> = {
	day: 1095,
	week: 156,
	month: 36,
	year: 3,
};

/** docs.stripe.com/api/checkout/sessions/create: where Stripe sends the customer's browser. */
export const CHECKOUT_URL_PARAMS = ['success_url', 'cancel_url', 'return_url'];

/**
 * docs.stripe.com/api/checkout/sessions/create#create_checkout_session-line_items: "For payment
 * mode, there is a maximum of 100 line items"; in subscription mode 20 with recurring prices and
 * 20 with one-time prices (the emulator's API checks that split: it knows the prices).
 */
export const CHECKOUT_LINE_ITEMS = { payment: 100, subscription: 40, perKind: 20 };

/**
 * docs.stripe.com/api/disputes/update#update_dispute-evidence: "The combined character count of
 * all fields is limited to 150,000."
 */
export const DISPUTE_EVIDENCE_CHARACTERS = 150_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);
const bracket = (param: string, key: string) => (param ? `${param}[${key}]` : key);
const chars = (s: string) => [...s].length;

/** Every value under a key named `name`, at any depth, with its bracketed parameter name. */
function named(value: unknown, name: string, param = ''): Array<[string, unknown]> {
	if (!isObject(value) && !Array.isArray(value)) return [];
	return Object.entries(value).flatMap(([k, v]) => [
		...(k === name ? [[bracket(param, k), v] as [string, unknown]] : []),
		...named(v, name, bracket(param, k)),
	]);
}

/** An absolute http(s) URL as a browser is sent to it: a host, and nothing a parser would drop. */
export function isWebUrl(value: string): boolean {
	if (/[\s\u0000-\u001f\u007f-\u009f]/.test(value)) return false;
	try {
		const url = new URL(value);
		return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
	} catch {
		return false;
	}
}

function metadataProblem(param: string, metadata: unknown): ContractViolation | undefined {
	if (!isObject(metadata)) return undefined;
	const entries = Object.entries(metadata);
	if (entries.length > METADATA_LIMITS.keys)
		return {
			message:
				`You can have up to ${METADATA_LIMITS.keys} metadata keys, ` +
				`but you passed in ${entries.length} keys.`,
			param,
		};
	for (const [key, value] of entries) {
		if (chars(key) > METADATA_LIMITS.keyLength)
			return {
				message:
					`Invalid key: ${key} must be a string under ` + `${METADATA_LIMITS.keyLength} characters`,
				param,
			};
		if (typeof value === 'string' && chars(value) > METADATA_LIMITS.valueLength)
			return {
				message:
					`Invalid val: ${value.slice(0, 40)}... must be a string under ` +
					`${METADATA_LIMITS.valueLength} characters`,
				param: bracket(param, key),
			};
	}
	return undefined;
}

function intervalProblem(param: string, recurring: unknown): ContractViolation | undefined {
	if (!isObject(recurring) || recurring.interval_count === undefined) return undefined;
	const max = RECURRING_INTERVAL_MAX[String(recurring.interval)];
	const count = Number(recurring.interval_count);
	if (max === undefined || !Number.isInteger(count)) return undefined;
	if (count >= 1 && count <= max) return undefined;
	return {
		message:
			`Invalid ${bracket(param, 'interval_count')}: must be between 1 and ${max} ` +
			`for interval=${String(recurring.interval)} (at most three years: 3 years, 36 months, ` +
			'156 weeks or 1095 days)',
		param: bracket(param, 'interval_count'),
		code: 'parameter_invalid_integer',
	};
}

/** Every text in a value, at any depth. */
const texts = (value: unknown): string[] =>
	typeof value === 'string'
		? [value]
		: isObject(value) || Array.isArray(value)
			? Object.values(value).flatMap(texts)
			: [];

function evidenceProblem(evidence: unknown): ContractViolation | undefined {
	const count = texts(evidence).reduce((n, t) => n + chars(t), 0);
	if (count <= DISPUTE_EVIDENCE_CHARACTERS) return undefined;
	return {
		message:
			`The evidence has ${count} characters in all; ` +
			`at most ${DISPUTE_EVIDENCE_CHARACTERS} are allowed.`,
		param: 'evidence',
	};
}

/** The first documented limit a request's parameters break, as Stripe answers it. */
export function checkDocumented(
	method: string,
	template: string,
	params: Record<string, unknown>,
): ContractViolation | undefined {
	if (method.toUpperCase() !== 'POST') return undefined;
	for (const [param, metadata] of named(params, 'metadata')) {
		const problem = metadataProblem(param, metadata);
		if (problem) return problem;
	}
	for (const [param, recurring] of named(params, 'recurring')) {
		const problem = intervalProblem(param, recurring);
		if (problem) return problem;
	}
	if (template === '/v1/disputes/{id}') return evidenceProblem(params.evidence);
	if (template !== '/v1/checkout/sessions') return undefined;
	for (const param of CHECKOUT_URL_PARAMS) {
		const value = params[param];
		if (typeof value === 'string' && value !== '' && !isWebUrl(value))
			return { message: 'Not a valid URL', param, code: 'url_invalid' };
	}
	const items = params.line_items;
	const count = Array.isArray(items)
		? items.length
		: isObject(items)
			? Object.keys(items).length
			: 0;
	const max =
		params.mode === 'subscription' ? CHECKOUT_LINE_ITEMS.subscription : CHECKOUT_LINE_ITEMS.payment;
	if (count > max)
		return {
			message:
				`The Checkout Session has ${count} line items; ` +
				`${String(params.mode ?? 'payment')} mode allows at most ${max}.`,
			param: 'line_items',
		};
	return undefined;
}
