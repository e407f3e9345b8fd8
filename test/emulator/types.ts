/** Names shared by the emulator's parts and its users (tests, benchmarks, `npm start`). */
export type Mode = 'test' | 'live';
export type Access = 'none' | 'read' | 'write';
/** Permission groups as Stripe names them in rak_* codes (Prices are "plan"). */
export type PermissionGroup =
	| 'customer'
	| 'product'
	| 'plan'
	| 'subscription'
	| 'invoice'
	| 'charge'
	| 'refund'
	| 'payment_intent'
	| 'checkout_session'
	| 'balance'
	| 'balance_transaction_source'
	| 'payout'
	| 'event'
	| 'coupon'
	| 'dispute';
export type ObjectType =
	| 'customer'
	| 'product'
	| 'price'
	| 'subscription'
	| 'invoice'
	| 'invoiceitem'
	| 'line_item'
	| 'payment_intent'
	| 'charge'
	| 'refund'
	| 'balance_transaction'
	| 'payout'
	| 'checkout_session'
	| 'event'
	| 'dispute'
	| 'coupon'
	| 'discount'
	| 'invoice_payment';

export type StripeObject = Record<string, unknown> & {
	id: string;
	object: string;
	created?: number;
};

export interface KeyOptions {
	/** Default: `rk_<mode>_` + 32 random letters and digits. `sk_` keys may do everything. */
	key?: string;
	mode?: Mode;
	accountId?: string;
	/** 'read' / 'write' on every group, or per group (unlisted groups are 'none'). */
	permissions?: 'read' | 'write' | Partial<Record<PermissionGroup, Access>>;
	/** Which of Stripe's two 403 wordings this key gets. */
	permissionErrorStyle?: 'legacy' | 'modern';
	/** A limit of this key's own (requests/s), on top of Stripe's per account. */
	rateLimitPerSecond?: number;
}

export interface RequestLogEntry {
	id: string;
	time: number;
	method: string;
	path: string;
	query: Record<string, unknown>;
	body: Record<string, unknown>;
	/** Stripe's redaction of the key: prefix, *** and the last four characters. */
	keyHint: string;
	idempotencyKey?: string;
	stripeVersion?: string;
	userAgent?: string;
	/** The Host header: api.stripe.com when the client called Stripe and was routed here. */
	host?: string;
	stripeAccount?: string;
	/** The client's TCP port: which process sent it (the queue benchmark tells workers apart so). */
	remotePort?: number;
	status: number;
	/** Objects a list page returned (what the cost model charges per object). */
	objects?: number;
	replayed?: boolean;
	fault?: string;
	/** Why Stripe's definitions refuse this request (answered 400, or 404 for an unknown URL). */
	violation?: string;
	/** The limit a 429 was for: Stripe's global, per-endpoint or search limit, or the key's own. */
	rateLimited?: 'global-rate' | 'endpoint-rate' | 'search-rate' | 'key-rate';
}

/**
 * `drop_connection` closes the connection before the request is handled; `lost_answer` handles it
 * (a write is done) and then closes the connection instead of answering, as a client sees a
 * request whose answer came after its timeout.
 */
export type FaultKind =
	| 'rate_limit'
	| 'server_error'
	| 'drop_connection'
	| 'slow'
	| 'malformed_body'
	| 'lost_answer';

export interface FaultRule {
	kind: FaultKind;
	/** How many matching requests get the fault; default: all. */
	count?: number;
	method?: string;
	pathPrefix?: string;
	delayMs?: number;
	/** Let this many matching requests through first. */
	afterRequests?: number;
}

export interface StartOptions {
	port?: number;
	host?: string;
	seed?: 'demo' | 'none';
	latencyMs?: number;
	/**
	 * Added to `latencyMs` per object in a list's or
	 * search's `data`: 100 + 3 ms per object is Stripe-like.
	 */
	latencyPerObjectMs?: number;
	accountId?: string;
	/** Clock in milliseconds, for `created` and relative seed data. */
	now?: () => number;
	/**
	 * Stripe's rate limits per account and mode (default on): 100 requests/s live and 25/s in a
	 * sandbox, 25/s per endpoint (method and path template), 20/s for search. `false` turns them off.
	 */
	rateLimits?: boolean;
}
