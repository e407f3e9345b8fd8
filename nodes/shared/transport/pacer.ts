/**
 * Paces requests below Stripe's rate limits, per key, and adapts to what the account has left.
 *
 * Stripe counts per account: 100 requests/s live and 25/s in sandboxes, 25/s per endpoint (one
 * operation, such as `GET /v1/customers/{id}`), 20/s for search; every process and every client
 * using the account shares them. Every Stripe Guard node in this n8n process that uses the same key
 * shares one pace, whose ceilings are just under Stripe's limits (times the credential's Account
 * Share): one process alone never meets a 429 and keeps that pace. Other processes (n8n's
 * queue-mode workers) and other clients (the company's own backend) cannot be seen from here, and
 * n8n gives nodes no shared store: each process learns what the account has left from Stripe's
 * answers, as TCP learns a network's capacity. The key's pace starts at 30 % of its ceiling and
 * grows by 20 % of itself per second until its first 429 (slow start): workers starting
 * together meet the limit at a small overshoot, not at N times it (an endpoint's or search's pace
 * starts at its ceiling, under the key's). A 429 cuts the limit it names
 * (`Stripe-Rate-Limited-Reason`: `global-rate` or `global-concurrency` the account's,
 * `endpoint-rate` or `endpoint-concurrency` the endpoint's, `resource-specific` search's on a
 * search, or the endpoint's; a reason Stripe adds later: the account's) to 70 % (the first one to
 * half, or to the share Stripe accepted of late if less, never below half at once), once per round:
 * 429s of requests sent before the cut, or answered within a second of it, are the same crowding
 * (the other processes need about that long to meet it and cut too; cutting again meanwhile would
 * leave this one far below them, and unequal paces stay unequal for long). A 429 that names no
 * limit cuts nothing and holds the queue for a second. While requests succeed at the full pace it
 * climbs back by 0.5 % of itself and 0.2 % of its ceiling per second, faster the longer no 429
 * comes; but, near the rate where the last 429 came, at a tenth of that at first (as TCP's CUBIC
 * lingers near its last loss): the processes together meet the account's limit less often. A pace
 * grows only while in use (Stripe accepted most of it over the last second): one held back in a
 * burst alone has not been tried. Several processes doing so converge on Stripe's limit together
 * instead of colliding at N times it.
 */
import { createHash } from 'node:crypto';
import { sleep } from 'n8n-workflow';

import {
	ENDPOINT_PACE,
	PACE,
	PACE_DECREASE,
	PACE_FIRST_DECREASE,
	PACE_FLOOR,
	PACE_FLOOR_SHARE,
	PACE_PROBE,
	PACE_PROBE_DOUBLING_S,
	PACE_DEEPEST,
	PACE_ROUND_MS,
	PACE_PROBE_ADD,
	PACE_IN_USE,
	PACE_SLOW_START,
	PACE_START,
	PACE_PLATEAU,
	PACE_PLATEAU_ABOVE,
	PACE_PLATEAU_BELOW,
	SEARCH_PACE,
} from './constants';

export { ENDPOINT_PACE, PACE, SEARCH_PACE };

export type KeyMode = 'live' | 'test';

/** A limit a request counts against besides the key's: its endpoint, or search. */
export interface Lane {
	id: string;
	/** Its ceiling (requests per second) before the share. */
	rate: number;
}

/** How a pace adapts (constants.ts); tests may pass their own. */
export interface PaceTuning {
	decrease: number;
	firstDecrease: number;
	floorShare: number;
	floor: number;
	probe: number;
	probeDoublingS: number;
	deepest: number;
	roundMs: number;
	probeAdd: number;
	start: number;
	slowStart: number;
	inUse: number;
	plateauBelow: number;
	plateauAbove: number;
	plateau: number;
}

/** How long a 429 that names no limit holds back what is queued after it. */
const HOLD_MS = 1000;

const DEFAULT_TUNING: PaceTuning = {
	decrease: PACE_DECREASE,
	firstDecrease: PACE_FIRST_DECREASE,
	floorShare: PACE_FLOOR_SHARE,
	floor: PACE_FLOOR,
	probe: PACE_PROBE,
	probeDoublingS: PACE_PROBE_DOUBLING_S,
	deepest: PACE_DEEPEST,
	roundMs: PACE_ROUND_MS,
	probeAdd: PACE_PROBE_ADD,
	start: PACE_START,
	slowStart: PACE_SLOW_START,
	inUse: PACE_IN_USE,
	plateauBelow: PACE_PLATEAU_BELOW,
	plateauAbove: PACE_PLATEAU_ABOVE,
	plateau: PACE_PLATEAU,
};

/** One limit's pace: the key's ('') or a lane's. */
interface Limit {
	/** Stripe's limit for it, a little under, times the share. */
	ceiling: number;
	/** Requests per second allowed now. */
	rate: number;
	/** When a 429 last cut it (ms); 429s of requests sent before are the same crowding. */
	cutAt: number;
	/** Its rate when a 429 last cut it: where the account's limit was met. */
	cutFrom: number;
	/** When its last turn was due (ms). */
	last: number;
	/** Answers of about the last second (counts decaying by e each second): accepted, and 429s. */
	ok: number;
	refused: number;
	answeredAt: number;
}

/** A request's turn: when it left, and the limits whose pace held it back. */
export interface Turn {
	at: number;
	paced: string[];
}

/** What Stripe said to a request, as far as the pace cares. */
export interface Answer {
	statusCode: number;
	/** `Stripe-Rate-Limited-Reason`, on a 429. */
	reason?: string;
}

/** The limits a 429 names: its Stripe-Rate-Limited-Reason, read as Stripe documents it. */
export function limitsNamed(reason: string | undefined, lanes: Lane[]): string[] {
	const endpoint = lanes.find((l) => l.id !== 'search')?.id;
	const search = lanes.find((l) => l.id === 'search')?.id;
	switch (reason?.trim().toLowerCase()) {
		case 'endpoint-rate':
		case 'endpoint-concurrency':
			return endpoint !== undefined ? [endpoint] : [''];
		case 'resource-specific':
			// Search's own limit (20/s), or one of a resource's own.
			return search !== undefined ? [search] : endpoint !== undefined ? [endpoint] : [''];
		case undefined:
		case '':
			// No reason: not a rate limiter's refusal as Stripe documents them (a lock's contention,
			// a proxy's): nothing is cut, and what is queued from now on holds back a moment.
			return [];
		default:
			// 'global-rate', 'global-concurrency', and a reason Stripe adds later: the account's.
			return [''];
	}
}

/**
 * Lets requests start one at a time, in order, each once every limit it counts against allows:
 * the key's (at most its adaptive rate, or the caller's lower `cap`) and its lanes' (likewise).
 * Turns follow a schedule (each due one interval after the previous turn was due), so timers that
 * fire a little late do not slow the pace below the rate; a busy moment (a long synchronous task, a
 * garbage collection) that delays the waiting requests catches up at most half a turn, never
 * releasing them all at once. The first request of a pacer is answered before the next starts: it
 * may take a while to leave (modules load, the first connection opens), and the ones queued behind
 * it would otherwise leave together with it. Waiting is n8n-workflow's `sleep`, as everywhere
 * under nodes/: no timers of our own.
 */
export class Pacer {
	private readonly limits = new Map<string, Limit>();
	private warm = false;
	/** After a 429 that names no limit, requests queued from then on start no earlier than this. */
	private holdUntil = 0;
	private heldAt = -Infinity;
	private queue: Promise<void> = Promise.resolve();
	private readonly tuning: PaceTuning;

	/**
	 * @param rate the key's ceiling (requests per second), before the share
	 * @param share of the account's budget this pace may use, 0 < share <= 1
	 */
	constructor(
		private readonly rate: number,
		private readonly share = 1,
		tuning: Partial<PaceTuning> = {},
	) {
		this.tuning = { ...DEFAULT_TUNING, ...tuning };
	}

	private limit(id: string, ceilingBeforeShare: number): Limit {
		let limit = this.limits.get(id);
		if (!limit) {
			const ceiling = Math.max(this.tuning.floor, ceilingBeforeShare * this.share);
			limit = {
				ceiling,
				// The key's pace starts low (slow start); an endpoint's or search's at its ceiling.
				rate: id === '' ? Math.max(this.tuning.floor, ceiling * this.tuning.start) : ceiling,
				cutAt: -Infinity,
				cutFrom: 0,
				last: -Infinity,
				ok: 0,
				refused: 0,
				answeredAt: 0,
			};
			this.limits.set(id, limit);
		}
		return limit;
	}

	/** The rate a limit allows now (requests per second): for tests and the benchmark. */
	rateOf(id = ''): number {
		return this.limits.get(id)?.rate ?? this.rate * this.share;
	}

	/**
	 * Starts `start` at its turn and resolves with its result. `start` is given the turn, to hand
	 * back to `answered` with what Stripe said.
	 */
	async run<T>(start: (turn: Turn) => Promise<T>, cap?: number, lanes: Lane[] = []): Promise<T> {
		const entries = [
			{ id: '', limit: this.limit('', this.rate) },
			...lanes.map((l) => ({ id: l.id, limit: this.limit(l.id, l.rate) })),
		];
		let started: Promise<T> | undefined;
		const queuedAt = Date.now();
		const turn = this.queue.then(async () => {
			const now = Date.now();
			let due = queuedAt >= this.heldAt ? Math.min(this.holdUntil, now + HOLD_MS) : 0;
			const paced: string[] = [];
			for (const { id, limit } of entries) {
				const capped = cap && cap > 0 && cap < limit.rate;
				const interval = 1000 / (capped ? cap : limit.rate);
				// At most half a turn caught up after a stall, so two starts are never closer than half
				// an interval; never more than one interval ahead, which would mean the clock jumped back.
				const onSchedule = Math.max(limit.last + interval, now - interval / 2);
				const at = Math.min(onSchedule, now + interval);
				// Held back by its own adaptive rate (not the node's cap): evidence to climb on.
				if (at > now && !capped) paced.push(id);
				due = Math.max(due, at);
			}
			if (due > now) await sleep(due - now);
			for (const { limit } of entries) limit.last = due;
			started = start({ at: Math.max(due, now), paced });
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

	/**
	 * What Stripe answered to a turn: a 429 cuts the limit it names (once per round), any other
	 * answer lets the limits that held the request back climb.
	 */
	answered(turn: Turn, lanes: Lane[], answer: Answer): void {
		const now = Date.now();
		const t = this.tuning;
		const limited = answer.statusCode === 429;
		const named = limited ? limitsNamed(answer.reason, lanes) : [];
		if (limited && named.length === 0) {
			this.heldAt = now;
			this.holdUntil = Math.max(this.holdUntil, now + HOLD_MS);
		}
		// What share of what this process sent lately Stripe accepted, per limit.
		for (const id of ['', ...lanes.map((l) => l.id)]) {
			const limit = this.limits.get(id);
			if (!limit) continue;
			const decay = Math.exp(-Math.max(0, now - limit.answeredAt) / 1000);
			limit.ok *= decay;
			limit.refused *= decay;
			limit.answeredAt = now;
			if (named.includes(id)) limit.refused += 1;
			else if (!limited) limit.ok += 1;
		}
		for (const id of named) {
			const limit = this.limits.get(id);
			if (!limit) continue;
			// Sent before the last cut, or answered within a round of it: the same crowding, already
			// answered (the other processes meeting it need about a round to cut too).
			if (turn.at < limit.cutAt || now < limit.cutAt + t.roundMs) continue;
			// To 70 % (the first time, to half), or to what Stripe accepted of late if less (far over:
			// processes starting at once), but never below half at once.
			const accepted = limit.ok / (limit.ok + limit.refused);
			const decrease = limit.cutAt === -Infinity ? t.firstDecrease : t.decrease;
			const factor = Math.max(t.deepest, Math.min(decrease, accepted));
			limit.cutFrom = limit.rate;
			limit.rate = Math.max(t.floor, limit.ceiling * t.floorShare, limit.rate * factor);
			limit.cutAt = now;
		}
		if (limited) return;
		for (const id of turn.paced) {
			const limit = this.limits.get(id);
			if (!limit || limit.rate >= limit.ceiling) continue;
			// Only a pace in use: requests held back in a burst say nothing of what the account takes
			// (`ok` counts about the last second's accepted answers).
			if (limit.ok < t.inUse * limit.rate) continue;
			if (limit.cutAt === -Infinity) {
				// Slow start: by a share of itself per second (one success is 1/rate of a second).
				limit.rate = Math.min(limit.ceiling, limit.rate + t.slowStart);
				continue;
			}
			// Seconds without a 429, in doubling periods.
			const quiet = Math.max(0, (now - limit.cutAt) / 1000) / t.probeDoublingS;
			// Near the rate the last 429 cut: slowly, faster with the square of the quiet time (CUBIC's
			// plateau); elsewhere doubling every probeDoublingS seconds without a 429.
			const nearLastCut =
				limit.rate >= t.plateauBelow * limit.cutFrom && limit.rate < t.plateauAbove * limit.cutFrom;
			// Per second: a share of itself and a share of its ceiling (so that a deep cut is climbed out
			// of too).
			const perSecond =
				(t.probe * limit.rate + t.probeAdd * limit.ceiling) *
				(nearLastCut ? t.plateau * (1 + quiet ** 2) : 1 + quiet);
			// One success is 1/rate of a second at this pace.
			limit.rate = Math.min(limit.ceiling, limit.rate + perSecond / limit.rate);
		}
	}
}

const pacers = new Map<string, Pacer>();

/**
 * The shared pacer of a key in this process (found by a hash of it: the key itself is not kept),
 * for a share (percent) of the account's budget: 100 unless the credential says otherwise.
 */
export function pacerFor(apiKey: string, sharePercent = 100): Pacer {
	const mode: KeyMode =
		apiKey.startsWith('rk_live_') || apiKey.startsWith('sk_live_') ? 'live' : 'test';
	const share =
		Number.isFinite(sharePercent) && sharePercent > 0 ? Math.min(100, sharePercent) / 100 : 1;
	const id = `${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)} ${share}`;
	let pacer = pacers.get(id);
	if (!pacer) {
		pacer = new Pacer(PACE[mode], share);
		pacers.set(id, pacer);
	}
	return pacer;
}
