/**
 * `npm start`: a real n8n on http://127.0.0.1:5678 with Stripe Guard loaded, a ready credential
 * and the example workflows. Without STRIPE_API_KEY it starts the Stripe emulator with demo data
 * on 127.0.0.1:12111 as an offline Stripe, and routes the connections of the n8n processes it
 * launches (and only those) for api.stripe.com there (test/route-stripe.js, with the test CA of
 * test/tls trusted in those processes only); with STRIPE_API_KEY=rk_test_… (or rk_live_…) it uses
 * real Stripe and routes nothing. The n8n user folder (database, credentials, workflows you build)
 * lives outside the repository in ~/.cache/n8n-nodes-stripe-guard/start-user and survives restarts;
 * the credential is re-imported under the same id on every start (the emulator's keys are new each
 * time), the examples under their own ids when new or changed. Ctrl-C stops everything.
 *
 * The examples that post to Slack or send email reach a local outbox instead (a Slack-compatible
 * webhook on 127.0.0.1:12112 and a mail server on 127.0.0.1:12125), which prints what arrives here.
 *
 * `npm run start:queue` (`--queue`) runs the same in n8n's queue mode: a main and two workers
 * sharing a fresh PostgreSQL database, with Redis as the queue (Debian's postgresql and
 * redis-server packages, on 127.0.0.1:55433 and :56380; nothing is kept between starts).
 *
 * Environment: STRIPE_API_KEY, N8N_PORT (5678), STRIPE_EMULATOR_PORT (12111), OUTBOX_SLACK_PORT
 * (12112), OUTBOX_SMTP_PORT (12125),
 * N8N_LOG=1 (copy n8n's log to the terminal; it always goes to <user folder>/n8n.log).
 */
'use strict';
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
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
const SLACK_PORT = Number(process.env.OUTBOX_SLACK_PORT || 12112);
const SMTP_PORT = Number(process.env.OUTBOX_SMTP_PORT || 12125);
const OWNER = { email: 'owner@example.com', password: 'StripeGuard-Local-1' };

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

/** Compiles and starts the emulator; resolves with what it prints when listening. */
async function startEmulator() {
	if (!(await runtime.portFree(EMULATOR_PORT))) {
		throw new Error(
			`port ${EMULATOR_PORT} is in use (another \`npm start\` ` +
				'or emulator?): stop it, or set STRIPE_EMULATOR_PORT',
		);
	}
	const out = runtime.compileEmulator();
	const child = spawn(process.execPath, [join(out, 'cli.js'), '--port', String(EMULATOR_PORT)], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
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
async function startOutbox() {
	const out = runtime.compileTypeScript(
		'outbox',
		['test/receiver.ts', 'test/smtp-receiver.ts'],
		'test',
	);
	const { startReceiver } = require(join(out, 'receiver.js'));
	const { startSmtpReceiver } = require(join(out, 'smtp-receiver.js'));
	const slack = await startReceiver({
		port: SLACK_PORT,
		onMessage: (m) => console.log(`\n[outbox] Slack message:\n${m.text}\n`),
	});
	const smtp = await startSmtpReceiver({
		port: SMTP_PORT,
		onMail: (m) =>
			console.log(`\n[outbox] Email to ${m.to.join(', ')}: ${m.subject} (${m.raw.length} bytes)\n`),
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

async function main() {
	const key = stripeKey();
	const n8n = runtime.ensureN8n();
	const userFolder = join(n8n.cache, QUEUE ? 'start-queue-user' : 'start-user');
	mkdirSync(userFolder, { recursive: true });
	const logFile = join(userFolder, 'n8n.log');
	writeFileSync(logFile, '');
	console.log('Installing the packed package into n8n…');
	runtime.installPackage(userFolder);

	const emulator = key ? undefined : await startEmulator();
	outbox = await startOutbox();
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
		console.log('Starting PostgreSQL and Redis for queue mode…');
		const [postgres, redis] = await Promise.all([
			queue.startPostgres({ port: QUEUE_STORES.postgresPort }),
			queue.startRedis({ port: QUEUE_STORES.redisPort }),
		]);
		queueParts.push(postgres, redis);
	}
	const env = QUEUE ? queue.queueEnv(baseEnv, QUEUE_STORES) : baseEnv;

	// Queue mode starts from an empty PostgreSQL database every time.
	const newDatabase = QUEUE || !existsSync(join(userFolder, '.n8n/database.sqlite'));
	// Same ids on every start: the imports replace what the previous start created.
	console.log('Importing the credential and the example workflows…');
	// n8n fills a new node with the most recent credential of its type: the read-only one is made
	// the most recent, so a node added by hand never starts out holding the write key.
	const stamp = (msAgo) => ({
		createdAt: new Date(Date.now() - msAgo).toISOString(),
		updatedAt: new Date(Date.now() - msAgo).toISOString(),
	});
	await runtime.importCredentials(n8n, env, [
		{
			id: CREDENTIAL_ID,
			name: credentialName,
			type: 'stripeRestrictedKeyApi',
			data: { apiKey, environment, accountId: '', allowWrites: false },
			...stamp(0),
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
						...stamp(60_000),
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
	]);
	// An example is (re)imported when it is new or its file changed since the last start, so edits
	// made to it in the editor survive restarts. STRIPE_GUARD_RESET_EXAMPLES=1 re-imports them all.
	const examples = join(runtime.ROOT, 'examples');
	const stateFile = join(userFolder, 'imported-examples.json');
	const state =
		existsSync(stateFile) && !newDatabase && !process.env.STRIPE_GUARD_RESET_EXAMPLES
			? JSON.parse(readFileSync(stateFile, 'utf8'))
			: {};
	const imported = [];
	for (const file of readdirSync(examples)
		.filter((f) => f.endsWith('.json'))
		.sort()) {
		const text = readFileSync(join(examples, file), 'utf8');
		const workflow = runtime.localiseExample(JSON.parse(text), {
			slackUrl: `http://127.0.0.1:${SLACK_PORT}/hooks/examples`,
			credentials: { 'n8n-nodes-base.emailSend': { smtp: SMTP_CREDENTIAL } },
		});
		const hash = createHash('sha256').update(text).update(credentialName).digest('hex');
		const fresh = state[workflow.id] !== hash;
		if (fresh) {
			for (const node of workflow.nodes) {
				const credential = node.credentials?.stripeRestrictedKeyApi;
				// Examples that execute approved writes keep the write credential; all others read.
				if (credential && credential.id !== WRITE_CREDENTIAL_ID)
					node.credentials.stripeRestrictedKeyApi = { id: CREDENTIAL_ID, name: credentialName };
			}
			await runtime.importWorkflow(n8n, env, workflow);
			// n8n 2.x runs only published workflows as sub-workflows (the approval notification example).
			if (workflow.nodes.some((node) => node.type === 'n8n-nodes-base.executeWorkflowTrigger'))
				await runtime.publishWorkflow(n8n, env, workflow.id);
			state[workflow.id] = hash;
			writeFileSync(stateFile, JSON.stringify(state, null, 2));
		}
		imported.push(
			`${workflow.name} ` +
				`(examples/${file}${fresh ? ', imported' : ', kept from the last start'}) ` +
				`→ http://127.0.0.1:${PORT}/workflow/${workflow.id}`,
		);
	}

	console.log(`Starting n8n (log: ${logFile})…`);
	server = await runtime.startServer(n8n, env, { log: process.env.N8N_LOG === '1', logFile });
	server.exited.then(() => {
		if (!stopping) {
			console.error(`n8n stopped unexpectedly; see ${logFile}`);
			void shutdown(1);
		}
	});
	for (const worker of QUEUE ? QUEUE_WORKERS : []) {
		console.log(`Starting a queue-mode worker (health check on 127.0.0.1:${worker.healthPort})…`);
		queueParts.push(
			await queue.startWorker(n8n, queue.queueEnv(baseEnv, QUEUE_STORES, worker), worker, {
				logFile,
			}),
		);
	}
	// The owner account: created on the first start, signed in with on later ones.
	let signIn;
	try {
		await runtime.setupOwner(server.url, OWNER);
		signIn = `Sign in as ${OWNER.email} / ${OWNER.password}`;
	} catch {
		signIn =
			`Sign in with this instance's owner account (created earlier; ` +
			`the default ${OWNER.email} / ${OWNER.password} no longer works)`;
	}
	const stripeLine = emulator
		? `offline Stripe emulator at ${emulator.url} with demo data: ` +
			"this n8n's connections to api.stripe.com go there; nothing leaves this machine"
		: 'api.stripe.com with your STRIPE_API_KEY';
	const queueLine = QUEUE
		? `Queue mode: this main and ${QUEUE_WORKERS.length} workers, ` +
			`PostgreSQL on 127.0.0.1:${QUEUE_STORES.postgresPort}, ` +
			`Redis on 127.0.0.1:${QUEUE_STORES.redisPort}\n  `
		: '';
	console.log(`
  n8n with Stripe Guard is running at ${server.url}
  ${signIn}
  Credential "${credentialName}" (id ${CREDENTIAL_ID}, ${environment} mode, read-only):
    ${stripeLine}
  ${queueLine}Outbox: Slack posts and emails from the examples are printed here \
(127.0.0.1:${SLACK_PORT} and :${SMTP_PORT}).
  Example workflows:
    ${imported.join('\n    ')}
  n8n data: ${userFolder}
  Ctrl-C stops everything.
`);
}

main().catch(async (error) => {
	console.error(error instanceof Error ? error.message : error);
	await shutdown(1);
});
