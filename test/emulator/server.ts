/**
 * The emulator's HTTP side: authentication, request log, latency, injected faults, per-key rate
 * limits and idempotent replays, in front of the API in api.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parse as parseQs } from 'qs';

import { asArray, serialize, StripeApi } from './api';
import { StripeFailure } from './errors';
import { checkRequest, type ContractViolation } from './contract';
import { keyHint, type EmulatedKey } from './permissions';
import { RateLimiter, STRIPE_REASON } from './rate-limiter';
import type { Store } from './store';
import type { FaultRule, RequestLogEntry, StartOptions } from './types';

export const API_VERSION = '2026-10-28.endive';
const RATE_LIMIT_MESSAGE =
	'Request rate limit exceeded. Learn more about rate ' +
	'limits here https://stripe.com/docs/rate-limits.';
/**
 * The parameter of the credential test's write probe (nodes/shared/credentials/credential-test.ts).
 */
const WRITE_PROBE_PARAMETER = 'stripe_guard_write_probe';

interface StoredResponse {
	fingerprint: string;
	status: number;
	body: string;
}

interface ActiveFault extends FaultRule {
	seen: number;
	applied: number;
}

/**
 * The emulator's certificate for api.stripe.com (and localhost, 127.0.0.1), signed by the
 * throwaway test CA in test/tls. Found from here and from the compiled copy under .tmp/.
 */
function testCertificate(): { key: Buffer; cert: Buffer } {
	for (let dir = __dirname; ; dir = dirname(dir)) {
		const tls = join(dir, 'test/tls');
		if (existsSync(join(tls, 'server.crt')))
			return {
				key: readFileSync(join(tls, 'server.key')),
				cert: readFileSync(join(tls, 'server.crt')),
			};
		if (dirname(dir) === dir) throw new Error(`test/tls/server.crt not found above ${__dirname}`);
	}
}

export class EmulatorServer {
	readonly requests: RequestLogEntry[] = [];
	readonly keys = new Map<string, EmulatedKey>();
	latencyMs: number;
	/** Added per object a list or search returns: a full page costs Stripe more than one object. */
	latencyPerObjectMs: number;
	private faults: ActiveFault[] = [];
	private readonly idempotency = new Map<string, StoredResponse>();
	/** Stripe's limits per account (rate-limiter.ts), whoever calls: every key, process, client. */
	private readonly limiter: RateLimiter;
	/**
	 * Requests Stripe's definitions refuse, answered as
	 * Stripe would and kept for the suite to fail on.
	 */
	readonly violations: Array<ContractViolation & { request: string }> = [];
	private readonly sockets = new Set<Socket>();
	/**
	 * TLS handshakes since the last clear: full ones,
	 * and resumed sessions (cheaper, no key exchange).
	 */
	readonly tls = { full: 0, resumed: 0 };
	private server?: Server;
	private requestCounter = 0;

	constructor(
		private readonly store: Store,
		readonly api: StripeApi,
		options: StartOptions,
	) {
		this.latencyMs = options.latencyMs ?? 0;
		this.latencyPerObjectMs = options.latencyPerObjectMs ?? 0;
		this.limiter = new RateLimiter(options.rateLimits ?? true);
	}

	async listen(host: string, port: number): Promise<number> {
		const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
		this.server = createHttpsServer(testCertificate(), handler);
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.server.on('secureConnection', (socket: TLSSocket) => {
			if (socket.isSessionReused()) this.tls.resumed++;
			else this.tls.full++;
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(port, host, () => resolve());
		});
		const address = this.server.address();
		return typeof address === 'object' && address ? address.port : port;
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}

	addFault(rule: FaultRule): void {
		this.faults.push({ ...rule, seen: 0, applied: 0 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	clearIdempotency(): void {
		this.idempotency.clear();
	}

	private nextRequestId(): string {
		this.requestCounter += 1;
		return `req_${this.store.newId('', 10)}${this.requestCounter.toString(36)}`;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const received = Date.now();
		const body = await readBody(req);
		const url = new URL(req.url ?? '/', 'http://emulator');
		const header = (name: string) => {
			const v = req.headers[name];
			return Array.isArray(v) ? v[0] : v;
		};
		const method = (req.method ?? 'GET').toUpperCase();
		const query = parseQs(url.search.slice(1), { depth: 6, arrayLimit: 1000 }) as Record<
			string,
			unknown
		>;
		const form = parseQs(body, { depth: 6, arrayLimit: 1000 }) as Record<string, unknown>;
		const bearer = /^Bearer (.+)$/.exec(header('authorization') ?? '')?.[1]?.trim();
		const requestId = this.nextRequestId();
		const entry: RequestLogEntry = {
			id: requestId,
			time: received,
			method,
			path: url.pathname,
			query,
			body: form,
			keyHint: bearer ? keyHint(bearer) : '',
			idempotencyKey: header('idempotency-key'),
			stripeVersion: header('stripe-version'),
			userAgent: header('user-agent'),
			host: header('host'),
			stripeAccount: header('stripe-account'),
			remotePort: req.socket.remotePort,
			status: 0,
		};
		this.requests.push(entry);
		const version = header('stripe-version') ?? API_VERSION;
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'Request-Id': requestId,
			'Stripe-Version': version,
		};
		if (entry.idempotencyKey) headers['Idempotency-Key'] = entry.idempotencyKey;

		let loseAnswer = false;
		const send = async (
			status: number,
			text: string,
			extra: Record<string, string> = {},
			objects = 0,
		) => {
			const latency = this.latencyMs + this.latencyPerObjectMs * objects;
			if (latency > 0) await sleep(latency);
			entry.status = status;
			if (objects) entry.objects = objects;
			if (res.destroyed) return;
			if (loseAnswer) {
				req.socket.destroy();
				return;
			}
			res.writeHead(status, { ...headers, ...extra, 'Content-Length': Buffer.byteLength(text) });
			res.end(text);
		};
		const fail = (failure: StripeFailure) =>
			send(failure.status, JSON.stringify(failure.body(requestId)), failure.headers);

		const fault = this.matchFault(method, url.pathname);
		if (fault) {
			entry.fault = fault.kind;
			switch (fault.kind) {
				case 'rate_limit':
					return fail(
						new StripeFailure(429, 'invalid_request_error', RATE_LIMIT_MESSAGE, {
							code: 'rate_limit',
						}),
					);
				case 'server_error':
					return fail(
						new StripeFailure(
							500,
							'api_error',
							'An unknown error occurred while processing your request. Please try again.',
							{},
							{ 'Stripe-Should-Retry': 'true' },
						),
					);
				case 'drop_connection':
					entry.status = 0;
					req.socket.destroy();
					return;
				case 'malformed_body':
					return send(200, '{"object": "list", "data": [{"id": "cus_');
				case 'slow':
					await sleep(fault.delayMs ?? 2000);
					break;
				case 'lost_answer':
					loseAnswer = true;
					break;
			}
		}

		if (!bearer) {
			return fail(
				new StripeFailure(
					401,
					'invalid_request_error',
					'You did not provide an API key. You need to provide your API key in ' +
						"the Authorization header, using Bearer auth (e.g. 'Authorization: " +
						"Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication " +
						'for details, or we can help at https://support.stripe.com/.',
				),
			);
		}
		const key = this.keys.get(bearer);
		if (!key)
			return fail(
				new StripeFailure(
					401,
					'invalid_request_error',
					`Invalid API Key provided: ${keyHint(bearer)}`,
				),
			);
		if (key.revoked)
			return fail(
				new StripeFailure(
					401,
					'invalid_request_error',
					`Expired API Key provided: ${keyHint(bearer)}`,
					{ code: 'api_key_expired' },
				),
			);
		if (entry.stripeAccount && entry.stripeAccount !== key.accountId) {
			return fail(
				new StripeFailure(
					403,
					'invalid_request_error',
					`The provided key '${keyHint(bearer)}' does not have access ` +
						`to account '${entry.stripeAccount}' (or that account ` +
						'does not exist). Application access may have been revoked.',
					{ code: 'account_invalid' },
				),
			);
		}
		const limited = this.limiter.take({
			accountId: key.accountId,
			mode: key.mode,
			method,
			path: url.pathname,
			...(key.rateLimitPerSecond && {
				key: { id: key.key, limitPerSecond: key.rateLimitPerSecond },
			}),
		});
		if (limited) {
			entry.rateLimited = limited;
			return fail(
				new StripeFailure(
					429,
					'invalid_request_error',
					RATE_LIMIT_MESSAGE,
					{ code: 'rate_limit' },
					{ 'Stripe-Rate-Limited-Reason': STRIPE_REASON[limited] },
				),
			);
		}

		// Stripe's published definitions decide what a request may say, not our reading of them.
		const checkParams = () => {
			const violation = checkRequest({ method, path: url.pathname, query, body: form });
			if (!violation) return;
			entry.violation = violation.message;
			// The credential test's write probe names a parameter no endpoint has, on purpose, so that
			// Stripe refuses it as a whole (after the permission check): not a mistake of ours.
			if (violation.param !== WRITE_PROBE_PARAMETER)
				this.violations.push({ request: `${method} ${url.pathname}`, ...violation });
			const unknownUrl =
				violation.param === undefined && /^Unrecognized request URL/.test(violation.message);
			const code =
				violation.code ??
				(/^Received unknown parameter/.test(violation.message)
					? 'parameter_unknown'
					: /^Missing required param/.test(violation.message)
						? 'parameter_missing'
						: undefined);
			throw new StripeFailure(unknownUrl ? 404 : 400, 'invalid_request_error', violation.message, {
				...(violation.param !== undefined && { param: violation.param }),
				...(code && { code }),
			});
		};

		const isWrite = method === 'POST' || method === 'DELETE';
		// Stripe reads GET and DELETE parameters from the query string
		// (as the stripe SDK sends them), POST's from the body.
		const params = method === 'GET' || method === 'DELETE' ? query : form;
		const storeKey =
			isWrite && entry.idempotencyKey
				? `${key.accountId}:${key.mode}:${entry.idempotencyKey}`
				: undefined;
		const fingerprint = `${method} ${url.pathname} ${JSON.stringify(params)}`;
		if (storeKey) {
			const stored = this.idempotency.get(storeKey);
			if (stored && stored.fingerprint === fingerprint) {
				entry.replayed = true;
				return send(stored.status, stored.body, { 'Idempotent-Replayed': 'true' });
			}
			if (stored) {
				return fail(
					new StripeFailure(
						400,
						'idempotency_error',
						'Keys for idempotent requests can only be used with the same ' +
							'parameters they were first used with. Try using a key other than ' +
							`'${entry.idempotencyKey}' if you meant to execute a different request.`,
					),
				);
			}
		}

		let status: number;
		let text: string;
		let objects = 0;
		try {
			// As Stripe: the events a request causes name it (`request.id`, `request.idempotency_key`).
			this.store.request = { id: requestId, idempotency_key: entry.idempotencyKey ?? null };
			const result = this.api.handle({ method, path: url.pathname, params, key, checkParams });
			status = result.status;
			const data = (result.body as { data?: unknown } | null)?.data;
			if (Array.isArray(data)) objects = data.length;
			text = serialize(result.body, asArray(params.expand));
		} catch (error) {
			const failure =
				error instanceof StripeFailure
					? error
					: new StripeFailure(
							500,
							'api_error',
							`Emulator error: ${error instanceof Error ? error.message : String(error)}`,
						);
			status = failure.status;
			text = JSON.stringify(failure.body(requestId));
		}
		this.store.request = undefined;
		// Stripe stores the outcome of an idempotent request unless the server failed (5xx).
		if (storeKey && status < 500)
			this.idempotency.set(storeKey, { fingerprint, status, body: text });
		return send(status, text, {}, objects);
	}

	private matchFault(method: string, path: string): ActiveFault | undefined {
		for (const fault of this.faults) {
			if (fault.method && fault.method.toUpperCase() !== method) continue;
			if (fault.pathPrefix && !path.startsWith(fault.pathPrefix)) continue;
			fault.seen += 1;
			if (fault.seen <= (fault.afterRequests ?? 0)) continue;
			if (fault.applied >= (fault.count ?? Infinity)) continue;
			fault.applied += 1;
			return fault;
		}
		return undefined;
	}
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
