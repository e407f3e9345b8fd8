/**
 * Checks on what a write would send, made before a proposal exists: amounts, currencies, text,
 * whole numbers, choices, URLs and metadata within Stripe's rules, so that nothing a person
 * approves is refused by Stripe for its shape. Each check returns the problem in words, or
 * undefined.
 */

import { isStripeId, type IdPrefix } from '../../shared/ids';
import { prefixWords } from '../framework/words';

/** Currencies Stripe settles or charges in (ISO 4217, lower case as Stripe writes them). */
const STRIPE_CURRENCIES = new Set(
	(
		'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob ' +
		'brl bsd bwp byn bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb ' +
		'eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod ' +
		'jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt ' +
		'mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln ' +
		'pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd ' +
		'top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
	).split(' '),
);

/** Any value as text for a message or comparison; never throws, unlike String() on some objects. */
export function asText(value: unknown): string {
	if (typeof value === 'string') return value;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** Stripe's limits on metadata. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/** The largest amount Stripe accepts (eight digits in most currencies). */
const MAX_AMOUNT = 99_999_999;

export function currencyProblem(value: unknown): string | undefined {
	if (typeof value !== 'string' || !STRIPE_CURRENCIES.has(value.toLowerCase())) {
		return (
			`"${asText(value).slice(0, 20)}" is not a currency Stripe supports: ` +
			'use a three-letter ISO code such as usd, eur or jpy'
		);
	}
	return undefined;
}

/** Amounts are whole numbers of the currency's smallest unit: 1200 is $12.00 but ¥1,200. */
export function amountProblem(value: unknown, label = 'Amount'): string | undefined {
	if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
		return (
			`${label} must be a positive whole number in the currency's smallest unit ` +
			`(cents for USD, yen for JPY), not ${JSON.stringify(value)}`
		);
	}
	if (value > MAX_AMOUNT) return `${label} ${value} is above Stripe's limit of ${MAX_AMOUNT}`;
	return undefined;
}

export function metadataProblem(value: unknown): string | undefined {
	if (value === undefined) return undefined;
	if (!value || typeof value !== 'object' || Array.isArray(value))
		return 'Metadata must be an object of keys and text values';
	const entries = Object.entries(value as Record<string, unknown>);
	if (entries.length > METADATA_LIMITS.keys)
		return `Metadata has ${entries.length} keys; Stripe allows ${METADATA_LIMITS.keys}`;
	for (const [key, v] of entries) {
		if (key.length === 0 || key.length > METADATA_LIMITS.keyLength)
			return `Metadata key "${key.slice(0, 50)}" must be 1–${METADATA_LIMITS.keyLength} characters`;
		if (/[[\]]/.test(key)) return `Metadata key "${key}" may not contain square brackets`;
		if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
			return `Metadata value of "${key}" must be text`;
		// NaN and Infinity would be sent as empty values, which delete the key in Stripe.
		if (typeof v === 'number' && !Number.isFinite(v))
			return `Metadata value of "${key}" is ${String(v)}, not a number Stripe can store`;
		if (String(v).length > METADATA_LIMITS.valueLength)
			return (
				`Metadata value of "${key}" is ${String(v).length} characters; ` +
				`Stripe allows ${METADATA_LIMITS.valueLength}`
			);
	}
	return undefined;
}

/**
 * IDs Stripe makes never exceed 255 characters (docs.stripe.com/upgrades, backwards-compatible
 * changes); an ID a person chose (a coupon's) may have 5000, the maxLength of Stripe's definitions.
 */
const ID_LENGTH = { made: 255, chosen: 5000 };

export function idProblem(value: unknown, label: string, prefix: IdPrefix): string | undefined {
	if (!isStripeId(value, prefix)) {
		const rule = prefix
			? `must start with ${prefixWords(prefix)}`
			: 'may hold only letters, digits, _ and -';
		return `"${asText(value).slice(0, 60)}" is not a ${label} ID: it ${rule}`;
	}
	const id = value as string;
	const most = prefix ? ID_LENGTH.made : ID_LENGTH.chosen;
	if (id.length > most)
		return `"${id.slice(0, 60)}…" is not a ${label} ID: it is longer than ${most} characters`;
	return undefined;
}

/**
 * Text of at most `maxLength` characters, Stripe's maxLength for the parameter. Counted in UTF-16
 * units, never fewer than the characters Stripe counts, so text it would refuse is never proposed.
 */
export function textProblem(value: unknown, label: string, maxLength: number): string | undefined {
	if (typeof value !== 'string') return `${label} must be text, not ${asText(value).slice(0, 40)}`;
	if (value.length > maxLength)
		return (
			`${label} is ${value.length} characters long; Stripe takes at most ${maxLength}: ` +
			'shorten it'
		);
	return undefined;
}

/** One of the values Stripe lists for the parameter, exactly as written there. */
export function choiceProblem(
	value: unknown,
	label: string,
	values: readonly string[],
	listed = values.join(', '),
): string | undefined {
	if (typeof value === 'string' && values.includes(value)) return undefined;
	return `${label} must be one of ${listed}, not ${asText(value).slice(0, 40)}`;
}

/**
 * A whole number from `min` to `max`, as a number or as digits (an expression's text). Beyond
 * 2^53 a number is no longer exact, and JavaScript writes 1e21 as "1e+21", which Stripe refuses.
 */
export function wholeNumberProblem(
	value: unknown,
	label: string,
	min: number,
	max = Number.MAX_SAFE_INTEGER,
): string | undefined {
	const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
		const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
		return `${label} must be a whole number ${range}, not ${asText(value).slice(0, 40)}`;
	}
	return undefined;
}

/** Stripe's maxLength for the URLs a Checkout Session sends a customer to. */
const URL_LENGTH = 5000;
const URL_CHAR = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@{}]|%[0-9A-Fa-f]{2})`;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const HOST = String.raw`${LABEL}(?:\.${LABEL})*`;
/**
 * An absolute http(s) URL with a host, in the characters RFC 3986 allows (and `{}`, for Stripe's
 * {CHECKOUT_SESSION_ID}): a browser is sent there, so a `javascript:` or `data:` URL, a space or a
 * line break is refused rather than left to Stripe.
 */
const WEB_URL = new RegExp(
	String.raw`^https?://(?:${HOST}|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?` +
		String.raw`(?:/(?:${URL_CHAR}|/)*)?(?:\?(?:${URL_CHAR}|[/?])*)?(?:#(?:${URL_CHAR}|[/?])*)?$`,
);

export function urlProblem(value: unknown, label: string): string | undefined {
	if (typeof value !== 'string' || !/^https?:\/\//i.test(value))
		return `${label} must start with https:// (or http:// for local tests)`;
	if (value.length > URL_LENGTH)
		return `${label} is ${value.length} characters long; Stripe takes at most ${URL_LENGTH}`;
	// Schemes are case-insensitive (RFC 3986): HTTPS:// is https://.
	if (!WEB_URL.test(value.replace(/^https?/i, (scheme) => scheme.toLowerCase())))
		return (
			`${label} "${value.slice(0, 60)}" is not a URL Stripe accepts: it needs a host, and ` +
			'spaces, quotes, <, >, non-ASCII and other characters a URL may not hold percent-encoded'
		);
	return undefined;
}
