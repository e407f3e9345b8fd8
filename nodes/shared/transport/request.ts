/**
 * One Stripe request, start to finish: the pinned version and the package's User-Agent, form
 * encoding (in the query for GET and DELETE, in the body for POST), an idempotency key on every
 * POST and DELETE, the key's pace, retries with backoff and jitter, and the answer parsed or
 * turned into a StripeApiError.
 *
 * Retried: connection failures and timeouts, 409 (lock_timeout, or a request with the same
 * idempotency key still running), 429 and 5xx, and whatever Stripe marks `Stripe-Should-Retry:
 * true`; never what it marks `false`. A 429 also cuts the key's pace (pacer.ts) where its
 * `Stripe-Rate-Limited-Reason` points, and has a budget of retries of its own. Retries keep the
 * idempotency key, so a write that reached Stripe before its answer was lost is answered from
 * Stripe's record instead of made again.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from 'n8n-workflow';

import {
	INITIAL_RETRY_DELAY_MS,
	MAX_NETWORK_RETRIES,
	MAX_RATE_LIMITED_RETRIES,
	MAX_RETRY_DELAY_MS,
	STRIPE_API_VERSION,
	USER_AGENT,
} from './constants';
import { encodeParams, type StripeParams } from './encoding';
import { connectionError, errorFromAnswer, invalidJsonError, type StripeErrorBody } from './errors';
import type { Wire, WireResponse } from './http';
import { endpointOf } from './endpoint';
import { ENDPOINT_PACE, pacerFor, SEARCH_PACE, type Lane, type Pacer, type Turn } from './pacer';

export type StripeMethod = 'GET' | 'POST' | 'DELETE';

export interface RequestOptions {
	/** For writes that must happen once across re-runs (an approved proposal's); random otherwise. */
	idempotencyKey?: string;
	/**
	 * Asked when the pace lets the request leave: true means the caller
	 * no longer needs it (a read that stopped early), and it is not sent.
	 */
	unwanted?: () => boolean;
}

/** What a request that was no longer wanted when its turn came rejects with. */
export class UnwantedRequest extends Error {}

/** What the SDK called `lastResponse`: kept on every answer, out of sight of JSON and spreads. */
export interface LastResponse {
	statusCode: number;
	requestId?: string;
	headers: Record<string, string>;
}

export type WithLastResponse<T> = T & { readonly lastResponse: LastResponse };

export interface TransportSettings {
	wire: Wire;
	/** The key: only to find its shared pacer (by a hash) and its mode. */
	apiKey: string;
	/** The share (percent) of the account's rate budget this n8n may use; unset: 100. */
	accountShare?: number;
	baseUrl: string;
	timeoutMs: number;
	/** The node's own lower pace (requests per second), if any. */
	maxPerSecond?: number;
}

/** Error codes of a connection that failed or timed out before an answer came. */
const CONNECTION_CODES = new Set([
	'ECONNABORTED',
	'ECONNREFUSED',
	'ECONNRESET',
	'EHOSTUNREACH',
	'ENETDOWN',
	'ENETUNREACH',
	'EPIPE',
	'ETIMEDOUT',
	'EAI_AGAIN',
	'ENOTFOUND',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The failure below n8n's wrapping: an axios error, found through `cause`. */
function connectionFailure(error: unknown): { timedOut: boolean } | undefined {
	const seen = new Set<unknown>();
	for (
		let e = error as
			| {
					code?: unknown;
					message?: unknown;
					isAxiosError?: unknown;
					response?: unknown;
					cause?: unknown;
			  }
			| undefined;
		e && typeof e === 'object' && !seen.has(e);
		e = e.cause as typeof e
	) {
		seen.add(e);
		if (e.code === 'ERR_CANCELED') return undefined;
		const code = typeof e.code === 'string' ? e.code : '';
		if (CONNECTION_CODES.has(code) || (e.isAxiosError === true && !e.response)) {
			return {
				timedOut:
					code === 'ECONNABORTED' ||
					code === 'ETIMEDOUT' ||
					/timeout/i.test(String(e.message ?? '')),
			};
		}
	}
	return undefined;
}

function shouldRetry(response: WireResponse): boolean {
	const advice = response.headers['stripe-should-retry'];
	if (advice === 'false') return false;
	if (advice === 'true') return true;
	return response.statusCode === 409 || response.statusCode === 429 || response.statusCode >= 500;
}

/**
 * The wait before a retry, as the stripe SDK waits: 0.25 s doubling per retry made (up to 5 s),
 * jittered to between half and all of it, and never under 0.5 s: 0.5, 0.5, 0.5–1, 1–2 s.
 */
export function retryDelayMs(retriesMade: number): number {
	const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** (retriesMade - 1), MAX_RETRY_DELAY_MS);
	return Math.max(INITIAL_RETRY_DELAY_MS, base * 0.5 * (1 + Math.random()));
}

export class Transport {
	private readonly pacer: Pacer;

	constructor(private readonly settings: TransportSettings) {
		this.pacer = pacerFor(settings.apiKey, settings.accountShare);
	}

	/** `path` starts with /v1/; `params` go into the query (GET, DELETE) or the body (POST). */
	async request<T extends object>(
		method: StripeMethod,
		path: string,
		params?: StripeParams | null,
		options: RequestOptions = {},
	): Promise<WithLastResponse<T>> {
		const { wire, baseUrl, timeoutMs, maxPerSecond } = this.settings;
		const encoded = encodeParams(params);
		const inQuery = method !== 'POST';
		const headers: Record<string, string> = {
			Accept: 'application/json',
			'Stripe-Version': STRIPE_API_VERSION,
			'User-Agent': USER_AGENT,
		};
		if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
		if (method !== 'GET')
			headers['Idempotency-Key'] = options.idempotencyKey ?? `stripe-guard-${randomUUID()}`;
		const url = `${baseUrl}${path}${inQuery && encoded ? `?${encoded}` : ''}`;
		// Besides the key's limit, each request counts against
		// its endpoint's, and a search against search's.
		const endpoint = endpointOf(method, path);
		const lanes: Lane[] = [
			{ id: endpoint, rate: ENDPOINT_PACE },
			...(endpoint.endsWith('/search') ? [{ id: 'search', rate: SEARCH_PACE }] : []),
		];

		// A 429 is Stripe asking the account to slow down, not a failure: the pace has just been cut
		// (pacer.ts), and the request waits its turn again. Those retries have a budget of their own.
		for (let retries = 0, rateLimited = 0; ; ) {
			const last = retries >= MAX_NETWORK_RETRIES;
			let turn: Turn | undefined;
			const send = (t: Turn) => {
				turn = t;
				return options.unwanted?.()
					? Promise.reject(new UnwantedRequest('No longer wanted'))
					: wire.send({ method, url, headers, ...(inQuery ? {} : { body: encoded }), timeoutMs });
			};
			const outcome = await this.pacer.run(send, maxPerSecond, lanes).then(
				(response) => ({ response }),
				(error: unknown) => ({ error, failure: connectionFailure(error) }),
			);
			if ('error' in outcome) {
				// Anything but a failed connection is n8n's own error (its helper's NodeApiError, a missing
				// credential): it goes on unchanged, and the node maps it with toNodeError like any other.
				if (!outcome.failure) throw outcome.error;
				if (last || wire.cancelled())
					throw connectionError(outcome.failure.timedOut, timeoutMs, retries);
				await sleep(retryDelayMs(retries++ + rateLimited));
				continue;
			}
			const { response } = outcome;
			if (turn)
				this.pacer.answered(turn, lanes, {
					statusCode: response.statusCode,
					reason: response.headers['stripe-rate-limited-reason'],
				});
			// The backoff grows with every retry made, whatever its cause.
			const delay = () => sleep(retryDelayMs(retries + rateLimited));
			if (response.statusCode === 429 && shouldRetry(response)) {
				if (rateLimited < MAX_RATE_LIMITED_RETRIES && !wire.cancelled()) {
					await delay();
					rateLimited++;
					continue;
				}
			} else if (!last && !wire.cancelled() && shouldRetry(response)) {
				await delay();
				retries++;
				continue;
			}
			return parseAnswer<T>(response);
		}
	}
}

function parseAnswer<T extends object>(response: WireResponse): WithLastResponse<T> {
	const { statusCode, headers } = response;
	let json: unknown;
	try {
		json = JSON.parse(response.body);
	} catch {
		throw invalidJsonError(statusCode, headers);
	}
	if (!json || typeof json !== 'object') throw invalidJsonError(statusCode, headers);
	const error = (json as { error?: StripeErrorBody | string }).error;
	if (statusCode >= 400 || error) {
		const body: StripeErrorBody =
			typeof error === 'object' && error
				? error
				: {
						message: typeof error === 'string' ? error : `Stripe answered with HTTP ${statusCode}`,
					};
		throw errorFromAnswer(statusCode, body, headers);
	}
	const lastResponse: LastResponse = { statusCode, requestId: headers['request-id'], headers };
	Object.defineProperty(json, 'lastResponse', { value: lastResponse, enumerable: false });
	return json as WithLastResponse<T>;
}
