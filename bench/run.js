/**
 * `npm run bench`: Stripe Guard against n8n's built-in Stripe node on the same real n8n and the
 * same Stripe emulator (served over TLS as api.stripe.com, 100 ms added to every request).
 * Prints requests made, wall time and their ratios. A benchmark, not a test: it asserts nothing.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const runtime = require('../scripts/n8n-runtime');

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 100);
const SIZES = (process.env.BENCH_SIZES || '1000,10000').split(',').map(Number);

function throwawayCertificate(dir) {
	execFileSync('openssl', [
		'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=api.stripe.com',
		'-addext', 'subjectAltName=DNS:api.stripe.com,IP:127.0.0.1',
		'-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
	], { stdio: 'ignore' });
	return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), certPath: join(dir, 'cert.pem') };
}

function listWorkflow(id, node) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [{ id: `${id}-t`, name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, { id: `${id}-n`, position: [220, 0], ...node }],
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
	const n8n = runtime.ensureN8n();
	const { startEmulator } = require(join(runtime.compileEmulator(), 'index.js'));
	const scratch = mkdtempSync(join(tmpdir(), 'stripe-guard-bench-'));
	const tls = throwawayCertificate(scratch);
	const emulator = await startEmulator({ tls: { key: tls.key, cert: tls.cert }, latencyMs: LATENCY_MS });
	const secretKey = emulator.addKey({ key: `sk_test_${'benchmarkSecretKey'.padEnd(32, '0')}`, mode: 'test' });
	try {
		const userFolder = join(scratch, 'n8n');
		runtime.installPackage(userFolder);
		const env = runtime.n8nEnv(n8n, {
			userFolder,
			port: 5689,
			extra: {
				STRIPE_GUARD_API_BASE_URL: emulator.url, // https://127.0.0.1:port, same TLS emulator as the built-in node
				NODE_EXTRA_CA_CERTS: tls.certPath,
				NODE_OPTIONS: `--require ${join(__dirname, 'route-stripe-to-emulator.js')}`,
				STRIPE_BENCH_EMULATOR_PORT: String(emulator.port),
			},
		});
		await runtime.importCredentials(n8n, env, [
			{ id: 'benchGuardCred01', name: 'Stripe Guard', type: 'stripeRestrictedKeyApi', data: { apiKey: emulator.keys.testRead, environment: 'test', accountId: '', allowWrites: false } },
			{ id: 'benchStripeCred01', name: 'Stripe', type: 'stripeApi', data: { secretKey } },
		]);
		for (const c of CANDIDATES) await runtime.importWorkflow(n8n, env, listWorkflow(c.workflowId, c.node));

		const rows = [];
		for (const size of SIZES) {
			emulator.reset();
			emulator.createMany('customer', 'test', size, (i) => ({ email: `customer${i}@example.com`, name: `Customer ${i}` }));
			const results = {};
			for (const c of CANDIDATES) {
				emulator.clearRequests();
				const started = Date.now();
				const run = await runtime.executeWorkflow(n8n, env, c.workflowId, { timeoutMs: 900_000 });
				const wall = Date.now() - started;
				const task = run.data.resultData.runData.List?.[0];
				const items = task?.data?.main?.[0]?.length ?? 0;
				const error = run.data.resultData.error?.message;
				results[c.label] = { requests: emulator.requests.length, nodeMs: task?.executionTime ?? NaN, wall, items, error };
			}
			rows.push({ size, results });
		}
		printTable(rows);
	} finally {
		await emulator.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}

function printTable(rows) {
	const [a, b] = CANDIDATES.map((c) => c.label);
	console.log(`\nList every customer, ${LATENCY_MS} ms added per request (same n8n ${process.env.N8N_VERSION || '2.41.1'}, same emulator over TLS)\n`);
	console.log(['customers', `${a} requests`, `${b} requests`, `${a} node time`, `${b} node time`, `speed-up (${b} ÷ ${a})`, 'items (both)'].join(' | '));
	for (const { size, results } of rows) {
		const x = results[a];
		const y = results[b];
		const fmt = (r) => (r.error ? `error: ${r.error}` : `${(r.nodeMs / 1000).toFixed(2)} s`);
		console.log(
			[size, x.requests, y.requests, fmt(x), fmt(y), `${(y.nodeMs / x.nodeMs).toFixed(1)}×`, `${x.items} / ${y.items}`].join(' | '),
		);
		console.log(`  expected: ${a} ≤ ceil(N/100)+1 = ${Math.ceil(size / 100) + 1} requests; whole \`n8n execute\` wall time ${x.wall} ms vs ${y.wall} ms`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
