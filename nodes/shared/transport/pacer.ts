/**
 * Paces requests below Stripe's rate limits, per key: every Stripe Guard node in this n8n process
 * that uses the same key shares one pace, so many items (or many workflows) do not run into 429s.
 * Stripe's limits: 100 requests/s in live mode and 25/s in sandboxes per account, 25/s per
 * endpoint (one operation, such as `GET /v1/customers/{id}`), and 20/s for search. We stay a little
 * under each. A 429 still gets through now and then (other clients share the key, or the window
 * edges differ): then the pace pauses for everyone and the transport retries with backoff.
 */
import { createHash } from 'node:crypto';
import { sleep } from 'n8n-workflow';

export type KeyMode = 'live' | 'test';

/** Requests per second we allow ourselves: just below Stripe's limits. */
export const PACE: Record<KeyMode, number> = { live: 95, test: 24 };
export const ENDPOINT_PACE = 24;
export const SEARCH_PACE = 19;
/** How long everyone holds back after a 429. */
const PAUSE_AFTER_429_MS = 1000;

/** A limit a request counts against besides the key's: its endpoint, or search. */
export interface Lane {
	id: string;
	rate: number;
}

/**
 * Lets requests start one at a time, in order, each once every limit it counts against allows:
 * the key's (at most `rate`, or the caller's lower `cap`) and its lanes' (at most one start per
 * 1/rate of each). Turns follow a schedule (each due one interval after the previous turn was
 * due), so timers that fire a little late do not slow the pace below the rate; a busy moment (a
 * long synchronous task, a garbage collection) that delays the waiting requests catches up at
 * most half a turn, never releasing them all at once. The first request of a pacer is answered
 * before the next starts: it may take a while to leave (modules load, the first connection
 * opens), and the ones queued behind it would otherwise leave together with it.
 */
export class Pacer {
	/** When the last turn of each limit was due (ms); '' is the key's own. */
	private readonly last = new Map<string, number>();
	/** After a 429, requests queued from then on start no earlier than this. */
	private holdUntil = 0;
	private heldAt = -Infinity;
	private warm = false;
	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly rate: number) {}

	async run<T>(start: () => Promise<T>, cap?: number, lanes: Lane[] = []): Promise<T> {
		const capped = (rate: number) => (cap && cap > 0 ? Math.min(cap, rate) : rate);
		const limits = [
			{ id: '', rate: capped(this.rate) },
			...lanes.map((l) => ({ id: l.id, rate: capped(l.rate) })),
		];
		const queuedAt = Date.now();
		let started: Promise<T> | undefined;
		const turn = this.queue.then(async () => {
			const now = Date.now();
			// A 429 holds back what was queued after it (retries
			// included); what was already waiting keeps its pace.
			let due = queuedAt >= this.heldAt ? Math.min(this.holdUntil, now + PAUSE_AFTER_429_MS) : 0;
			for (const { id, rate } of limits) {
				const interval = 1000 / rate;
				// At most half a turn caught up after a stall or a pause, so two starts are never
				// closer than half an interval; never more than one interval ahead, which would mean
				// the clock jumped back (NTP).
				const onSchedule = Math.max(
					(this.last.get(id) ?? -Infinity) + interval,
					now - interval / 2,
				);
				due = Math.max(due, Math.min(onSchedule, now + interval));
			}
			if (due > now) await sleep(due - now);
			for (const { id } of limits) this.last.set(id, due);
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

/** The shared pacer of a key (found by a hash of it: the key itself is not kept). */
export function pacerFor(apiKey: string): Pacer {
	const mode: KeyMode =
		apiKey.startsWith('rk_live_') || apiKey.startsWith('sk_live_') ? 'live' : 'test';
	const id = createHash('sha256').update(apiKey).digest('hex').slice(0, 32);
	let pacer = pacers.get(id);
	if (!pacer) {
		pacer = new Pacer(PACE[mode]);
		pacers.set(id, pacer);
	}
	return pacer;
}
