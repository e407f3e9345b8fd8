/**
 * The one way Stripe Guard talks to Stripe: the official SDK, pinned API version, identified
 * as this package, with a timeout and retries that include 429. Always https://api.stripe.com.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NodeOperationError, type INode } from 'n8n-workflow';
import Stripe from 'stripe';

import type { StripeGuardCredentials } from './credentials';
import { pacerFor, type Pacer } from './rate-limit';

export const PACKAGE_NAME = 'n8n-nodes-stripe-guard';

/**
 * Per-request timeout; Stripe answers reads in well under a second, lists of 100 in ~1 s.
 * The node's Request Timeout (Seconds) changes it; the approval node and the trigger use this.
 */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Backoff 0.5, 1, 2, 4 s (with jitter): long enough to ride out a one-second rate-limit window. */
const MAX_NETWORK_RETRIES = 4;

/**
 * Every request of a client goes through here: it waits for its turn on the key's pacer (see
 * rate-limit.ts), and a 429 pauses the pacer. The SDK retries connection errors, 409 and 5xx but
 * not 429 unless Stripe adds `Stripe-Should-Retry: true`; 429s are marked that way so the SDK's
 * own backoff, retry budget and idempotency-key reuse apply to them too.
 */
class PacedHttpClient extends Stripe.HttpClient {
	private readonly pacer: Pacer;
	private readonly searchPacer: Pacer;

	constructor(
		private readonly inner: InstanceType<typeof Stripe.HttpClient>,
		apiKey: string,
		/** The node's lower pace, if any (requests per second). */
		private readonly cap?: number,
	) {
		super();
		this.pacer = pacerFor(apiKey, 'all');
		this.searchPacer = pacerFor(apiKey, 'search');
	}

	getClientName(): string {
		return this.inner.getClientName();
	}

	async makeRequest(
		...args: Parameters<InstanceType<typeof Stripe.HttpClient>['makeRequest']>
	): ReturnType<InstanceType<typeof Stripe.HttpClient>['makeRequest']> {
		const path = args[2];
		const search = /\/search(\?|$)/.test(path);
		await this.pacer.take(this.cap);
		if (search) await this.searchPacer.take(this.cap);
		const response = await this.inner.makeRequest(...args);
		const headers = response.getHeaders() as Record<string, string | undefined>;
		if (response.getStatusCode() === 429) {
			(search ? this.searchPacer : this.pacer).pause();
			if (headers['stripe-should-retry'] === undefined) headers['stripe-should-retry'] = 'true';
		}
		return response;
	}
}

function packageVersion(): string {
	// Works from the TypeScript sources and from dist/: walk up to this package's package.json.
	for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
		try {
			const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
			if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
		} catch {
			// no package.json at this level
		}
	}
	return '0.0.0';
}

const VERSION = packageVersion();
/** One connection pool for every client; each client paces its own key. */
const nodeHttpClient = Stripe.createNodeHttpClient();

/** `maxPerSecond` lowers the pace; `timeoutSeconds` is per request. */
export function createStripeClient(credentials: StripeGuardCredentials, maxPerSecond?: number, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Stripe {
	return new Stripe(credentials.apiKey, {
		// The version the installed SDK pins, so its types describe what Stripe returns.
		apiVersion: Stripe.API_VERSION,
		appInfo: { name: PACKAGE_NAME, version: VERSION, url: 'https://www.npmjs.com/package/n8n-nodes-stripe-guard' },
		timeout: Math.round(timeoutSeconds * 1000),
		maxNetworkRetries: MAX_NETWORK_RETRIES,
		httpClient: new PacedHttpClient(nodeHttpClient, credentials.apiKey, maxPerSecond),
	});
}

/** The client a node uses; a timeout that is not a positive number of seconds is refused. */
export function createNodeStripeClient(node: INode, credentials: StripeGuardCredentials, maxPerSecond?: number, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Stripe {
	if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
		throw new NodeOperationError(node, `Request Timeout (Seconds) must be a number of seconds above 0, not ${String(timeoutSeconds)}`);
	}
	return createStripeClient(credentials, maxPerSecond, timeoutSeconds);
}
