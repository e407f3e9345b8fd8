/**
 * Stripe amounts are integers in the currency's minor unit. These helpers turn them into what a
 * person reads, respecting currencies without minor units (JPY, KRW, …) and with three (BHD, …).
 */

/** Stripe's zero-decimal currencies: `amount: 1200` in JPY is ¥1,200. */
const ZERO_DECIMAL = new Set([
	'bif',
	'clp',
	'djf',
	'gnf',
	'jpy',
	'kmf',
	'krw',
	'mga',
	'pyg',
	'rwf',
	'ugx',
	'vnd',
	'vuv',
	'xaf',
	'xof',
	'xpf',
]);
/** Stripe's three-decimal currencies: `amount: 1500` in BHD is BHD 1.500. */
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

export function currencyDecimals(currency: string): number {
	const c = currency.toLowerCase();
	if (ZERO_DECIMAL.has(c)) return 0;
	if (THREE_DECIMAL.has(c)) return 3;
	return 2;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * `formatAmount(1200, 'jpy')` → "¥1,200"; `formatAmount(1234, 'usd')` →
 * "$12.34"; negative amounts keep their sign.
 */
export function formatAmount(amount: number, currency: string): string {
	const code = currency.toUpperCase();
	const decimals = currencyDecimals(currency);
	let formatter = formatters.get(code);
	if (!formatter) {
		try {
			formatter = new Intl.NumberFormat('en-US', {
				style: 'currency',
				currency: code,
				minimumFractionDigits: decimals,
				maximumFractionDigits: decimals,
			});
		} catch {
			// Not an ISO code Intl knows: fall back to "12.34 XYZ".
			formatter = new Intl.NumberFormat('en-US', {
				minimumFractionDigits: decimals,
				maximumFractionDigits: decimals,
			});
			formatters.set(code, formatter);
			return `${formatter.format(amount / 10 ** decimals)} ${code}`;
		}
		formatters.set(code, formatter);
	}
	const text = formatter.format(amount / 10 ** decimals);
	return formatter.resolvedOptions().style === 'currency' ? text : `${text} ${code}`;
}

/**
 * `{ amount: 1200, amount_formatted: '¥1,200' }` for a
 * simplified object; nothing when the amount is absent.
 */
export function money(
	name: string,
	amount: unknown,
	currency: unknown,
): Record<string, number | string> {
	if (typeof amount !== 'number' || typeof currency !== 'string' || !currency) return {};
	return { [name]: amount, [`${name}_formatted`]: formatAmount(amount, currency) };
}
