/**
 * What every request to Stripe carries: where it goes, which API version it speaks, who sends it,
 * and how long and how often it may try.
 */

/** Always Stripe itself: tests reach their emulator as api.stripe.com (test/route-stripe.js). */
export const STRIPE_API_BASE = 'https://api.stripe.com';

/**
 * The one Stripe API version this package speaks: the version the `stripe` dev dependency pins (its
 * types and endpoint table describe these requests and answers; a test keeps the two equal).
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export const PACKAGE_NAME = 'n8n-nodes-stripe-guard';
/** Kept equal to package.json's version by a test (the package may not read files at run time). */
export const PACKAGE_VERSION = '0.1.0';
export const PACKAGE_URL = 'https://www.npmjs.com/package/n8n-nodes-stripe-guard';
/** How Stripe's request logs name this package. */
export const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION} (+${PACKAGE_URL})`;

/** Per request; Stripe answers reads in well under a second, lists of 100 in about one. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Retries after the first try, waiting 0.5, 0.5, 0.5–1 and 1–2 s (see
 * retryDelayMs): about 3 s in all, past a one-second rate-limit window.
 */
export const MAX_NETWORK_RETRIES = 4;
/**
 * Retries after a 429, counted apart: the pace is cut with each (pacer.ts), so a request that
 * meets a crowded account waits its turn again rather than fail; about half a minute in all.
 */
export const MAX_RATE_LIMITED_RETRIES = 10;
export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 5_000;

/** Stripe's largest page. */
export const PAGE_SIZE = 100;

/**
 * The pace: requests per second we allow ourselves, just below Stripe's limits (docs.stripe.com/
 * rate-limits: 100/s live and 25/s in a sandbox per account, 25/s per endpoint, 20/s for search),
 * times the credential's Account Share. Stripe counts per account, across every process and client
 * using it: each n8n process starts at these and adapts (pacer.ts).
 */
export const PACE = { live: 95, test: 24 } as const;
export const ENDPOINT_PACE = 24;
export const SEARCH_PACE = 19;
/**
 * After a 429, the limit it names is cut to this share of its rate (the first 429 a process meets
 * cuts to half: it has just learnt that others share the account), or to the share of what it sent
 * in the last second that Stripe accepted if less, but never below PACE_DEEPEST at once; once per
 * round: 429s of requests sent before the last cut, or answered within PACE_ROUND_MS of it, are
 * the same crowding (the other processes need about that long to meet it and cut too; cutting
 * again meanwhile would leave this one far below them, and unequal paces stay unequal for long).
 */
export const PACE_DECREASE = 0.7;
export const PACE_FIRST_DECREASE = 0.5;
export const PACE_DEEPEST = 0.5;
export const PACE_ROUND_MS = 1000;
/** Never below this share of its ceiling, nor below one request per two seconds. */
export const PACE_FLOOR_SHARE = 0.02;
export const PACE_FLOOR = 0.5;
/**
 * While requests succeed at the full pace, it climbs back by PACE_PROBE of itself and
 * PACE_PROBE_ADD of its ceiling per second, more the longer no 429 came: the climb doubles every
 * PACE_PROBE_DOUBLING_S seconds. Climbing mostly in proportion to itself keeps the account's 429s
 * few however many processes share it; the larger paces, which meet more of the 429s, give way to
 * the smaller ones; the part in proportion to the ceiling climbs out of deep cuts.
 */
export const PACE_PROBE = 0.005;
export const PACE_PROBE_ADD = 0.002;
export const PACE_PROBE_DOUBLING_S = 30;
/**
 * A key's new pace starts at PACE_START of its ceiling and, until its first 429, grows by
 * PACE_SLOW_START of itself per second while requests succeed at the full pace (slow start, as
 * TCP's): fresh processes starting together (queue-mode workers after a deploy) reach the
 * account's limit gradually, so their first 429s meet a small overshoot, not N times the limit.
 */
export const PACE_START = 0.3;
export const PACE_SLOW_START = 0.2;
/**
 * A pace grows (slow start or climb) only while in use: Stripe accepted at least this share of it
 * over about the last second. Held back in a burst alone, it has not been tried.
 */
export const PACE_IN_USE = 0.5;
/**
 * Near the rate where the last 429 came (from PACE_PLATEAU_BELOW to PACE_PLATEAU_ABOVE of it), the
 * climb is PACE_PLATEAU of the usual, growing with the square of the quiet time instead (as TCP's
 * CUBIC): the account's limit was met there, so each process lingers below it, and the processes
 * together meet it less often; past it (room has freed: a backend stopped) the usual climb resumes.
 */
export const PACE_PLATEAU_BELOW = 0.9;
export const PACE_PLATEAU_ABOVE = 1.05;
export const PACE_PLATEAU = 0.1;
