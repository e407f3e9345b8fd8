/**
 * Stripe's rate limits, as the emulator enforces them (docs.stripe.com/rate-limits): per account
 * and mode, whoever calls (every key of the account, every process, every client), 100 requests/s
 * live and 25/s in a sandbox; 25/s per endpoint (method and path template, from Stripe's endpoint
 * table); 20/s for search. Each limit is a token bucket, as Stripe describes its request rate
 * limiter (stripe.com/blog/rate-limiters): up to `limit` at once, refilled at `limit` per second.
 * A request over a limit is answered 429 with `Stripe-Rate-Limited-Reason` naming the limiter as
 * Stripe does: `global-rate` (the account's), `endpoint-rate` (the endpoint's), `resource-specific`
 * (a resource's own limit: search's). A key's own test limit (`rateLimitPerSecond`, the emulator's)
 * is reported as `global-rate`: for the client it is the budget of everything it sends.
 */
import { matchEndpoint } from './contract';
import type { RequestLogEntry } from './types';

/** Stripe's documented limits, requests per second. */
export const LIVE_LIMIT = 100;
export const SANDBOX_LIMIT = 25;
export const ENDPOINT_LIMIT = 25;
export const SEARCH_LIMIT = 20;

export type RateLimitReason = NonNullable<RequestLogEntry['rateLimited']>;

/** The `Stripe-Rate-Limited-Reason` Stripe sends for each of the emulator's limits. */
export const STRIPE_REASON: Record<RateLimitReason, string> = {
	'global-rate': 'global-rate',
	'endpoint-rate': 'endpoint-rate',
	'search-rate': 'resource-specific',
	'key-rate': 'global-rate',
};

export interface RateLimitedRequest {
	accountId: string;
	mode: 'test' | 'live';
	method: string;
	path: string;
	/** The emulator's own per-key limit, if the key has one. */
	key?: { id: string; limitPerSecond: number };
}

export class RateLimiter {
	private readonly buckets = new Map<string, { tokens: number; at: number }>();

	constructor(private readonly stripeLimits = true) {}

	reset(): void {
		this.buckets.clear();
	}

	/** Which limit this request is over (and takes nothing), or undefined (and takes one of each). */
	take(request: RateLimitedRequest, now = Date.now()): RateLimitReason | undefined {
		const limits: Array<{ id: string; limit: number; reason: RateLimitReason }> = [];
		if (request.key)
			limits.push({
				id: `key ${request.key.id}`,
				limit: request.key.limitPerSecond,
				reason: 'key-rate',
			});
		if (this.stripeLimits) {
			const account = `${request.accountId} ${request.mode}`;
			const endpoint = matchEndpoint(request.method, request.path)?.template ?? request.path;
			limits.push({
				id: account,
				limit: request.mode === 'live' ? LIVE_LIMIT : SANDBOX_LIMIT,
				reason: 'global-rate',
			});
			limits.push({
				id: `${account} ${request.method} ${endpoint}`,
				limit: ENDPOINT_LIMIT,
				reason: 'endpoint-rate',
			});
			if (endpoint.endsWith('/search'))
				limits.push({ id: `${account} search`, limit: SEARCH_LIMIT, reason: 'search-rate' });
		}
		const buckets = limits.map(({ id, limit }) => {
			const bucket = this.buckets.get(id) ?? { tokens: limit, at: now };
			// A clock that went back (a test's mocked Date.now restored) refills nothing and is
			// followed from there: Stripe's clock never jumps, so the limiter must not wait it out.
			bucket.tokens = Math.min(
				limit,
				bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit,
			);
			bucket.at = now;
			this.buckets.set(id, bucket);
			return bucket;
		});
		const over = buckets.findIndex((b) => b.tokens < 1);
		if (over >= 0) return limits[over].reason;
		for (const b of buckets) b.tokens -= 1;
		return undefined;
	}
}
