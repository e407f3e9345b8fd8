/**
 * Paces requests below Stripe's rate limits, per key: every Stripe Guard node in this n8n process
 * that uses the same key shares one pace, so many items (or many workflows) do not run into 429s.
 * Stripe allows 100 requests/s in live mode and 25/s in test mode, and 20/s for search; we stay a
 * little under each. A 429 still gets through now and then (other clients share the key, or the
 * window edges differ): then the pace pauses for everyone and the SDK retries with backoff.
 */
import { createHash } from 'node:crypto';

export type KeyMode = 'live' | 'test';

/** Requests per second we allow ourselves: just below Stripe's limits. */
export const PACE: Record<KeyMode, number> = { live: 95, test: 24 };
export const SEARCH_PACE = 19;
/** How long everyone holds back after a 429. */
const PAUSE_AFTER_429_MS = 1000;

/**
 * Hands out start times at least 1/rate apart. `take()` resolves when the caller may start;
 * `cap` lowers the pace for one caller (the node's "Max Requests per Second").
 */
export class Pacer {
	private next = 0;

	constructor(private readonly rate: number) {}

	async take(cap?: number): Promise<void> {
		const rate = cap && cap > 0 ? Math.min(cap, this.rate) : this.rate;
		const now = Date.now();
		// A pace is never a minute ahead: more means the clock jumped back (NTP), so start afresh.
		if (this.next - now > 60_000) this.next = now;
		const start = Math.max(now, this.next);
		this.next = start + 1000 / rate;
		if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
	}

	/** After a 429: nobody starts for a moment. */
	pause(): void {
		this.next = Math.max(this.next, Date.now() + PAUSE_AFTER_429_MS);
	}
}

const pacers = new Map<string, Pacer>();

/** The shared pacer of a key (found by a hash of it: the key itself is not kept) for all requests or for search. */
export function pacerFor(apiKey: string, kind: 'all' | 'search'): Pacer {
	const mode: KeyMode = apiKey.startsWith('rk_live_') || apiKey.startsWith('sk_live_') ? 'live' : 'test';
	const id = `${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}:${kind}`;
	let pacer = pacers.get(id);
	if (!pacer) {
		pacer = new Pacer(kind === 'search' ? SEARCH_PACE : PACE[mode]);
		pacers.set(id, pacer);
	}
	return pacer;
}

/**
 * Runs `work` for indexes 0..count-1 with at most `concurrency` at once, and returns the results
 * in index order. After a failure no new work starts; what is running finishes, and the failure
 * of the lowest index is thrown (as a sequential loop would have thrown it).
 */
export async function mapInOrder<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
	const results = new Array<T>(count);
	let nextIndex = 0;
	type Failure = { index: number; error: unknown };
	const state: { failed?: Failure } = {};
	const worker = async () => {
		while (!state.failed && nextIndex < count) {
			const index = nextIndex++;
			try {
				results[index] = await work(index);
			} catch (error) {
				// Another worker may have failed meanwhile (the loop condition's narrowing does not know).
				const current = state.failed as Failure | undefined;
				if (!current || index < current.index) state.failed = { index, error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	if (state.failed) throw state.failed.error;
	return results;
}
