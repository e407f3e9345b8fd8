/**
 * What reports count and add up: distinct IDs in flat memory, sums per currency in integer minor
 * units (with formatted twins), and percentages.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';

/**
 * How many distinct IDs were added, holding 8 bytes per ID instead of the string: a 64-bit
 * fingerprint of each (two independent 32-bit hashes), counted after sorting. So a report's memory
 * stays flat however many customers it counts. Two of n IDs share a fingerprint with a chance of
 * about n² / 2⁶⁵: 1 in 37 million for a million customers.
 */
export class DistinctCount {
	private prints = new BigUint64Array(256);
	private length = 0;

	add(id: string): void {
		if (this.length === this.prints.length) {
			const grown = new BigUint64Array(this.length * 2);
			grown.set(this.prints);
			this.prints = grown;
		}
		this.prints[this.length++] = fingerprint(id);
	}

	count(): number {
		const sorted = this.prints.subarray(0, this.length).sort();
		let distinct = 0;
		for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
		return distinct;
	}
}

/** FNV-1a and a Murmur-style multiply-xorshift hash of the UTF-16 code units, side by side. */
function hashes(id: string): [number, number] {
	let fnv = 0x811c9dc5;
	let mix = 0x9e3779b9 ^ id.length;
	for (let i = 0; i < id.length; i++) {
		const c = id.charCodeAt(i);
		fnv = Math.imul(fnv ^ c, 0x01000193);
		mix = Math.imul(mix ^ c, 0x5bd1e995);
		mix ^= mix >>> 15;
	}
	mix = Math.imul(mix ^ (mix >>> 13), 0xc2b2ae35);
	mix ^= mix >>> 16;
	return [fnv >>> 0, mix >>> 0];
}

function fingerprint(id: string): bigint {
	const [fnv, mix] = hashes(id);
	return (BigInt(fnv) << 32n) | BigInt(mix);
}

/**
 * The same two hashes as one 53-bit integer, exact in a double (and in a Float64Array): two of n
 * IDs share one with a chance of about n² / 2⁵⁴ (1 in 7 million for 50,000 customers).
 */
export function fingerprint53(id: string): number {
	const [fnv, mix] = hashes(id);
	return (fnv & 0x1fffff) * 0x1_0000_0000 + mix;
}

/** Named sums per currency; currencies appear in the order first seen. */
export class CurrencySums<K extends string> {
	private readonly sums = new Map<string, Record<K, number>>();

	constructor(private readonly keys: readonly K[]) {}

	add(currency: string, key: K, amount: number): void {
		let row = this.sums.get(currency);
		if (!row) {
			row = Object.fromEntries(this.keys.map((k) => [k, 0])) as Record<K, number>;
			this.sums.set(currency, row);
		}
		row[key] += amount;
	}

	currencies(): string[] {
		return [...this.sums.keys()].sort();
	}

	get(currency: string): Record<K, number> {
		return (
			this.sums.get(currency) ??
			(Object.fromEntries(this.keys.map((k) => [k, 0])) as Record<K, number>)
		);
	}

	/**
	 * `{usd: {gross: 1234, gross_formatted: "$12.34", …}}`, amounts rounded to whole minor units.
	 * Keys in `counts` are numbers of things, not money, and are not formatted.
	 */
	toJson(counts: readonly K[] = []): IDataObject {
		const out: IDataObject = {};
		for (const currency of this.currencies()) {
			const row = this.get(currency);
			const json: IDataObject = {};
			for (const key of this.keys) {
				const value = Math.round(row[key]);
				json[key] = value;
				if (!counts.includes(key)) json[`${key}_formatted`] = formatAmount(value, currency);
			}
			out[currency] = json;
		}
		return out;
	}
}

export const percent = (part: number, whole: number) =>
	whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
