/**
 * `npm run bench`: Stripe Guard (reading in parallel, and one page after another) against n8n's
 * built-in Stripe node on the same real n8n and the same Stripe emulator (served over TLS as
 * api.stripe.com; 100 ms per request, plus 0 or 3 ms per object a list returns).
 * Prints requests made, wall time and their ratios. A benchmark, not a test: it asserts nothing.
 */
'use strict';
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const runtime = require('../scripts/n8n-runtime');
const { routedEnv } = require('../test/route-stripe');

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 100);
/**
 * Stripe-like cost model: a base per request plus this
 * much per object a list returns; each setting is one run.
 */
const PER_OBJECT_MS = (process.env.BENCH_PER_OBJECT_MS || '0,3').split(',').map(Number);
const SIZES = (process.env.BENCH_SIZES || '1000,10000').split(',').map(Number);
const MRR_SIZES = (process.env.BENCH_MRR_SIZES || '5000,50000').split(',').map(Number);
/** MRR's cost model: the Stripe-like one, where reading pages one after another shows. */
const MRR_PER_OBJECT_MS = Number(process.env.BENCH_MRR_PER_OBJECT_MS || 3);
/** MRR's memory: runs per size, of which the median is reported. */
const MEMORY_RUNS = Number(process.env.BENCH_MEMORY_RUNS || 3);
/** Objects spread over two years, as an account's are: windows of `created` need seconds to cut. */
const SPREAD_SECONDS = 2 * 365 * 86_400;
const spreadCreated = (i, count) =>
	Math.floor(Date.now() / 1000) - 60 - Math.floor((i * SPREAD_SECONDS) / count);
// The bound windows.ts guarantees (test/engine/windows.test.ts holds reads to it).
const { PIECES_BASE, PIECES_PER_PAGE } = require('../dist/nodes/shared/transport/windows');
const requestBound = (n) =>
	Math.floor((Math.ceil(n / 100) + 2 + 2 * PIECES_BASE) / (1 - 2 * PIECES_PER_PAGE));
/**
 * The subscription reports (Subscription Movements, Subscription Metrics, Retention by Cohort):
 * their own cost model (the memory measurement of Subscription Movements was taken at 10 ms per
 * request) and the share of subscriptions that changed in the 30 days of events.
 */
const REPORTS_LATENCY_MS = Number(process.env.BENCH_REPORTS_LATENCY_MS || 10);
const REPORTS_PER_OBJECT_MS = Number(process.env.BENCH_REPORTS_PER_OBJECT_MS || 0);
const REPORTS_CHANGED = Number(process.env.BENCH_REPORTS_CHANGED || 0.05);
/** `BENCH_ONLY=list`, `mrr`, `reports` or `throughput` runs one part. */
const ONLY = process.env.BENCH_ONLY || '';

function listWorkflow(id, node) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${id}-t`,
				name: 'Manual',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{ id: `${id}-n`, position: [220, 0], ...node },
		],
		connections: { Manual: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
	};
}

const CANDIDATES = [
	{
		label: 'Stripe Guard',
		workflowId: 'benchGuardList01',
		node: {
			name: 'List',
			type: 'n8n-nodes-stripe-guard.stripeGuard',
			typeVersion: 1,
			parameters: { resource: 'customer', operation: 'list', returnAll: true, maxRows: 100000 },
			credentials: { stripeRestrictedKeyApi: { id: 'benchGuardCred01', name: 'Stripe Guard' } },
		},
	},
	{
		label: 'Stripe Guard sequential',
		workflowId: 'benchGuardSeqList',
		node: {
			name: 'List',
			type: 'n8n-nodes-stripe-guard.stripeGuard',
			typeVersion: 1,
			// Parallel Reading off: one page after another, as lists were read before it existed.
			parameters: {
				resource: 'customer',
				operation: 'list',
				returnAll: true,
				maxRows: 100000,
				parallelReading: false,
			},
			credentials: { stripeRestrictedKeyApi: { id: 'benchGuardCred01', name: 'Stripe Guard' } },
		},
	},
	{
		label: 'n8n Stripe node',
		workflowId: 'benchBuiltinList1',
		node: {
			name: 'List',
			type: 'n8n-nodes-base.stripe',
			typeVersion: 1,
			parameters: { resource: 'customer', operation: 'getAll', returnAll: true },
			credentials: { stripeApi: { id: 'benchStripeCred01', name: 'Stripe' } },
		},
	},
];

async function main() {
	if (!ONLY || ONLY === 'list') await listBenchmark();
	if (!ONLY || ONLY === 'mrr') await mrrBenchmark();
	if (!ONLY || ONLY === 'reports') await subscriptionReportsBenchmark();
	if (!ONLY || ONLY === 'throughput') await throughputBenchmark();
}

/**
 * A real n8n with the package, whose connections to api.stripe.com go to the emulator (served over
 * TLS as api.stripe.com): both nodes call Stripe as they would in production, and reach the same
 * emulator through test/route-stripe.js, preloaded into that n8n only.
 */
async function withBenchN8n(body) {
	const n8n = runtime.ensureN8n();
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const scratch = mkdtempSync(join(tmpdir(), 'stripe-guard-bench-'));
	const emulator = await startEmulator({ latencyMs: LATENCY_MS });
	try {
		const userFolder = join(scratch, 'n8n');
		runtime.installPackage(userFolder);
		const env = runtime.n8nEnv(n8n, { userFolder, port: 5689, stripeEmulatorPort: emulator.port });
		return await body({ n8n, env, emulator });
	} finally {
		await emulator.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}

/** Runs a workflow with `n8n execute` and reads one node's run: items, node time, error. */
async function timedRun(n8n, env, workflowId, nodeName) {
	const started = Date.now();
	const run = await runtime.executeWorkflow(n8n, env, workflowId, { timeoutMs: 900_000 });
	const wall = Date.now() - started;
	const task = run.data.resultData.runData[nodeName]?.[0];
	return {
		items: task?.data?.main?.[0] ?? [],
		nodeMs: task?.executionTime ?? NaN,
		startTime: task?.startTime ?? NaN,
		wall,
		error: run.data.resultData.error?.message,
	};
}

async function listBenchmark() {
	await withBenchN8n(async ({ n8n, env, emulator }) => {
		const secretKey = emulator.addKey({
			key: `sk_test_${'benchmarkSecretKey'.padEnd(32, '0')}`,
			mode: 'test',
		});
		await runtime.importCredentials(n8n, env, [
			{
				id: 'benchGuardCred01',
				name: 'Stripe Guard',
				type: 'stripeRestrictedKeyApi',
				data: {
					apiKey: emulator.keys.testRead,
					environment: 'test',
					accountId: '',
					allowWrites: false,
				},
			},
			{ id: 'benchStripeCred01', name: 'Stripe', type: 'stripeApi', data: { secretKey } },
		]);
		for (const c of CANDIDATES)
			await runtime.importWorkflow(n8n, env, listWorkflow(c.workflowId, c.node));

		const rows = [];
		for (const perObjectMs of PER_OBJECT_MS) {
			emulator.setLatency(LATENCY_MS, perObjectMs);
			for (const size of SIZES) {
				emulator.reset();
				emulator.createMany('customer', 'test', size, (i) => ({
					email: `customer${i}@example.com`,
					name: `Customer ${i}`,
					created: spreadCreated(i, size),
				}));
				const expected = emulator.list('customer', 'test').map((c) => c.id);
				const results = {};
				for (const c of CANDIDATES) {
					emulator.clearRequests();
					const r = await timedRun(n8n, env, c.workflowId, 'List');
					// Every customer once, in Stripe's order.
					const sameAsStripe =
						r.items.length === expected.length &&
						r.items.every((item, i) => item.json.id === expected[i]);
					const tooMany = emulator.requests.filter((q) => q.status === 429).length;
					const partial = emulator.requests.filter(
						(q) => (q.objects ?? 0) < Number(q.query.limit ?? 10),
					).length;
					// BENCH_TRACE=1: when each request reached Stripe (ms
					// after the node started) and the objects it returned.
					if (process.env.BENCH_TRACE)
						console.log(
							`${c.label}, ${size}: ` +
								emulator.requests.map((q) => `${q.time - r.startTime}:${q.objects ?? 0}`).join(' '),
						);
					results[c.label] = {
						partial,
						firstMs: (emulator.requests[0]?.time ?? NaN) - r.startTime,
						requests: emulator.requests.length,
						tooMany,
						sameAsStripe,
						tls: { ...emulator.tlsHandshakes },
						nodeMs: r.nodeMs,
						wall: r.wall,
						items: r.items.length,
						error: r.error,
					};
				}
				rows.push({ size, perObjectMs, results });
			}
		}
		printTable(rows);
	});
}

/**
 * Many items at Stripe's limits, which the emulator enforces as Stripe states them: per account
 * 100 requests/s live and 25/s in a sandbox, 25/s per endpoint, 20/s search. Two workloads with
 * 100 ms per request:
 * - one endpoint: 1,000 `customer.get` items (binding limit: the endpoint's 25/s, in both modes),
 *   Stripe Guard (parallel, paced) next to n8n's built-in Stripe node (one item after another);
 * - mixed: gets over six endpoints through Stripe Guard's Query, half a minute's worth (binding
 *   limit: the account's, 100/s live, 25/s in a sandbox).
 * Each row: the share of the binding limit reached, the 429s drawn and the items that failed.
 */
async function throughputBenchmark() {
	const ITEMS = Number(process.env.BENCH_GET_ITEMS || 1000);
	// Half a minute at the account's pace, so that starting up weighs little in the rate.
	const mixedItems = (global) => Number(process.env.BENCH_MIXED_ITEMS || global * 30);
	const TYPES = {
		customer: 'customers',
		product: 'products',
		price: 'prices',
		invoice: 'invoices',
		charge: 'charges',
		refund: 'refunds',
	};
	await withBenchN8n(async ({ n8n, env, emulator }) => {
		// BENCH_MODES=live runs one mode; BENCH_WORKLOADS=mixed one workload.
		const modes = [
			{ mode: 'test', global: 25 },
			{ mode: 'live', global: 100 },
		].filter(
			(m) => !process.env.BENCH_MODES || process.env.BENCH_MODES.split(',').includes(m.mode),
		);
		const credentials = [];
		for (const m of modes) {
			m.guardKey = emulator.addKey({ mode: m.mode, permissions: 'read' });
			m.secretKey = emulator.addKey({
				key: `sk_${m.mode}_${'benchmarkThroughput'.padEnd(32, '0')}`,
				mode: m.mode,
			});
			const guardCredential = {
				id: `benchGuard${m.mode}Rate`.padEnd(16, '0'),
				name: `Stripe Guard ${m.mode}`,
			};
			const stripeCredential = {
				id: `benchStripe${m.mode}Rate`.padEnd(16, '0'),
				name: `Stripe ${m.mode}`,
			};
			credentials.push(
				{
					...guardCredential,
					type: 'stripeRestrictedKeyApi',
					data: { apiKey: m.guardKey, environment: m.mode, accountId: '', allowWrites: false },
				},
				{ ...stripeCredential, type: 'stripeApi', data: { secretKey: m.secretKey } },
			);
			const ids = [];
			for (let i = 0; i < ITEMS; i++)
				ids.push(
					emulator.create('customer', m.mode, {
						name: `Customer ${i}`,
						email: `customer${i}@example.com`,
					}).id,
				);
			const queries = [];
			for (let i = 0; i < mixedItems(m.global); i++) {
				const [type, plural] = Object.entries(TYPES)[i % 6];
				queries.push(JSON.stringify({ get: plural, id: emulator.create(type, m.mode, {}).id }));
			}
			const split = {
				name: 'One item each',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				parameters: { fieldToSplitOut: 'values', options: {} },
			};
			const source = (values) => ({
				name: 'Values',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ values }), options: {} },
			});
			const guard = (parameters) => ({
				name: 'Get',
				type: 'n8n-nodes-stripe-guard.stripeGuard',
				typeVersion: 1,
				parameters,
				credentials: { stripeRestrictedKeyApi: guardCredential },
			});
			m.workflows = [
				{
					workload: 'one endpoint',
					label: 'Stripe Guard',
					limit: 25,
					items: ITEMS,
					id: `benchGuardGet${m.mode}`.padEnd(16, '0'),
					nodes: [
						source(ids),
						split,
						guard({ resource: 'customer', operation: 'get', customerId: '={{ $json.values }}' }),
					],
				},
				{
					workload: 'one endpoint',
					label: 'n8n Stripe node',
					limit: 25,
					items: ITEMS,
					id: `benchStripeGet${m.mode}`.padEnd(16, '0'),
					nodes: [
						source(ids),
						split,
						{
							name: 'Get',
							type: 'n8n-nodes-base.stripe',
							typeVersion: 1,
							parameters: {
								resource: 'customer',
								operation: 'get',
								customerId: '={{ $json.values }}',
							},
							credentials: { stripeApi: stripeCredential },
						},
					],
				},
				{
					workload: 'mixed, 6 endpoints',
					label: 'Stripe Guard',
					limit: m.global,
					items: mixedItems(m.global),
					id: `benchGuardMix${m.mode}`.padEnd(16, '0'),
					nodes: [
						source(queries),
						split,
						guard({ resource: 'query', operation: 'run', query: '={{ $json.values }}' }),
					],
				},
			];
			m.workflows = m.workflows.filter(
				(w) =>
					!process.env.BENCH_WORKLOADS ||
					process.env.BENCH_WORKLOADS.split(',').some((name) => w.workload.startsWith(name)),
			);
			for (const w of m.workflows)
				await runtime.importWorkflow(n8n, env, chainWorkflow(w.id, w.nodes));
		}
		await runtime.importCredentials(n8n, env, credentials);

		console.log(
			`\nMany items at Stripe's limits (the emulator enforcing them: ` +
				`${modes.map((m) => `${m.mode} ${m.global}/s per account`).join(', ')}, ` +
				`25/s per endpoint), ${LATENCY_MS} ms per request, same n8n, same emulator over TLS\n`,
		);
		console.log(
			[
				'mode',
				'workload',
				'node',
				'items',
				'node time',
				'requests/s (node time)',
				'binding limit',
				'share of it',
				'share while requests flow',
				'429s',
				'failed items',
			].join(' | '),
		);
		for (const m of modes) {
			for (const w of m.workflows) {
				emulator.clearRequests();
				const r = await timedRun(n8n, env, w.id, 'Get');
				const rate = emulator.requests.length / (r.nodeMs / 1000);
				// While requests flow: from the first to the last one the emulator received.
				const times = emulator.requests.map((q) => q.time);
				const flowing =
					(emulator.requests.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
				const failed =
					r.items.filter((i) => i.json.error).length + (r.error ? w.items - r.items.length : 0);
				const tooMany = emulator.requests.filter((q) => q.status === 429).length;
				const binding =
					w.limit === 25 && w.workload === 'one endpoint'
						? '25/s (endpoint)'
						: `${w.limit}/s (account)`;
				console.log(
					[
						m.mode,
						w.workload,
						w.label,
						w.items,
						r.error ? `error: ${r.error}` : `${(r.nodeMs / 1000).toFixed(1)} s`,
						rate.toFixed(1),
						binding,
						`${Math.round((rate / w.limit) * 100)} %`,
						`${Math.round((flowing / w.limit) * 100)} %`,
						tooMany,
						failed,
					].join(' | '),
				);
			}
		}
		console.log(
			'  expected: Stripe Guard at ≥ 90 % of the binding limit with no 429 and no ' +
				'failed item; the built-in node is bound by latency (one request at a time).',
		);
	});
}

function chainWorkflow(id, nodes) {
	const all = [
		{ name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		...nodes,
	];
	const connections = {};
	for (let i = 0; i < all.length - 1; i++)
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		connections,
		nodes: all.map((n, i) => ({ id: `${id}-${i}`, position: [i * 220, 0], ...n })),
	};
}

function printTable(rows) {
	const [guard, sequential, builtin] = CANDIDATES.map((c) => c.label);
	console.log(
		`\nList every customer (created over two years), ${LATENCY_MS} ms per ` +
			`request + a cost per object returned (same n8n ${process.env.N8N_VERSION || '2.41.1'}, ` +
			`same emulator over TLS, Stripe's rate limits enforced)\n`,
	);
	console.log(
		[
			'cost model',
			'customers',
			...CANDIDATES.map((c) => `${c.label}: requests / node time / 429s`),
			`× vs sequential`,
			`× vs ${builtin}`,
			'requests bound',
			'same as Stripe (all)',
		].join(' | '),
	);
	const fmt = (r) =>
		r.error
			? `error: ${r.error}`
			: `${r.requests} / ${(r.nodeMs / 1000).toFixed(2)} s / ${r.tooMany}`;
	for (const { size, perObjectMs, results } of rows) {
		const [x, s, y] = [results[guard], results[sequential], results[builtin]];
		console.log(
			[
				`${LATENCY_MS} + ${perObjectMs} ms/object`,
				size,
				fmt(x),
				fmt(s),
				fmt(y),
				`${(s.nodeMs / x.nodeMs).toFixed(1)}×`,
				`${(y.nodeMs / x.nodeMs).toFixed(1)}×`,
				`${x.requests} ≤ ${requestBound(size)}: ${x.requests <= requestBound(size)}`,
				[x, s, y].every((r) => r.sameAsStripe),
			].join(' | '),
		);
		const tls = (r) => `${r.tls.full} full + ${r.tls.resumed} resumed for ${r.requests} requests`;
		console.log(
			`  whole \`n8n execute\` wall time ${x.wall} / ${s.wall} / ${y.wall} ms; ` +
				`first request ${x.firstMs} / ${s.firstMs} / ${y.firstMs} ms after ` +
				`the node started; pages not full ${x.partial} / ${s.partial} / ${y.partial}; ` +
				`TLS handshakes: ${guard} ${tls(x)}; ${builtin} ${tls(y)}`,
		);
	}
	console.log(
		`  expected at ${LATENCY_MS} + 3 ms/object, 10,000 customers: ` +
			`≥ 3× vs sequential, ≥ 25× vs ${builtin}, requests within the bound, 0 429s`,
	);
}

/**
 * MRR over N subscriptions: requests made (one page per 100 subscriptions, prices and discounts
 * expanded in the same request) and the live heap's peak, against Stripe Guard's own "list all
 * subscriptions" in the same run as the baseline that does hold every object.
 */
async function mrrBenchmark() {
	const harness = runtime.compileTypeScript('bench-harness', 'test/engine/harness.ts', '.');
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const latency = Number(process.env.BENCH_MRR_LATENCY_MS || LATENCY_MS);
	const emulator = await startEmulator({
		latencyMs: latency,
		latencyPerObjectMs: MRR_PER_OBJECT_MS,
	});
	const prices = [
		emulator.create('price', 'test', {
			unit_amount: 4900,
			currency: 'usd',
			recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
		}),
		emulator.create('price', 'test', {
			unit_amount: 49000,
			currency: 'usd',
			recurring: { interval: 'year', interval_count: 1, usage_type: 'licensed' },
		}),
		emulator.create('price', 'test', {
			unit_amount: 5000,
			currency: 'jpy',
			recurring: { interval: 'month', interval_count: 3, usage_type: 'licensed' },
		}),
	];
	const runChild = childRunner(harness, emulator);
	const rows = [];
	try {
		for (const size of MRR_SIZES) {
			emulator.reset();
			const coupon = emulator.create('coupon', 'test', {
				id: 'BENCH10',
				percent_off: 10,
				duration: 'forever',
			});
			emulator.createMany('subscription', 'test', size, (i) => {
				const price = prices[i % prices.length];
				const discounts =
					i % 5 === 0
						? [
								emulator.create('discount', 'test', {
									source: { coupon: coupon.id, type: 'coupon' },
								}).id,
							]
						: [];
				return {
					created: spreadCreated(i, size),
					customer: `cus_bench${i}`,
					currency: price.currency,
					discounts,
					items: {
						object: 'list',
						has_more: false,
						url: '/v1/subscription_items',
						data: [
							{
								id: `si_bench${i}`,
								object: 'subscription_item',
								price,
								quantity: 1 + (i % 3),
								discounts: [],
							},
						],
					},
				};
			});
			// The child's warm-up lists one customer; the report
			// itself asks for subscriptions (and coupons).
			const report = async (parameters, measure) => {
				emulator.clearRequests();
				const run = await runChild(
					{ resource: 'report', operation: 'mrr', includeTable: false, ...parameters },
					measure,
				);
				const requests = emulator.requests.filter((r) => !r.path.startsWith('/v1/customers'));
				return {
					...run,
					requests: requests.length,
					tooMany: requests.filter((r) => r.status === 429).length,
				};
			};
			// Time and memory in runs of their own (the heap sampler stops a run every 5 ms).
			const mrr = await report({}, 'time');
			const sequential = await report({ parallelReading: false }, 'time');
			// A peak sampled every 5 ms varies from run to run (±15 % seen at 50,000, with how many
			// responses happen to be arriving at once): the median of MEMORY_RUNS, and their range.
			const peaks = [];
			let connections = 0;
			for (let k = 0; k < MEMORY_RUNS; k++) {
				const run = await report({}, 'memory');
				peaks.push(run.peakBytes);
				connections = Math.max(connections, run.connections);
			}
			peaks.sort((a, b) => a - b);
			const list = await runChild(
				{ resource: 'subscription', operation: 'list', returnAll: true, maxRows: 100000 },
				'memory',
			);
			rows.push({
				size,
				mrr: {
					...mrr,
					peakBytes: peaks[Math.floor(peaks.length / 2)],
					peakRange: [peaks[0], peaks[peaks.length - 1]],
					connections,
				},
				sequential,
				list,
			});
		}
	} finally {
		await emulator.stop();
	}
	const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
	const usd = (r) => (r.error ? `error: ${r.error}` : r.first?.by_currency?.usd?.mrr_formatted);
	const sums = (r) => JSON.stringify(r.first?.by_currency);
	console.log(
		`\nMRR report over N subscriptions (created over two years), ${latency} ms ` +
			`per request + ${MRR_PER_OBJECT_MS} ms per object (n8n-core in a process of its own; ` +
			`time and live heap peak above idle, after GC, from separate runs)\n`,
	);
	console.log(
		[
			'subscriptions',
			'MRR requests (bound)',
			'429s',
			'MRR time',
			'sequential: requests / time',
			'speed-up',
			`MRR peak heap (median of ${MEMORY_RUNS}: range)`,
			'open connections at most',
			'list-all peak heap (baseline)',
			'MRR (parallel = sequential)',
		].join(' | '),
	);
	for (const r of rows) {
		console.log(
			[
				r.size,
				`${r.mrr.requests} (${requestBound(r.size)})`,
				r.mrr.tooMany + r.sequential.tooMany,
				`${(r.mrr.ms / 1000).toFixed(2)} s`,
				`${r.sequential.requests} / ${(r.sequential.ms / 1000).toFixed(2)} s`,
				`${(r.sequential.ms / r.mrr.ms).toFixed(1)}×`,
				`${mb(r.mrr.peakBytes)} (${r.mrr.peakRange.map(mb).join('–')})`,
				r.mrr.connections,
				mb(r.list.peakBytes),
				`${usd(r.mrr)} (${sums(r.mrr) === sums(r.sequential)})`,
			].join(' | '),
		);
	}
	if (rows.length >= 2) {
		const [a, b] = [rows[0], rows[rows.length - 1]];
		console.log(
			`  memory ${b.size} ÷ ${a.size}: ` +
				`MRR ${(b.mrr.peakBytes / a.mrr.peakBytes).toFixed(2)}× (expected < 1.5×), ` +
				`list-all ${(b.list.peakBytes / a.list.peakBytes).toFixed(2)}×`,
		);
	}
	console.log('  expected at the largest size: ≥ 3× faster than sequential, 0 429s');
}

/**
 * Runs one report in a child process of its own (memory-child.js) against this process's emulator:
 * asynchronous, since the emulator answering the child lives in this process's event loop.
 */
function childRunner(harness, emulator) {
	return async (parameters, measure) => {
		const { stdout } = await promisify(execFile)(
			process.execPath,
			[
				'--expose-gc',
				join(__dirname, 'memory-child.js'),
				harness,
				JSON.stringify(parameters),
				measure,
			],
			{
				// The child calls api.stripe.com like the product
				// does; the route sends it to this emulator.
				env: {
					...process.env,
					...routedEnv(emulator.port, process.env),
					BENCH_API_KEY: emulator.keys.testRead,
				},
				maxBuffer: 64 * 1024 * 1024,
				timeout: 600_000,
			},
		);
		return JSON.parse(stdout);
	};
}

/** The peak heap of MEMORY_RUNS runs: their median (a 5 ms sampler varies by ~15 %) and range. */
async function medianPeak(run) {
	const peaks = [];
	let connections = 0;
	let last;
	for (let k = 0; k < MEMORY_RUNS; k++) {
		last = await run();
		peaks.push(last.peakBytes);
		connections = Math.max(connections, last.connections);
	}
	peaks.sort((a, b) => a - b);
	return {
		peakBytes: peaks[Math.floor(peaks.length / 2)],
		peakRange: [peaks[0], peaks[peaks.length - 1]],
		connections,
		error: last.error,
		status: last.status,
	};
}

/**
 * Subscription Movements (last 30 days), Subscription Metrics (last 30 days) and Retention by
 * Cohort (12 months) over N subscriptions created over two years, two per customer, a share of them
 * changed in the 30 days of events (a quantity change, its event carrying the whole subscription as
 * Stripe's do): time and the live heap's peak above idle, from separate runs.
 */
async function subscriptionReportsBenchmark() {
	const harness = runtime.compileTypeScript('bench-harness', 'test/engine/harness.ts', '.');
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const emulator = await startEmulator({
		latencyMs: REPORTS_LATENCY_MS,
		latencyPerObjectMs: REPORTS_PER_OBJECT_MS,
	});
	const runChild = childRunner(harness, emulator);
	const reports = [
		{ label: 'Subscription Movements', parameters: { operation: 'subscriptionMovements' } },
		{ label: 'Subscription Metrics', parameters: { operation: 'subscriptionMetrics' } },
		{ label: 'Retention by Cohort', parameters: { operation: 'cohorts', months: 12 } },
	];
	const rows = [];
	try {
		for (const size of MRR_SIZES) {
			emulator.reset();
			const price = (amount, interval) =>
				emulator.create('price', 'test', {
					unit_amount: amount,
					currency: 'usd',
					recurring: { interval, interval_count: 1, usage_type: 'licensed' },
				});
			const prices = [price(4900, 'month'), price(49000, 'year')];
			emulator.createMany('subscription', 'test', size, (i) => ({
				created: spreadCreated(i, size),
				// Two subscriptions per customer, created close together: customers join all along.
				customer: `cus_bench${Math.floor(i / 2)}`,
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
							quantity: 2 + (i % 3),
							discounts: [],
						},
					],
				},
			}));
			// Every n-th subscription changed its quantity in the window (one fewer seat before).
			const every = Math.round(1 / REPORTS_CHANGED);
			const now = Math.floor(Date.now() / 1000);
			const subscriptions = emulator.list('subscription', 'test');
			let changed = 0;
			subscriptions.forEach((sub, i) => {
				if (i % every !== 0 || sub.created > now - 29 * 86_400) return;
				const item = sub.items.data[0];
				emulator.create('event', 'test', {
					type: 'customer.subscription.updated',
					created: now - 60 - (i % (28 * 86_400)),
					data: {
						object: structuredClone(sub),
						previous_attributes: {
							items: { data: [{ ...structuredClone(item), quantity: item.quantity - 1 }] },
						},
					},
				});
				changed++;
			});
			const row = { size, changed, reports: {} };
			for (const r of reports) {
				const parameters = { resource: 'report', includeTable: false, ...r.parameters };
				emulator.clearRequests();
				const time = await runChild(parameters, 'time');
				const requests = emulator.requests.filter((q) => !q.path.startsWith('/v1/customers'));
				const memory = await medianPeak(() => runChild(parameters, 'memory'));
				row.reports[r.label] = {
					...memory,
					ms: time.ms,
					requests: requests.length,
					tooMany: requests.filter((q) => q.status === 429).length,
					mrrAtEnd: time.error ? `error: ${time.error}` : figureOf(time.first),
				};
			}
			rows.push(row);
		}
	} finally {
		await emulator.stop();
	}
	const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
	console.log(
		`\nSubscription reports over N subscriptions (two per customer, created over two years, ` +
			`${Math.round(REPORTS_CHANGED * 100)} % changed in the 30 days of events), ` +
			`${REPORTS_LATENCY_MS} ms per request + ${REPORTS_PER_OBJECT_MS} ms per object ` +
			'(n8n-core in a process of its own; time and live heap peak above idle, after GC, from ' +
			'separate runs)\n',
	);
	console.log(
		[
			'report',
			'subscriptions',
			'changed',
			'requests',
			'429s',
			'time',
			`peak heap (median of ${MEMORY_RUNS}: range)`,
			'open connections at most',
			'figure',
		].join(' | '),
	);
	for (const r of reports) {
		for (const row of rows) {
			const x = row.reports[r.label];
			console.log(
				[
					r.label,
					row.size,
					row.changed,
					x.requests,
					x.tooMany,
					`${(x.ms / 1000).toFixed(2)} s`,
					`${mb(x.peakBytes)} (${x.peakRange.map(mb).join('–')})`,
					x.connections,
					x.mrrAtEnd,
				].join(' | '),
			);
		}
		if (rows.length >= 2) {
			const [a, b] = [rows[0].reports[r.label], rows[rows.length - 1].reports[r.label]];
			console.log(
				`  ${r.label} memory ${rows[rows.length - 1].size} ÷ ${rows[0].size}: ` +
					`${(b.peakBytes / a.peakBytes).toFixed(2)}× (expected < 1.5×)`,
			);
		}
	}
}

/** What each report's run shows to check it ran whole: its USD MRR at the end, or cohort count. */
function figureOf(json) {
	const usd = json?.by_currency?.usd;
	if (usd?.mrr_at_end_formatted) return `MRR at end ${usd.mrr_at_end_formatted}`;
	if (usd?.cohorts) return `${usd.cohorts.reduce((n, c) => n + c.subscribers, 0)} in cohorts`;
	return 'no figure';
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
