/**
 * Oracles for version 2's simplified output where the approval node and the trigger give it:
 * Stripe's definitions of which fields are Unix times (fixtures/stripe-unix-time-fields.json, from
 * Stripe's OpenAPI spec) and Stripe's documented zero- and three-decimal currencies. None of it
 * comes from the product's code.
 */
import type { IDataObject } from 'n8n-workflow';

import oracle from './fixtures/stripe-unix-time-fields.json';

export const UNIX_TIMES = oracle.objects as Record<string, string[]>;

/** https://docs.stripe.com/currencies#zero-decimal and #three-decimal */
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
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** An amount in Stripe's smallest unit, written as the currency is (en-US). */
export function money(amount: number, currency: string): string {
	const c = currency.toLowerCase();
	const d = ZERO_DECIMAL.has(c) ? 0 : THREE_DECIMAL.has(c) ? 3 : 2;
	return new Intl.NumberFormat('en-US', {
		style: 'currency',
		currency: c.toUpperCase(),
		minimumFractionDigits: d,
		maximumFractionDigits: d,
	}).format(amount / 10 ** d);
}

export const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Every value a path of the oracle reaches ("items.data[].current_period_end": one per item). */
export function valuesAt(object: unknown, path: string): unknown[] {
	const [head, ...rest] = path.split('.');
	const list = head.endsWith('[]');
	const key = list ? head.slice(0, -2) : head;
	if (!object || typeof object !== 'object') return [];
	const value = (object as IDataObject)[key];
	if (rest.length === 0) return [value];
	const children = list ? (Array.isArray(value) ? value : []) : [value];
	return children.flatMap((c) => valuesAt(c, rest.join('.')));
}

/** Every place a path reaches in an object, to plant a value there. */
export function places(
	object: IDataObject,
	path: string,
): Array<{ parent: IDataObject; key: string }> {
	const [head, ...rest] = path.split('.');
	const list = head.endsWith('[]');
	const key = list ? head.slice(0, -2) : head;
	if (rest.length === 0) return key in object ? [{ parent: object, key }] : [];
	const value = object[key];
	const children = list ? (Array.isArray(value) ? value : []) : [value];
	return children
		.filter((c): c is IDataObject => !!c && typeof c === 'object' && !Array.isArray(c))
		.flatMap((c) => places(c, rest.join('.')));
}

/** A list object is an array in a simplified shape ("items.data[]" → "items[]"). */
const simplifiedPath = (path: string) => path.replace(/\.data\[\]/g, '[]');

const numbersIn = (v: unknown): number[] =>
	typeof v === 'number'
		? [v]
		: v && typeof v === 'object'
			? Object.values(v).flatMap(numbersIn)
			: [];

/**
 * Every Unix time Stripe defines in `raw` (of Stripe type `type`) that the simplified object
 * gives is the ISO 8601 string of the same moment (null stays null), and none is left a number.
 */
export function expectIsoDates(simple: IDataObject, raw: IDataObject, type: string) {
	const paths = UNIX_TIMES[type];
	expect([type, Array.isArray(paths)]).toEqual([type, true]);
	const times = new Set(
		paths.flatMap((p) => valuesAt(raw, p)).filter((v): v is number => typeof v === 'number'),
	);
	for (const path of paths) {
		const want = valuesAt(raw, path);
		valuesAt(simple, simplifiedPath(path)).forEach((value, i) => {
			if (value === undefined || i >= want.length) return;
			const expected = typeof want[i] === 'number' ? iso(want[i] as number) : want[i];
			expect([path, value]).toEqual([path, expected]);
		});
	}
	expect(numbersIn(simple).filter((n) => times.has(n))).toEqual([]);
}

/**
 * Every `<name>_formatted` is `<name>` in its currency (the object's own, or the top object's),
 * and at the top `<name>` is Stripe's value of that name. Returns how many it checked.
 */
export function expectFormattedAmounts(simple: IDataObject, raw: IDataObject): number {
	let checked = 0;
	const walk = (node: IDataObject, top: boolean) => {
		for (const [key, value] of Object.entries(node)) {
			if (key.endsWith('_formatted')) {
				const name = key.slice(0, -'_formatted'.length);
				const currency = String(node.currency ?? simple.currency);
				expect([key, value]).toEqual([key, money(node[name] as number, currency)]);
				if (top) expect([name, node[name]]).toEqual([name, raw[name]]);
				checked++;
			} else if (value && typeof value === 'object')
				for (const child of Array.isArray(value) ? value : [value])
					if (child && typeof child === 'object') walk(child as IDataObject, false);
		}
	};
	walk(simple, true);
	return checked;
}
