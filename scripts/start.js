/**
 * `npm start`: a real n8n on http://127.0.0.1:5678 with Stripe Guard loaded, a ready credential
 * and the example workflows. Without STRIPE_API_KEY it starts the Stripe emulator with demo data
 * on 127.0.0.1:12111 as an offline Stripe, and routes the connections of the n8n processes it
 * launches (and only those) for api.stripe.com there (test/route-stripe.js, with the test CA of
 * test/tls trusted in those processes only); with STRIPE_API_KEY=rk_test_… (or rk_live_…) it uses
 * real Stripe and routes nothing. The n8n user folder (database, credentials, workflows you build)
 * lives outside the repository in ~/.cache/n8n-nodes-stripe-guard/start-user and survives restarts.
 * The credentials and the examples are imported under fixed ids when new or changed (the emulator's
 * keys are the same on every start), all credentials in one n8n command and all examples in
 * another: each n8n command costs a start of n8n's CLI (5–10 s here), so a second start usually
 * runs none. Every step prints a progress line with the seconds since the start. Ctrl-C stops
 * everything.
 *
 * The examples that post to Slack or send email reach a local outbox instead (a Slack-compatible
 * webhook on 127.0.0.1:12112 and a mail server on 127.0.0.1:12125), which prints what arrives here.
 *
 * The MCP example (examples/mcp-server.json) gets a Bearer token per server, made on the first
 * start and printed with the servers' URLs. The examples with an audit trail name a Data Table by
 * its ID, which n8n gives only once it runs: on a new database they are imported over the REST API
 * right after n8n is up, with the table, an n8n API key for the audit credential, and published
 * (no extra n8n command); the table's ID, the key and the tokens are kept in
 * <user folder>/local-secrets.json (readable by its owner alone) for later starts.
 *
 * `npm run start:queue` (`--queue`) runs the same in n8n's queue mode: a main and two workers
 * sharing a fresh PostgreSQL database, with Redis as the queue (Debian's postgresql and
 * redis-server packages, on 127.0.0.1:55433 and :56380; nothing is kept between starts).
 *
 * Environment: STRIPE_API_KEY, N8N_PORT (5678), STRIPE_EMULATOR_PORT (12111), OUTBOX_SLACK_PORT
 * (12112), OUTBOX_SMTP_PORT (12125), STRIPE_GUARD_RESET_EXAMPLES=1 (import the credentials and
 * every example again, replacing edits made in the editor),
 * N8N_LOG=1 (copy n8n's log to the terminal; it always goes to <user folder>/n8n.log).
 */
'use strict';
const { spawn } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const {
	chmodSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	statSync,
	writeFileSync,
} = require('node:fs');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const runtime = require('./n8n-runtime');
const queue = require('./queue-mode');

const QUEUE = process.argv.includes('--queue');
const QUEUE_STORES = { postgresPort: 55433, redisPort: 56380 };
const QUEUE_WORKERS = [
	{ healthPort: 5690, brokerPort: 5692 },
	{ healthPort: 5691, brokerPort: 5693 },
];

const PORT = Number(process.env.N8N_PORT || 5678);
const EMULATOR_PORT = Number(process.env.STRIPE_EMULATOR_PORT || 12111);
const CREDENTIAL_ID = 'stripeGuardLocal';
const WRITE_CREDENTIAL_ID = 'stripeGuardWrites';
const SMTP_CREDENTIAL = {
	id: 'stripeGuardOutbox',
	name: 'Local outbox (prints mail in the npm start terminal)',
};
/** The audit trail's n8n API key (examples/mcp-approval.json, examples/mcp-server.json). */
const AUDIT_CREDENTIAL = { id: 'stripeGuardAudit', name: 'Stripe Guard audit trail (this n8n)' };
/** The Bearer tokens of the MCP servers in examples/mcp-server.json: one per server. */
const MCP_TOKEN_CREDENTIALS = [
	{ id: 'stripeGuardMcpReads', name: 'MCP clients: Stripe reads' },
	{ id: 'stripeGuardMcpProposals', name: 'MCP clients: Stripe proposals' },
];
const SLACK_PORT = Number(process.env.OUTBOX_SLACK_PORT || 12112);
const SMTP_PORT = Number(process.env.OUTBOX_SMTP_PORT || 12125);
const OWNER = { email: 'owner@example.com', password: 'StripeGuard-Local-1' };

const STARTED = Date.now();
/** A progress line: seconds since `npm start` began, then what is happening. */
function progress(text) {
	console.log(`[${((Date.now() - STARTED) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

/** @type {{stop: () => Promise<void>} | undefined} */
let server;
/** @type {import('node:child_process').ChildProcess | undefined} */
let emulatorChild;
/**
 * @type {{ slack: { stop: () => Promise<void> }, smtp: { stop: () => Promise<void> } } | undefined}
 */
let outbox;
/** Queue mode: the workers, PostgreSQL and Redis, stopped after the main. */
/** @type {Array<{ stop: () => Promise<void> }>} */
const queueParts = [];
let stopping = false;

async function shutdown(code) {
	if (stopping) return;
	stopping = true;
	await server?.stop().catch(() => undefined);
	for (const part of queueParts.reverse()) await part.stop().catch(() => undefined);
	await Promise.all([outbox?.slack.stop(), outbox?.smtp.stop()]).catch(() => undefined);
	emulatorChild?.kill('SIGTERM');
	process.exit(code);
}
// Registered before anything starts, so Ctrl-C during start-up also ends the n8n commands
// (they run in their own process groups; runtime's exit hook kills what is left).
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** Starts the compiled emulator (under `out`); resolves with what it prints when listening. */
async function startEmulator(out) {
	if (!(await runtime.portFree(EMULATOR_PORT))) {
		throw new Error(
			`port ${EMULATOR_PORT} is in use (another \`npm start\` ` +
				'or emulator?): stop it, or set STRIPE_EMULATOR_PORT',
		);
	}
	const child = spawn(
		process.execPath,
		[join(out, 'emulator/cli.js'), '--port', String(EMULATOR_PORT)],
		{
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	emulatorChild = child;
	let stderr = '';
	child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
	const firstLine = await new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`the Stripe emulator did not start within 30 s:\n${stderr}`)),
			30_000,
		);
		createInterface({ input: child.stdout }).once('line', (line) => {
			clearTimeout(timer);
			resolve(line);
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the Stripe emulator exited (${code}):\n${stderr}`));
		});
	});
	child.once('exit', (code) => {
		if (!stopping) {
			console.error(`The Stripe emulator stopped unexpectedly (${code}):\n${stderr}`);
			void shutdown(1);
		}
	});
	return { child, ...JSON.parse(firstLine) };
}

/** Slack and email for the examples, on this machine: what they send is printed, nothing leaves. */
async function startOutbox(out) {
	const { startReceiver } = require(join(out, 'receiver.js'));
	const { startSmtpReceiver } = require(join(out, 'smtp-receiver.js'));
	const { mailBody } = require(join(out, 'mail-text.js'));
	const indent = (text) => text.replace(/^/gm, '    ');
	const slack = await startReceiver({
		port: SLACK_PORT,
		onMessage: (m) => console.log(`\n[outbox] Slack message:\n${indent(m.text)}\n`),
	});
	const smtp = await startSmtpReceiver({
		port: SMTP_PORT,
		onMail: (m) =>
			console.log(
				`\n[outbox] Email to ${m.to.join(', ')}\n  Subject: ${m.subject}\n` +
					`${indent(mailBody(m.raw) || '(empty body)')}\n`,
			),
	});
	return { slack, smtp };
}

function stripeKey() {
	const key = (process.env.STRIPE_API_KEY || '').trim();
	if (!key) return undefined;
	if (!/^rk_(test|live)_[A-Za-z0-9]+$/.test(key)) {
		throw new Error(
			'STRIPE_API_KEY must be a restricted key (rk_test_… or rk_live_…). ' +
				'Stripe Guard refuses secret and publishable keys: ' +
				'create a restricted key with read permissions ' +
				'in the Stripe Dashboard → Developers → API keys.',
		);
	}
	return key;
}

/** A content hash of what was imported: what is unchanged is not imported again. */
const hashOf = (...parts) => {
	const hash = createHash('sha256');
	for (const part of parts)
		hash.update(typeof part === 'string' || Buffer.isBuffer(part) ? part : JSON.stringify(part));
	return hash.digest('hex');
};

/** Runs `work`, with a progress line before and one with its duration after. */
async function timed(text, work, done = 'done') {
	progress(`${text}…`);
	const t = Date.now();
	const result = await work();
	progress(`  ${done} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
	return result;
}

/** What `npm start` runs from the repository's TypeScript: the emulator and the outbox. */
const START_ENTRIES = [
	'test/emulator/cli.ts',
	'test/receiver.ts',
	'test/smtp-receiver.ts',
	'test/mail-text.ts',
];

/**
 * Compiles START_ENTRIES to .tmp/start, unless the sources they read (the emulator's folder, the
 * outbox, the routing preload, the lockfile's dependencies) are those of the last compile.
 * Resolves with the output folder.
 */
async function compileStartParts() {
	const out = join(runtime.ROOT, '.tmp/start');
	const stamp = join(out, '.sources');
	const files = [];
	const walk = (path) => {
		if (statSync(path).isDirectory())
			for (const entry of readdirSync(path).sort()) walk(join(path, entry));
		else files.push(path);
	};
	for (const path of [
		'test/emulator',
		...START_ENTRIES.slice(1),
		'test/route-stripe.js',
		'package-lock.json',
	])
		walk(join(runtime.ROOT, path));
	const sources = hashOf(...files.flatMap((file) => [file, readFileSync(file)]));
	if (
		existsSync(join(out, 'emulator/cli.js')) &&
		existsSync(stamp) &&
		readFileSync(stamp, 'utf8') === sources
	) {
		progress('The emulator and the outbox are compiled from these sources: kept');
		return out;
	}
	const compiled = await timed('Compiling the Stripe emulator and the outbox (TypeScript)', () =>
		runtime.compileTypeScriptAsync('start', START_ENTRIES, 'test'),
	);
	writeFileSync(stamp, sources);
	return compiled;
}

async function main() {
	const key = stripeKey();
	const n8n = runtime.ensureN8n();
	const userFolder = join(n8n.cache, QUEUE ? 'start-queue-user' : 'start-user');
	mkdirSync(userFolder, { recursive: true });
	const logFile = join(userFolder, 'n8n.log');
	writeFileSync(logFile, '');
	// The emulator and the outbox compile (TypeScript, incremental) while the package installs;
	// not at all when their sources are those of the last compile.
	const compiled = compileStartParts();
	compiled.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
	if (runtime.installedPackageIsCurrent(userFolder)) {
		progress('The package is installed in n8n from this build: kept');
	} else {
		await timed('Installing the packed package into n8n', async () =>
			runtime.installPackage(userFolder),
		);
	}
	const out = await compiled;

	const emulator = key
		? undefined
		: await timed('Starting the offline Stripe emulator with demo data', () => startEmulator(out));
	outbox = await startOutbox(out);
	const apiKey = key ?? emulator.keys.testRead;
	const writeKey = emulator ? emulator.keys.testWrite : process.env.STRIPE_WRITE_API_KEY;
	const environment = apiKey.startsWith('rk_live_') ? 'live' : 'test';
	const credentialName = emulator
		? 'Stripe Guard (offline emulator)'
		: `Stripe Guard (Stripe ${environment} mode)`;
	// Offline, only the n8n processes started here (main and queue
	// workers) send api.stripe.com to the emulator (test/route-stripe.js
	// preloaded, the test CA trusted); with a key nothing is routed.
	const baseEnv = runtime.n8nEnv(n8n, {
		userFolder,
		port: PORT,
		stripeEmulatorPort: emulator ? EMULATOR_PORT : undefined,
	});
	if (QUEUE) {
		await timed('Starting PostgreSQL and Redis for queue mode', async () => {
			const [postgres, redis] = await Promise.all([
				queue.startPostgres({ port: QUEUE_STORES.postgresPort }),
				queue.startRedis({ port: QUEUE_STORES.redisPort }),
			]);
			queueParts.push(postgres, redis);
		});
	}
	const env = QUEUE ? queue.queueEnv(baseEnv, QUEUE_STORES) : baseEnv;

	// Queue mode starts from an empty PostgreSQL database every time.
	const newDatabase = QUEUE || !existsSync(join(userFolder, '.n8n/database.sqlite'));
	// What the last start imported (content hashes by workflow id, and of the credentials): what is
	// unchanged is not imported again, so edits made in the editor survive restarts.
	// STRIPE_GUARD_RESET_EXAMPLES=1 imports everything again.
	const stateFile = join(userFolder, 'imported-examples.json');
	const state =
		existsSync(stateFile) && !newDatabase && !process.env.STRIPE_GUARD_RESET_EXAMPLES
			? JSON.parse(readFileSync(stateFile, 'utf8'))
			: {};
	const saveState = () => writeFileSync(stateFile, JSON.stringify(state, null, 2));
	// Made here once and kept: the MCP servers' tokens; the audit table's ID and API key, which
	// n8n makes only once it runs (a new database has neither).
	const secretsFile = join(userFolder, 'local-secrets.json');
	const secrets = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
	if (newDatabase) delete secrets.audit;
	secrets.mcpTokens ??= {};
	for (const { id } of MCP_TOKEN_CREDENTIALS)
		secrets.mcpTokens[id] ??= `sg-mcp-${randomBytes(24).toString('base64url')}`;
	const saveSecrets = () => {
		writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
		chmodSync(secretsFile, 0o600);
	};
	saveSecrets();

	const credentials = [
		{
			id: CREDENTIAL_ID,
			name: credentialName,
			type: 'stripeRestrictedKeyApi',
			data: { apiKey, environment, accountId: '', allowWrites: false },
		},
		// The approval examples execute writes after
		// approval: a second credential with Allow Writes on.
		...(writeKey
			? [
					{
						id: WRITE_CREDENTIAL_ID,
						name: emulator
							? 'Stripe Guard writes (offline emulator)'
							: `Stripe Guard writes (Stripe ${environment} mode)`,
						type: 'stripeRestrictedKeyApi',
						data: {
							apiKey: writeKey,
							environment: writeKey.startsWith('rk_live_') ? 'live' : 'test',
							accountId: '',
							allowWrites: true,
						},
					},
				]
			: []),
		{
			...SMTP_CREDENTIAL,
			type: 'smtp',
			data: {
				user: '',
				password: '',
				host: '127.0.0.1',
				port: SMTP_PORT,
				secure: false,
				disableStartTls: true,
			},
		},
		...MCP_TOKEN_CREDENTIALS.map((credential) => ({
			...credential,
			type: 'httpBearerAuth',
			data: { token: secrets.mcpTokens[credential.id] },
		})),
		// Its key is filled in once n8n has made it (a new database: after n8n is up).
		{
			...AUDIT_CREDENTIAL,
			type: 'stripeGuardAuditApi',
			data: { apiKey: secrets.audit?.apiKey ?? '', baseUrl: `http://127.0.0.1:${PORT}/api/v1` },
		},
	];
	// The keys are in the hash: only a hash of them is stored.
	const credentialsHash = hashOf(credentials);
	if (state['#credentials'] !== credentialsHash) {
		// n8n fills a new node with the most recent credential of its type: the read-only one is made
		// the most recent, so a node added by hand never starts out holding the write key.
		const stamped = credentials.map((credential, i) => {
			const at = new Date(Date.now() - i * 60_000).toISOString();
			return { ...credential, createdAt: at, updatedAt: at };
		});
		await timed(
			`Importing ${credentials.length} credentials (one n8n command; ` +
				`${newDatabase ? 'a new database: n8n creates it first' : 'their keys changed'})`,
			() => runtime.importCredentials(n8n, env, stamped),
		);
		state['#credentials'] = credentialsHash;
		saveState();
	} else {
		progress(`Credentials unchanged since the last start: kept (${credentials.length})`);
	}

	// An example is (re)imported when it is new or its file changed since the last start.
	const examples = join(runtime.ROOT, 'examples');
	const listed = [];
	const toImport = [];
	// Examples that name the audit table while it does not exist yet: imported once n8n is up.
	const afterStart = [];
	const auditTableId = secrets.audit?.tableId;
	/** @type {Array<{ name: string, path: string, token: string }>} */
	const mcpServers = [];
	for (const file of readdirSync(examples)
		.filter((f) => f.endsWith('.json'))
		.sort()) {
		const text = readFileSync(join(examples, file), 'utf8');
		const workflow = runtime.localiseExample(JSON.parse(text), {
			slackUrl: `http://127.0.0.1:${SLACK_PORT}/hooks/examples`,
			credentials: { 'n8n-nodes-base.emailSend': { smtp: SMTP_CREDENTIAL } },
			auditTableId,
		});
		const withTable = runtime.needsAuditTable(workflow);
		const hash = hashOf(text, credentialName, withTable ? (auditTableId ?? '') : '');
		const fresh = state[workflow.id] !== hash || (withTable && !auditTableId);
		if (fresh) {
			for (const node of workflow.nodes) {
				const credential = node.credentials?.stripeRestrictedKeyApi;
				// Examples that execute approved writes keep the write credential; all others read.
				if (credential && credential.id !== WRITE_CREDENTIAL_ID)
					node.credentials.stripeRestrictedKeyApi = { id: CREDENTIAL_ID, name: credentialName };
			}
			(withTable && !auditTableId ? afterStart : toImport).push({ workflow, text, hash });
		}
		for (const node of workflow.nodes)
			if (node.type === '@n8n/n8n-nodes-langchain.mcpTrigger')
				mcpServers.push({
					name: node.name,
					path: node.parameters.path,
					token: secrets.mcpTokens[node.credentials?.httpBearerAuth?.id] ?? '(its credential)',
				});
		listed.push(
			`${workflow.name} ` +
				`(examples/${file}${fresh ? ', imported' : ', kept from the last start'}) ` +
				`→ http://127.0.0.1:${PORT}/workflow/${workflow.id}`,
		);
	}
	// n8n 2.x runs only published workflows as sub-workflows (the approval notification example),
	// and an import unpublishes: those are published again.
	// So do MCP servers (their production URL).
	const toPublish = toImport
		.map(({ workflow }) => workflow)
		.filter(runtime.needsPublishing)
		.map((w) => w.id);
	if (toImport.length > 0) {
		await timed(
			`Importing ${toImport.length} of ${listed.length} example workflows ` +
				'(new or changed; one n8n command)',
			() =>
				runtime.importWorkflows(
					n8n,
					env,
					toImport.map(({ workflow }) => workflow),
				),
		);
		for (const { workflow, hash } of toImport) state[workflow.id] = hash;
		saveState();
	} else {
		progress(`Example workflows unchanged since the last start: kept (${listed.length})`);
	}
	// On a new database the owner account is created below and publishes over the REST API (no
	// extra n8n command); on an older one its password may have changed: the CLI publishes.
	const publishAfterStart = newDatabase;
	if (!publishAfterStart) {
		for (const id of toPublish)
			await timed(`Publishing ${id} (n8n command)`, () => runtime.publishWorkflow(n8n, env, id));
	}

	server = await timed(
		`Starting n8n (log: ${logFile})`,
		() => runtime.startServer(n8n, env, { log: process.env.N8N_LOG === '1', logFile }),
		'ready',
	);
	server.exited.then(() => {
		if (!stopping) {
			console.error(`n8n stopped unexpectedly; see ${logFile}`);
			void shutdown(1);
		}
	});
	for (const worker of QUEUE ? QUEUE_WORKERS : []) {
		const started = await timed(
			`Starting a queue-mode worker (health check on 127.0.0.1:${worker.healthPort})`,
			() =>
				queue.startWorker(n8n, queue.queueEnv(baseEnv, QUEUE_STORES, worker), worker, {
					logFile,
				}),
			'ready',
		);
		queueParts.push(started);
	}
	// The owner account: created on the first start, signed in with on later ones.
	let signIn;
	let cookie;
	try {
		({ cookie } = await runtime.setupOwner(server.url, OWNER));
		signIn = `Sign in as ${OWNER.email} / ${OWNER.password}`;
	} catch {
		signIn =
			`Sign in with this instance's owner account (created earlier; ` +
			`the default ${OWNER.email} / ${OWNER.password} no longer works)`;
	}
	if (publishAfterStart) {
		for (const id of toPublish) {
			if (!cookie) throw new Error(`cannot sign in to publish ${id}: ${signIn}`);
			await runtime.publishWorkflowOverRest(server.url, cookie, id);
			progress(`Published ${id} (a sub-workflow or an MCP server: they run only published)`);
		}
	}
	let mcpNote = '';
	if (afterStart.length > 0 && !cookie) {
		mcpNote = `  Not imported (they need an audit table, made when signed in): ${afterStart
			.map(({ workflow }) => workflow.id)
			.join(', ')}\n`;
	} else if (afterStart.length > 0) {
		await timed(
			`Creating the audit trail's Data Table and n8n API key; importing and publishing ` +
				`${afterStart.length} examples that use it (REST API)`,
			async () => {
				const audit = await runtime.createAuditTrail(server.url, cookie);
				secrets.audit = audit;
				saveSecrets();
				const credential = credentials.find((c) => c.id === AUDIT_CREDENTIAL.id);
				credential.data.apiKey = audit.apiKey;
				await runtime.updateCredential(server.url, cookie, credential);
				state['#credentials'] = hashOf(credentials);
				const workflows = afterStart.map(({ workflow }) =>
					runtime.localiseExample(workflow, { auditTableId: audit.tableId }),
				);
				await runtime.saveWorkflows(server.url, cookie, workflows);
				for (const workflow of workflows.filter(runtime.needsPublishing))
					await runtime.publishWorkflowOverRest(server.url, cookie, workflow.id);
				for (const { workflow, text } of afterStart)
					state[workflow.id] = hashOf(text, credentialName, audit.tableId);
				saveState();
			},
		);
	}
	const mcpLines =
		mcpServers.length > 0 && !mcpNote
			? '  MCP servers (examples/mcp-server.json; streamable HTTP, any MCP client, see README):\n' +
				mcpServers
					.map(
						(s) =>
							`    ${s.name}: ${server.url}/mcp/${s.path}\n` +
							`      header  Authorization: Bearer ${s.token}\n`,
					)
					.join('')
			: mcpNote;
	const stripeLine = emulator
		? `offline Stripe emulator at ${emulator.url} with demo data: ` +
			"this n8n's connections to api.stripe.com go there; nothing leaves this machine"
		: 'api.stripe.com with your STRIPE_API_KEY';
	const queueLine = QUEUE
		? `Queue mode: this main and ${QUEUE_WORKERS.length} workers, ` +
			`PostgreSQL on 127.0.0.1:${QUEUE_STORES.postgresPort}, ` +
			`Redis on 127.0.0.1:${QUEUE_STORES.redisPort}\n  `
		: '';
	// The nodes' notices ask for "a credential with Allow Writes on": name it (n8n fills a new node
	// with the read-only one).
	const write = credentials.find((c) => c.id === WRITE_CREDENTIAL_ID);
	const writeLine = write
		? `  Credential "${write.name}" (id ${write.id}, Allow Writes on): choose it on ` +
			'Propose nodes and on their Stripe Guard Approval (both need the same one)\n'
		: '';
	progress(`Ready after ${((Date.now() - STARTED) / 1000).toFixed(1)} s`);
	console.log(`
  n8n with Stripe Guard is running at ${server.url}
  ${signIn}
  Credential "${credentialName}" (id ${CREDENTIAL_ID}, ${environment} mode, read-only):
    ${stripeLine}
${writeLine}  ${queueLine}Outbox: Slack posts and emails from the examples are printed here \
(127.0.0.1:${SLACK_PORT} and :${SMTP_PORT}).
    Slack-compatible webhook for your own Stripe Guard Approval: \
http://127.0.0.1:${SLACK_PORT}/hooks/approvals
  Example workflows:
    ${listed.join('\n    ')}
${mcpLines}  n8n data: ${userFolder}
  Ctrl-C stops everything.
`);
}

main().catch(async (error) => {
	console.error(error instanceof Error ? error.message : error);
	await shutdown(1);
});
