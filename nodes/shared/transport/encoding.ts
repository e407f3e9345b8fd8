/**
 * Stripe's form encoding of nested parameters, for request bodies and query strings alike:
 * `metadata[plan]=pro`, `expand[0]=data.customer`, `line_items[0][price]=price_1`. The same
 * output as the stripe SDK's encoder (a property test holds the two equal): keys in insertion
 * order, arrays by index, `undefined` left out, `null` sent empty (Stripe reads that as "unset"),
 * dates as Unix seconds, and brackets left readable.
 */

/**
 * encodeURIComponent plus what `qs` also encodes,
 * with brackets decoded again (Stripe accepts both).
 */
function encodeComponent(value: string): string {
	return encodeURIComponent(value)
		.replace(/!/g, '%21')
		.replace(/\*/g, '%2A')
		.replace(/\(/g, '%28')
		.replace(/\)/g, '%29')
		.replace(/'/g, '%27')
		.replace(/%5B/g, '[')
		.replace(/%5D/g, ']');
}

function scalarText(value: unknown): string {
	if (value instanceof Date) return Math.floor(value.getTime() / 1000).toString();
	if (value === null) return '';
	return String(value);
}

export type StripeParams = Record<string, unknown>;

/** `a=1&b[c]=2&d[0]=x`; an empty string for no parameters. */
export function encodeParams(params: StripeParams | null | undefined): string {
	const pairs: string[] = [];
	const encode = (key: string, value: unknown) => {
		if (value === undefined) return;
		if (value === null || typeof value !== 'object' || value instanceof Date) {
			pairs.push(`${encodeComponent(key)}=${encodeComponent(scalarText(value))}`);
			return;
		}
		if (Array.isArray(value)) {
			value.forEach((element, i) => {
				if (element !== undefined) encode(`${key}[${i}]`, element);
			});
			return;
		}
		for (const k of Object.keys(value)) encode(`${key}[${k}]`, (value as StripeParams)[k]);
	};
	if (params && typeof params === 'object') {
		for (const key of Object.keys(params)) encode(key, params[key]);
	}
	return pairs.join('&');
}
