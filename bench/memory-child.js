/**
 * One benchmark run in a process of its own, so its memory is its own: runs Stripe Guard through
 * n8n-core (the compiled engine harness) against the emulator the parent started, and reports the
 * live heap's peak above the idle baseline, taken after a full GC every few milliseconds. That
 * sampling stops the run every 5 ms, so a run measures either memory or time, not both.
 * Usage (from bench/run.js): node --expose-gc bench/memory-child.js <harness dir> <parameters JSON>
 * memory|time with BENCH_API_KEY set and api.stripe.com routed to the parent's emulator (routedEnv
 * of test/route-stripe.js).
 */
'use strict';
const { join } = require('node:path');

async function main() {
	const [harnessDir, parametersJson, measure] = process.argv.slice(2);
	process.env.N8N_LOG_LEVEL = 'silent';
	const { runStripeGuard } = require(join(harnessDir, 'test/engine/harness.js'));
	const parameters = JSON.parse(parametersJson);
	const credential = { apiKey: process.env.BENCH_API_KEY };
	// Warm-up: load every module and make one small call so the baseline includes the code.
	await runStripeGuard({
		parameters: { resource: 'customer', operation: 'list', limit: 1 },
		credential,
	});
	global.gc();
	const baseline = process.memoryUsage().heapUsed;
	let peak = baseline;
	// Open connections at most (TLS to the emulator; Node names them TCPSocketWrap): each request in
	// flight holds one, as n8n's helper opens one per request.
	let connections = 0;
	const sampler =
		measure === 'memory' &&
		setInterval(() => {
			global.gc();
			peak = Math.max(peak, process.memoryUsage().heapUsed);
			connections = Math.max(
				connections,
				process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length,
			);
		}, 5);
	const started = Date.now();
	const run = await runStripeGuard({ parameters, credential });
	const ms = Date.now() - started;
	if (sampler) clearInterval(sampler);
	const items = run.items.length;
	process.stdout.write(
		JSON.stringify({
			status: run.status,
			error: run.error?.message,
			items,
			ms: measure === 'time' ? ms : undefined,
			peakBytes: measure === 'memory' ? peak - baseline : undefined,
			connections: measure === 'memory' ? connections : undefined,
			first: run.items[0]?.json,
		}),
	);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
