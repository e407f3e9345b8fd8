/**
 * `npm start`: a real n8n on http://127.0.0.1:5678 with Stripe Guard loaded, a ready credential
 * and the example workflows. Without STRIPE_API_KEY it starts the Stripe emulator with demo data
 * as an offline Stripe; with STRIPE_API_KEY=rk_test_… (or rk_live_…) it uses real Stripe.
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const runtime = require('./n8n-runtime');

const PORT = Number(process.env.N8N_PORT || 5678);
const EMULATOR_PORT = Number(process.env.STRIPE_EMULATOR_PORT || 12111);
const CREDENTIAL_ID = 'stripeGuardLocal';

/** Compiles and starts the emulator; resolves with what it prints when listening. */
async function startEmulator() {
	const out = runtime.compileEmulator();
	const child = spawn(process.execPath, [join(out, 'cli.js'), '--port', String(EMULATOR_PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
	const firstLine = await new Promise((resolve, reject) => {
		createInterface({ input: child.stdout }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`the Stripe emulator exited (${code}); is port ${EMULATOR_PORT} free?`)));
	});
	return { child, ...JSON.parse(firstLine) };
}

function stripeKey() {
	const key = (process.env.STRIPE_API_KEY || '').trim();
	if (!key) return undefined;
	if (!/^rk_(test|live)_[A-Za-z0-9]+$/.test(key)) {
		console.error('STRIPE_API_KEY must be a restricted key (rk_test_… or rk_live_…). Stripe Guard refuses secret keys: create a restricted key in Stripe Dashboard → Developers → API keys.');
		process.exit(1);
	}
	return key;
}

async function main() {
	const n8n = runtime.ensureN8n();
	const userFolder = join(n8n.cache, 'start-user');
	mkdirSync(userFolder, { recursive: true });
	runtime.installPackage(userFolder);

	const key = stripeKey();
	const emulator = key ? undefined : await startEmulator();
	const apiKey = key ?? emulator.keys.testRead;
	const environment = apiKey.startsWith('rk_live_') ? 'live' : 'test';
	const credentialName = emulator ? 'Stripe Guard (offline emulator)' : `Stripe Guard (Stripe ${environment} mode)`;
	const extra = emulator ? { STRIPE_GUARD_API_BASE_URL: emulator.url } : {};
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, extra });
	if (!emulator) delete env.STRIPE_GUARD_API_BASE_URL;

	// Same IDs every start: imports replace what the previous start created.
	await runtime.importCredentials(n8n, env, [
		{ id: CREDENTIAL_ID, name: credentialName, type: 'stripeRestrictedKeyApi', data: { apiKey, environment, accountId: '', allowWrites: false } },
	]);
	const examples = join(runtime.ROOT, 'examples');
	for (const file of readdirSync(examples).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(readFileSync(join(examples, file), 'utf8'));
		for (const node of workflow.nodes) {
			if (node.credentials?.stripeRestrictedKeyApi) node.credentials.stripeRestrictedKeyApi = { id: CREDENTIAL_ID, name: credentialName };
		}
		await runtime.importWorkflow(n8n, env, workflow);
	}

	const server = await runtime.startServer(n8n, env, { log: process.env.N8N_LOG === '1' });
	const owner = await runtime.setupOwner(server.url);
	console.log(`
  n8n with Stripe Guard is running at ${server.url}
  Sign in as ${owner.email} / ${owner.password}
  Credential: "${credentialName}"${emulator ? ` → offline Stripe emulator at ${emulator.url} (demo data, nothing leaves this machine)` : ' → api.stripe.com'}
  Example workflows: ${readdirSync(examples).filter((f) => f.endsWith('.json')).length} imported
  Ctrl-C stops everything.
`);
	const stop = async () => {
		await server.stop();
		emulator?.child.kill('SIGTERM');
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
