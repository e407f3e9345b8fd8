/**
 * The one door to Stripe. Every request of every node, the trigger, the approval and the
 * credential test goes through here: n8n's HTTP helpers with the credential's Bearer header, the
 * pinned API version, Stripe's form encoding, idempotency keys, the key's pace, retries with
 * backoff, paging, and Stripe's errors as StripeApiError.
 */
import type { ICredentialTestFunctions } from 'n8n-workflow';

import type { StripeGuardCredentials } from '../credentials/credentials';
import { createClient, type StripeClient } from './client';
import { DEFAULT_TIMEOUT_MS, STRIPE_API_BASE } from './constants';
import { credentialTestWire, n8nWire, type HttpContext } from './http';
import { Transport } from './request';

export type { StripeClient } from './client';
export {
	DEFAULT_TIMEOUT_MS,
	STRIPE_API_BASE,
	STRIPE_API_VERSION,
	PACKAGE_NAME,
	PACKAGE_VERSION,
	USER_AGENT,
	PAGE_SIZE,
} from './constants';
export { encodeParams, type StripeParams } from './encoding';
export { isStripeApiError, StripeApiError, type StripeErrorType } from './errors';
export { ListRequest, type StripeList, type StripeSearchResult } from './paging';
export { compareRank, type Rank } from './windows';
export type { LastResponse, RequestOptions, StripeMethod, WithLastResponse } from './request';
export type * from './types';

export interface ClientOptions {
	/** The node's own lower pace (requests per second); 0 or unset: just under Stripe's limits. */
	maxPerSecond?: number;
	/** Per request; unset: 30 s. */
	timeoutMs?: number;
	/** Long lists in windows of `created`, several pages at once (default on). */
	parallelReading?: boolean;
}

/**
 * The client of a node's execution, webhook or poll:
 * requests through `httpRequestWithAuthentication`.
 */
export function createStripeClient(
	fn: HttpContext,
	credentials: StripeGuardCredentials,
	options: ClientOptions = {},
): StripeClient {
	return createClient(
		new Transport({
			wire: n8nWire(fn),
			apiKey: credentials.apiKey,
			accountShare: credentials.accountShare,
			baseUrl: STRIPE_API_BASE,
			timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			maxPerSecond: options.maxPerSecond,
		}),
		{ parallelReading: options.parallelReading },
	);
}

/**
 * The client of the credential test, which n8n runs without
 * a node: the same transport over `helpers.request`.
 */
export function createCredentialTestClient(
	ctx: ICredentialTestFunctions,
	credentials: StripeGuardCredentials,
): StripeClient {
	return createClient(
		new Transport({
			wire: credentialTestWire(ctx, credentials.apiKey),
			apiKey: credentials.apiKey,
			accountShare: credentials.accountShare,
			baseUrl: STRIPE_API_BASE,
			timeoutMs: DEFAULT_TIMEOUT_MS,
		}),
	);
}
