/**
 * A small stateful Stripe on 127.0.0.1 for tests, benchmarks and the offline `npm start`:
 * Stripe's object shapes, list/search semantics, restricted-key permissions and their 403s,
 * test and live mode, idempotent replays, rate limits and switchable faults.
 *
 * It serves HTTPS with a certificate for api.stripe.com from the test CA in test/tls. Clients
 * reach it as https://api.stripe.com through test/route-stripe.js (the product knows no other
 * address), or at `url` with NODE_EXTRA_CA_CERTS=test/tls/ca.crt.
 */
import type { ContractViolation } from './contract';
import { StripeApi } from './api';
import { makeKey } from './permissions';
import { seedDemo } from './seed';
import { EmulatorServer } from './server';
import { Store } from './store';
import type {
	FaultRule,
	KeyOptions,
	Mode,
	ObjectType,
	RequestLogEntry,
	StartOptions,
	StripeObject,
} from './types';

export type * from './types';

export interface StripeEmulator {
	/** https://127.0.0.1:port */
	readonly url: string;
	readonly host: string;
	readonly port: number;
	readonly accountId: string;
	/** Created at start: read-only and read-write restricted keys per mode. */
	readonly keys: { testRead: string; testWrite: string; liveRead: string; liveWrite: string };
	addKey(opts: KeyOptions): string;
	/** The key then gets 401 "Expired API Key provided". */
	revokeKey(key: string): void;
	/** A base per request, plus `perObjectMs` per object a list or search returns. */
	setLatency(ms: number, perObjectMs?: number): void;
	addFault(rule: FaultRule): void;
	clearFaults(): void;
	readonly requests: RequestLogEntry[];
	/**
	 * Requests Stripe's published definitions refuse (test/emulator/contract), answered as Stripe
	 * answers them. `stop()` fails while any is left: a test that sends one on purpose takes it.
	 */
	readonly violations: ReadonlyArray<ContractViolation & { request: string }>;
	takeViolations(): Array<ContractViolation & { request: string }>;
	/** TLS handshakes clients made (full, and resumed sessions); cleared with the requests. */
	readonly tlsHandshakes: { readonly full: number; readonly resumed: number };
	clearRequests(): void;
	/**
	 * Inserts an object directly (no HTTP, no log entry); defaults come from Stripe's example object.
	 */
	create<T extends Record<string, unknown> = StripeObject>(
		type: ObjectType,
		mode: Mode,
		fields?: Record<string, unknown>,
	): T;
	createMany(
		type: ObjectType,
		mode: Mode,
		count: number,
		fields?: (i: number) => Record<string, unknown>,
	): void;
	get(type: ObjectType, mode: Mode, id: string): StripeObject | undefined;
	list(type: ObjectType, mode: Mode): StripeObject[];
	/** Drops all objects, requests, idempotency records and faults; keys stay. */
	reset(): void;
	stop(): Promise<void>;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|::1)$/;

export async function startEmulator(options: StartOptions = {}): Promise<StripeEmulator> {
	const host = options.host ?? '127.0.0.1';
	if (!LOOPBACK.test(host))
		throw new Error(`The Stripe emulator only binds loopback addresses, not ${host}`);
	const accountId = options.accountId ?? 'acct_1EmuStripeGuard01';
	const store = new Store(options.now ?? Date.now);
	const api = new StripeApi(store);
	const server = new EmulatorServer(store, api, options);
	const addKey = (opts: KeyOptions) => {
		const key = makeKey(opts, { accountId, newSecret: () => store.newId('', 32) });
		server.keys.set(key.key, key);
		return key.key;
	};
	const keys = {
		testRead: addKey({ mode: 'test', permissions: 'read' }),
		testWrite: addKey({ mode: 'test', permissions: 'write' }),
		liveRead: addKey({ mode: 'live', permissions: 'read' }),
		liveWrite: addKey({ mode: 'live', permissions: 'write' }),
	};
	if (options.seed === 'demo') {
		seedDemo(store, 'test');
		seedDemo(store, 'live');
	}
	const port = await server.listen(host, options.port ?? 0);
	const urlHost = host.includes(':') ? `[${host}]` : host;

	return {
		url: `https://${urlHost}:${port}`,
		host,
		port,
		accountId,
		keys,
		addKey,
		revokeKey(key) {
			const found = server.keys.get(key);
			if (found) found.revoked = true;
		},
		setLatency(ms, perObjectMs = 0) {
			server.latencyMs = ms;
			server.latencyPerObjectMs = perObjectMs;
		},
		addFault: (rule) => server.addFault(rule),
		clearFaults: () => server.clearFaults(),
		requests: server.requests,
		tlsHandshakes: server.tls,
		violations: server.violations,
		takeViolations: () => server.violations.splice(0),
		clearRequests() {
			server.requests.length = 0;
			server.tls.full = 0;
			server.tls.resumed = 0;
		},
		create: <T>(type: ObjectType, mode: Mode, fields?: Record<string, unknown>) =>
			store.create(type, mode, fields) as unknown as T,
		createMany(type, mode, count, fields) {
			const objects = Array.from({ length: count }, (_, i) => store.build(type, mode, fields?.(i)));
			objects.sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
			for (const o of objects) store.insert(type, mode, o);
		},
		get: (type, mode, id) => store.get(type, mode, id),
		list: (type, mode) => [...store.all(type, mode)].reverse(),
		reset() {
			store.reset();
			api.sessionLines.clear();
			server.requests.length = 0;
			server.clearFaults();
			server.clearIdempotency();
		},
		async stop() {
			await server.close();
			if (server.violations.length > 0) {
				const list = server.violations
					.splice(0)
					.map((v) => `  ${v.request}: ${v.message}${v.param ? ` (param ${v.param})` : ''}`);
				throw new Error(
					`The Stripe emulator received ${list.length} request(s) ` +
						`that Stripe's published definitions refuse:\n${list.join('\n')}`,
				);
			}
		},
	};
}
