/**
 * `npm run bench:queue`: one Stripe rate budget shared by n8n's queue-mode workers.
 * A real n8n in queue mode (PostgreSQL and Redis from Debian's packages on 127.0.0.1, as
 * `npm run start:queue` starts them), with 1, 2 and 4 workers under the same load: CLIENTS
 * callers, each running one execution after another (a list of every customer, gets of 20
 * customers, an MRR report, in turn) through webhooks, for SECONDS seconds. Stripe is the emulator,
 * which enforces Stripe's account limits across processes (25 requests/s in a sandbox, 25/s per
 * endpoint, 20/s for search) and names them in `Stripe-Rate-Limited-Reason`. Then the same with a
 * "backend": another client of the account, with a key of its own, sending half of the account's
 * budget (12.5 requests/s) beside n8n and not adapting.
 * Prints, per phase: objects/s and requests/s (accepted, against the limit), 429s (and the share of
 * requests), retries, p50/p95 time per execution, failed executions; its log line per phase also
 * has a timeline (per 10 s: accepted requests/s and 429s); then, per worker, its accepted
 * requests/s and 429s. A benchmark: it asserts nothing.
 */
'use strict';
const https = require('node:https');
const { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const runtime = require('../scripts/n8n-runtime');
const queue = require('../scripts/queue-mode');
const { CA_PATH } = require('../test/route-stripe');

const WORKER_COUNTS = (process.env.BENCH_QUEUE_WORKERS || '1,2,4').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_QUEUE_SECONDS || 60);
const CLIENTS = Number(process.env.BENCH_QUEUE_CLIENTS || 16);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 100);
const PER_OBJECT_MS = Number(process.env.BENCH_PER_OBJECT_MS || 1);
const CUSTOMERS = Number(process.env.BENCH_QUEUE_CUSTOMERS || 1500);
const SUBSCRIPTIONS = Number(process.env.BENCH_QUEUE_SUBSCRIPTIONS || 600);
/** The backend's share of the account's budget (0 skips that phase). */
const BACKEND_SHARE = Number(process.env.BENCH_QUEUE_BACKEND ?? 0.5);
/** Workers of the backend phase. */
const BACKEND_WORKERS = Number(process.env.BENCH_QUEUE_BACKEND_WORKERS || 4);
/** Stripe's sandbox limit, requests/s per account. */
const LIMIT = 25;
/** The first seconds of a phase, when its new workers meet each other, are also shown apart. */
const WARM_UP_S = 10;
/** Ports nothing else here uses (the main's task broker takes main + 1000). */
const PORTS = { main: 5720, postgres: 55456, redis: 56403 };
const WORKERS = [1, 2, 3, 4].map((i) => ({
	healthPort: 5720 + i,
	brokerPort: 5730 + i,
}));
const CREDENTIAL = { id: 'benchQueueCred001', name: 'Stripe Guard (bench)' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const guard = (name, parameters, position) => ({
	id: `node-${name.toLowerCase().replace(/\W+/g, '-')}`,
	name,
	type: 'n8n-nodes-stripe-guard.stripeGuard',
	typeVersion: 1,
	position,
	parameters,
	credentials: { stripeRestrictedKeyApi: CREDENTIAL },
});
const hook = (path) => ({
	id: `node-hook-${path}`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `${path}-0000-4000-8000-000000000000`.slice(0, 36),
	parameters: {
		httpMethod: 'POST',
		path,
		responseMode: 'lastNode',
		responseData: 'firstEntryJson',
		options: {},
	},
});
const chain = (...names) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

const LOADS = [
	{
		label: 'list customers',
		path: 'bench-queue-list',
		nodes: [
			hook('bench-queue-list'),
			guard(
				'List',
				{ resource: 'customer', operation: 'list', returnAll: true, maxRows: 100000 },
				[220, 0],
			),
		],
		connections: chain('Webhook', 'List'),
		body: () => ({}),
	},
	{
		label: 'get 20 customers',
		path: 'bench-queue-get',
		nodes: [
			hook('bench-queue-get'),
			{
				id: 'node-split',
				name: 'Split',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.ids', options: {} },
			},
			guard(
				'Get',
				{ resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
				[440, 0],
			),
		],
		connections: chain('Webhook', 'Split', 'Get'),
		body: (ids) => ({
			ids: Array.from({ length: 20 }, () => ({
				id: ids[Math.floor(Math.random() * ids.length)],
			})),
		}),
	},
	{
		label: 'MRR report',
		path: 'bench-queue-mrr',
		nodes: [
			hook('bench-queue-mrr'),
			guard('MRR', { resource: 'report', operation: 'mrr', includeTable: false }, [220, 0]),
		],
		connections: chain('Webhook', 'MRR'),
		body: () => ({}),
	},
];

/** A client of the account besides n8n, at a fixed pace, not adapting; its 429s are its own. */
function startBackend(emulator, key, perSecond) {
	const ca = readFileSync(CA_PATH);
	let running = true;
	const stats = { sent: 0, ok: 0, limited: 0 };
	const one = () =>
		new Promise((resolve) => {
			const req = https.request(
				{
					host: '127.0.0.1',
					port: emulator.port,
					servername: 'api.stripe.com',
					ca,
					path: '/v1/charges?limit=1',
					headers: { Authorization: `Bearer ${key}`, Host: 'api.stripe.com' },
					agent: false,
					timeout: 30_000,
				},
				(res) => {
					res.resume();
					res.on('end', () => {
						if (res.statusCode === 429) stats.limited++;
						else if (res.statusCode === 200) stats.ok++;
						resolve();
					});
				},
			);
			req.on('error', () => resolve());
			req.on('timeout', () => req.destroy());
			req.end();
		});
	const done = (async () => {
		const started = Date.now();
		// Bounded: at most an hour of it.
		for (let i = 0; running && i < perSecond * 3600; i++) {
			stats.sent++;
			void one();
			const next = started + ((i + 1) * 1000) / perSecond;
			await sleep(Math.max(0, next - Date.now()));
		}
	})();
	return {
		stats,
		stop: async () => {
			running = false;
			await done;
		},
	};
}

/** CLIENTS callers, one execution after another for SECONDS seconds; resolves with each run. */
async function runLoad(mainUrl, ids) {
	const runs = [];
	const end = Date.now() + SECONDS * 1000;
	await Promise.all(
		Array.from({ length: CLIENTS }, async (_, c) => {
			for (let i = c; Date.now() < end; i++) {
				const load = LOADS[i % LOADS.length];
				const started = Date.now();
				let ok = false;
				let detail = '';
				try {
					const res = await fetch(`${mainUrl}/webhook/${load.path}`, {
						method: 'POST',
						headers: { 'Content-Type': 'application/json' },
						body: JSON.stringify(load.body(ids)),
						signal: AbortSignal.timeout(300_000),
					});
					const text = await res.text();
					ok = res.status === 200;
					if (!ok) detail = `${res.status} ${text.slice(0, 200)}`;
				} catch (error) {
					detail = String(error?.message ?? error);
				}
				runs.push({ load: load.label, started, ms: Date.now() - started, ok, detail });
			}
		}),
	);
	return runs;
}

const percent = (part, whole) => `${((100 * part) / Math.max(1, whole)).toFixed(2)} %`;

const quantile = (values, q) => {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/**
 * Which worker sent which request: the emulator logs each request's client port, and this samples
 * every 50 ms which of the workers' sockets (Linux's /proc: their descriptors, and the TCP table)
 * are connected to the emulator, from which ports. Connections are kept alive, so nearly all are
 * seen; a request from a port never seen counts for no worker.
 */
function watchWorkerPorts(workers, emulatorPort) {
	const portOf = new Map();
	const sample = () => {
		const inodes = new Map();
		workers.forEach((w, i) => {
			try {
				for (const fd of readdirSync(`/proc/${w.child.pid}/fd`)) {
					const link = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${w.child.pid}/fd/${fd}`));
					if (link) inodes.set(link[1], i);
				}
			} catch {
				// Gone, or a descriptor closed while read: the next sample sees it.
			}
		});
		for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
			let text = '';
			try {
				text = readFileSync(table, 'utf8');
			} catch {
				continue;
			}
			for (const line of text.split('\n').slice(1)) {
				const f = line.trim().split(/\s+/);
				if (f.length < 10) continue;
				const local = parseInt(f[1].split(':').pop(), 16);
				const remote = parseInt(f[2].split(':').pop(), 16);
				const worker = inodes.get(f[9]);
				if (remote === emulatorPort && worker !== undefined) portOf.set(local, worker);
			}
		}
	};
	const timer = setInterval(sample, 50);
	return {
		portOf,
		stop() {
			clearInterval(timer);
			sample();
		},
	};
}

/** Per worker: accepted requests/s over the load and 429s (and requests no sample attributed). */
function perWorker(ours, workerCount, portOf, loadEnd) {
	const rows = Array.from({ length: workerCount }, () => ({ ok: 0, limited: 0 }));
	let unknown = 0;
	for (const r of ours) {
		const w = portOf.get(r.remotePort);
		if (w === undefined) {
			unknown++;
			continue;
		}
		if (r.status === 429) rows[w].limited++;
		else if (r.status !== 0 && r.time <= loadEnd) rows[w].ok++;
	}
	return {
		workers: rows.map((r) => `${(r.ok / SECONDS).toFixed(1)}/s ${r.limited}`).join(', '),
		unattributed: unknown,
	};
}

/** The backend's requests: the only ones to /v1/charges here. */
const isBackend = (r) => r.path === '/v1/charges';

/**
 * Rates over the load's SECONDS (callers keep executions coming), counts (requests, 429s) over the
 * whole phase, up to the last execution's answer.
 */
function summarise(label, emulator, from, to, runs, workerCount, portOf) {
	const inPhase = emulator.requests.filter((r) => r.time >= from && r.time <= to);
	const loadEnd = from + SECONDS * 1000;
	const all = inPhase.filter((r) => r.time <= loadEnd);
	const ours = inPhase.filter((r) => !isBackend(r));
	const backend = all.filter(isBackend);
	const seconds = SECONDS;
	const accepted = (rs) => rs.filter((r) => r.status !== 429 && r.status !== 0);
	const limited = ours.filter((r) => r.status === 429);
	const oursInLoad = all.filter((r) => !isBackend(r));
	const objects = accepted(oursInLoad).reduce(
		(n, r) => n + (r.objects ?? (r.status === 200 ? 1 : 0)),
		0,
	);
	const warm = ours.filter((r) => r.time >= from + WARM_UP_S * 1000);
	const warmLimited = warm.filter((r) => r.status === 429).length;
	const reasons = {};
	for (const r of limited) reasons[r.rateLimited] = (reasons[r.rateLimited] ?? 0) + 1;
	const ms = runs.filter((r) => r.ok).map((r) => r.ms);
	const perLoad = Object.fromEntries(
		LOADS.map((l) => [
			l.label,
			quantile(
				runs.filter((r) => r.ok && r.load === l.label).map((r) => r.ms),
				0.95,
			),
		]),
	);
	const failed = runs.filter((r) => !r.ok);
	const total = accepted(all).length / seconds;
	return {
		label,
		seconds: +((to - from) / 1000).toFixed(1),
		executions: runs.length,
		failed: failed.length,
		failures: [...new Set(failed.map((f) => f.detail))].slice(0, 3),
		objectsPerS: +(objects / seconds).toFixed(1),
		oursPerS: +(accepted(oursInLoad).length / seconds).toFixed(2),
		backendPerS: +(accepted(backend).length / seconds).toFixed(2),
		accountPerS: +total.toFixed(2),
		ofLimit: `${((100 * total) / LIMIT).toFixed(1)} %`,
		requests: ours.length,
		limited: limited.length,
		limitedShare: `${((100 * limited.length) / Math.max(1, ours.length)).toFixed(2)} %`,
		afterWarmUp: `${warmLimited} of ${warm.length} (${percent(warmLimited, warm.length)})`,
		reasons,
		// Every 429 of ours is retried (its own budget of ten), nothing else failed here.
		retries: limited.length + ours.filter((r) => r.status >= 500 || r.status === 0).length,
		p50: quantile(ms, 0.5),
		p95: quantile(ms, 0.95),
		p95PerLoad: perLoad,
		backendLimited: backend.filter((r) => r.status === 429).length,
		// Per worker: accepted requests/s and 429s; requests from ports no sample saw.
		...perWorker(ours, workerCount, portOf, loadEnd),
		// Per 10 s of the phase: n8n's accepted requests/s and 429s (where in the run they fall).
		timeline: Array.from({ length: Math.ceil((to - from) / 10_000) }, (_, i) => {
			const slice = ours.filter(
				(r) => r.time >= from + i * 10_000 && r.time < from + (i + 1) * 10_000,
			);
			const ok = accepted(slice).length;
			return `${(ok / 10).toFixed(1)}/s ${slice.length - ok}`;
		}).join(', '),
	};
}

async function main() {
	const n8n = runtime.ensureN8n();
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const emulator = await startEmulator({
		latencyMs: LATENCY_MS,
		latencyPerObjectMs: PER_OBJECT_MS,
	});
	const scratch = mkdtempSync(join(tmpdir(), 'stripe-guard-bench-queue-'));
	const stops = [];
	const workers = [];
	const rows = [];
	try {
		emulator.createMany('customer', 'test', CUSTOMERS, (i) => ({
			email: `customer${i}@example.com`,
			name: `Customer ${i}`,
			created: Math.floor(Date.now() / 1000) - 60 - i * 3600,
		}));
		const ids = emulator.list('customer', 'test').map((c) => c.id);
		const price = (amount, interval) =>
			emulator.create('price', 'test', {
				unit_amount: amount,
				currency: 'usd',
				recurring: { interval, interval_count: 1, usage_type: 'licensed' },
			});
		const prices = [price(4900, 'month'), price(49000, 'year')];
		emulator.createMany('subscription', 'test', SUBSCRIPTIONS, (i) => ({
			created: Math.floor(Date.now() / 1000) - 120 - i * 7200,
			customer: ids[i % ids.length],
			currency: 'usd',
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [
					{
						id: `si_bench${i}`,
						object: 'subscription_item',
						price: prices[i % prices.length],
						quantity: 1 + (i % 3),
						discounts: [],
					},
				],
			},
		}));
		// Another key of the same account: Stripe counts them together.
		const backendKey = emulator.addKey({ mode: 'test', permissions: 'read' });

		const [postgres, redis] = await Promise.all([
			queue.startPostgres({ port: PORTS.postgres }),
			queue.startRedis({ port: PORTS.redis }),
		]);
		stops.push(
			() => postgres.stop(),
			() => redis.stop(),
		);
		const userFolder = join(scratch, 'n8n');
		runtime.installPackage(userFolder);
		const base = runtime.n8nEnv(n8n, {
			userFolder,
			port: PORTS.main,
			stripeEmulatorPort: emulator.port,
			extra: { N8N_LOG_LEVEL: 'warn' },
		});
		const stores = { postgresPort: postgres.port, redisPort: redis.port };
		const mainEnv = queue.queueEnv(base, stores);
		await runtime.importCredentials(n8n, mainEnv, [
			{
				...CREDENTIAL,
				type: 'stripeRestrictedKeyApi',
				data: {
					apiKey: emulator.keys.testRead,
					environment: 'test',
					accountId: '',
					allowWrites: false,
				},
			},
		]);
		const workflows = LOADS.map((l, i) => ({
			id: `benchQueueWf00${i}`.padEnd(16, '0'),
			name: l.label,
			active: false,
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
			nodes: l.nodes,
			connections: l.connections,
		}));
		await runtime.importWorkflows(n8n, mainEnv, workflows);
		for (const wf of workflows) await runtime.publishWorkflow(n8n, mainEnv, wf.id);
		const main = await runtime.startServer(n8n, mainEnv);
		stops.push(() => main.stop());
		const log = (...args) => console.error(`[bench:queue ${new Date().toISOString()}]`, ...args);

		const phases = WORKER_COUNTS.map((w) => ({ workers: w, backend: 0 }));
		if (BACKEND_SHARE > 0) phases.push({ workers: BACKEND_WORKERS, backend: BACKEND_SHARE });
		for (const phase of phases) {
			// Fresh workers for each phase: each learns the account from nothing, as after a deploy.
			await Promise.all(workers.splice(0).map((w) => w.stop()));
			for (let i = 0; i < phase.workers; i++)
				workers.push(
					await queue.startWorker(n8n, queue.queueEnv(base, stores, WORKERS[i]), WORKERS[i]),
				);
			log(`${phase.workers} worker(s)${phase.backend ? ' and the backend' : ''}: load`);
			const backend = phase.backend
				? startBackend(emulator, backendKey, phase.backend * LIMIT)
				: undefined;
			const ports = watchWorkerPorts(workers, emulator.port);
			const from = Date.now();
			const runs = await runLoad(main.url, ids);
			const to = Date.now();
			ports.stop();
			await backend?.stop();
			const label = `${phase.workers} worker${phase.workers > 1 ? 's' : ''}${
				phase.backend ? ` + backend ${phase.backend * 100} %` : ''
			}`;
			const row = summarise(label, emulator, from, to, runs, phase.workers, ports.portOf);
			rows.push(row);
			log(JSON.stringify(row));
		}
	} finally {
		await Promise.all(workers.map((w) => w.stop()));
		for (const stop of stops.reverse()) await stop().catch(() => undefined);
		await emulator.stop().catch((e) => console.error(e.message));
		rmSync(scratch, { recursive: true, force: true });
	}

	console.log(
		`\nQueue mode, one Stripe sandbox account (limit ${LIMIT} requests/s), ${CLIENTS} callers ` +
			`for ${SECONDS} s (list ${CUSTOMERS} customers / get 20 / MRR over ${SUBSCRIPTIONS} ` +
			`subscriptions, in turn), ${LATENCY_MS} ms + ${PER_OBJECT_MS} ms per object\n`,
	);
	console.log(
		[
			'phase',
			'executions (failed)',
			'objects/s',
			'n8n requests/s',
			'backend requests/s',
			'account requests/s (of limit)',
			'n8n 429s (share)',
			`429s after ${WARM_UP_S} s`,
			'retries',
			'p50 / p95 per execution',
		].join(' | '),
	);
	for (const r of rows) {
		console.log(
			[
				r.label,
				`${r.executions} (${r.failed})`,
				r.objectsPerS,
				r.oursPerS,
				r.backendPerS,
				`${r.accountPerS} (${r.ofLimit})`,
				`${r.limited} of ${r.requests} (${r.limitedShare})`,
				r.afterWarmUp,
				r.retries,
				`${(r.p50 / 1000).toFixed(1)} s / ${(r.p95 / 1000).toFixed(1)} s`,
			].join(' | '),
		);
	}
	console.log('\nPer worker: accepted requests/s over the load, and 429s');
	for (const r of rows) {
		const unattributed = r.unattributed ? ` (${r.unattributed} requests unattributed)` : '';
		console.log(`${r.label}: ${r.workers}${unattributed}`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
