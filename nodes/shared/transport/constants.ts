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
export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 5_000;

/** Stripe's largest page. */
export const PAGE_SIZE = 100;
