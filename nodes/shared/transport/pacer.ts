/**
 * Paces requests below Stripe's rate limits, per key: every Stripe Guard node in this n8n process
 * that uses the same key shares one pace, so many items (or many workflows) do not run into 429s.
 * Stripe allows 100 requests/s in live mode and 25/s in test mode, and 20/s for search; we stay a
 * little under each. A 429 still gets through now and then (other clients share the key, or the
 * window edges differ): then the pace pauses for everyone and the transport retries with backoff.
 */
import { createHash } from 'node:crypto';
import { sleep } from 'n8n-workflow';

export type KeyMode = 'live' | 'test';

/** Requests per second we allow ourselves: just below Stripe's limits. */
export const PACE: Record<KeyMode, number> = { live: 95, test: 24 };
export const SEARCH_PACE = 19;
/** How long everyone holds back after a 429. */
const PAUSE_AFTER_429_MS = 1000;

/**
 * Lets requests start one at a time, at least 1/rate apart: `run()` starts its request when its
 * turn comes; `cap` lowers the pace for one caller (the node's "Max Requests per Second"). Each
 * turn is measured from when the previous request really started, so a busy moment (a long
 * synchronous task, a garbage collection) that delays the waiting requests never releases them
 * all at once. The first request of a pacer is answered before the next starts: it may take a
 * while to leave (modules load, the first connection opens), and the ones queued behind it would
 * otherwise leave together with it.
 */
export class Pacer {
	/** When the last request started (ms). */
	private last = -Infinity;
	/** After a 429, requests queued from then on start no earlier than this. */
	private holdUntil = 0;
	private heldAt = -Infinity;
	private warm = false;
	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly rate: number) {}

	async run<T>(start: () => Promise<T>, cap?: number): Promise<T> {
		const rate = cap && cap > 0 ? Math.min(cap, this.rate) : this.rate;
		const interval = 1000 / rate;
		const queuedAt = Date.now();
		let started: Promise<T> | undefined;
		const turn = this.queue.then(async () => {
			const now = Date.now();
			// A 429 holds back what was queued after it (retries included); what was already waiting keeps its pace.
			const hold = queuedAt >= this.heldAt ? Math.min(this.holdUntil, now + PAUSE_AFTER_429_MS) : 0;
			// Never more than one interval ahead: more means the clock jumped back (NTP).
			const wait = Math.max(Math.min(this.last + interval, now + interval), hold) - now;
			if (wait > 0) await sleep(wait);
			this.last = Date.now();
			started = start();
			if (!this.warm) {
				this.warm = true;
				await started.then(
					() => undefined,
					() => undefined,
				);
			}
		});
		this.queue = turn;
		await turn;
		return await started!;
	}

	/** After a 429: nothing queued from now on starts for a moment. */
	pause(): void {
		this.heldAt = Date.now();
		this.holdUntil = Math.max(this.holdUntil, this.heldAt + PAUSE_AFTER_429_MS);
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
