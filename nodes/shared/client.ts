/**
 * The one way Stripe Guard talks to Stripe: the official SDK, pinned API version, identified
 * as this package, with a timeout and retries that include 429, and `STRIPE_GUARD_API_BASE_URL`
 * for a local emulator.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NodeOperationError, type INode } from 'n8n-workflow';
import Stripe from 'stripe';

import type { StripeGuardCredentials } from './credentials';
import { pacerFor, type Pacer } from './rate-limit';

export const PACKAGE_NAME = 'n8n-nodes-stripe-guard';
export const API_BASE_ENV = 'STRIPE_GUARD_API_BASE_URL';

/**
 * Per-request timeout; Stripe answers reads in well under a second, lists of 100 in ~1 s.
 * STRIPE_GUARD_TIMEOUT_MS changes it (the fault tests use a short one; a slow network a longer one).
 */
const requestTimeoutMs = () => Number(process.env.STRIPE_GUARD_TIMEOUT_MS) || 30_000;
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

export interface ApiBase {
	host: string;
	port: number;
	protocol: 'http' | 'https';
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export type ApiBaseCheck = { ok: true; base?: ApiBase } | { ok: false; message: string };

/**
 * Reads `STRIPE_GUARD_API_BASE_URL` (unset: Stripe itself). Only loopback hosts are accepted,
 * so that a key can never be sent to a third party by a changed environment variable.
 */
export function checkApiBase(value = process.env[API_BASE_ENV]): ApiBaseCheck {
	if (!value) return { ok: true };
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return { ok: false, message: `${API_BASE_ENV} is not a URL: set it to e.g. http://127.0.0.1:12111, or unset it to use Stripe.` };
	}
	if (!LOOPBACK.test(url.hostname) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		return {
			ok: false,
			message: `${API_BASE_ENV} may only point at this machine (127.0.0.0/8, localhost or [::1]) over http or https, so that a Stripe key is never sent elsewhere. Unset it to use Stripe.`,
		};
	}
	const protocol = url.protocol === 'https:' ? 'https' : 'http';
	const base: ApiBase = {
		host: url.hostname.replace(/^\[|\]$/g, ''),
		port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
		protocol,
	};
	return { ok: true, base };
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

/** `base` comes from checkApiBase(); undefined means api.stripe.com. `maxPerSecond` lowers the pace. */
export function createStripeClient(credentials: StripeGuardCredentials, base?: ApiBase, maxPerSecond?: number): Stripe {
	return new Stripe(credentials.apiKey, {
		// The version the installed SDK pins, so its types describe what Stripe returns.
		apiVersion: Stripe.API_VERSION,
		appInfo: { name: PACKAGE_NAME, version: VERSION, url: 'https://www.npmjs.com/package/n8n-nodes-stripe-guard' },
		timeout: requestTimeoutMs(),
		maxNetworkRetries: MAX_NETWORK_RETRIES,
		httpClient: new PacedHttpClient(nodeHttpClient, credentials.apiKey, maxPerSecond),
		...(base ?? {}),
	});
}

/** The client a node uses: at the API base the environment sets, refused unless it is loopback. */
export function createNodeStripeClient(node: INode, credentials: StripeGuardCredentials, maxPerSecond?: number): Stripe {
	const api = checkApiBase();
	if (!api.ok) throw new NodeOperationError(node, api.message);
	return createStripeClient(credentials, api.base, maxPerSecond);
}
