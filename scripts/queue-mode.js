/**
 * n8n's queue mode on this machine: PostgreSQL (the database main and workers share) and Redis
 * (the queue) from Debian's packages, on 127.0.0.1 in throwaway folders, and the environment
 * that turns an n8n process into the main or a worker. Used by the queue-mode e2e suite and by
 * `npm run start:queue`. Needs: apt-get install postgresql redis-server.
 */
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { chownSync, existsSync, mkdtempSync, readdirSync } = require('node:fs');
const { tmpdir, userInfo } = require('node:os');
const { join } = require('node:path');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function postgresBin(name) {
	const root = '/usr/lib/postgresql';
	const version = existsSync(root) ? readdirSync(root).sort().at(-1) : undefined;
	const bin = version && join(root, version, 'bin', name);
	if (!bin || !existsSync(bin))
		throw new Error(`PostgreSQL's ${name} not found under ${root}: apt-get install postgresql`);
	return bin;
}

/**
 * PostgreSQL refuses to run as root: then it runs as the `postgres` user Debian's package creates.
 */
function asPostgresUser(command, args) {
	return userInfo().uid === 0
		? ['runuser', ['-u', 'postgres', '--', command, ...args]]
		: [command, args];
}

async function waitForPort(what, port, child, timeoutMs = 60_000) {
	const { portFree } = require('./n8n-runtime');
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
		if (!(await portFree(port))) return;
		await sleep(200);
	}
	throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function stopper(child) {
	return () =>
		new Promise((resolve) => {
			if (child.exitCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
			setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
		});
}

/**
 * A fresh PostgreSQL cluster with a database `n8n` owned by user `n8n` (trust auth, loopback only).
 */
async function startPostgres({ port }) {
	const dir = mkdtempSync(join(tmpdir(), 'stripe-guard-pg-'));
	if (userInfo().uid === 0)
		chownSync(
			dir,
			Number(execFileSync('id', ['-u', 'postgres']).toString()),
			Number(execFileSync('id', ['-g', 'postgres']).toString()),
		);
	const data = join(dir, 'data');
	const [initCmd, initArgs] = asPostgresUser(postgresBin('initdb'), [
		'-D',
		data,
		'-A',
		'trust',
		'-U',
		'n8n',
		'--no-sync',
	]);
	execFileSync(initCmd, initArgs, { stdio: 'ignore' });
	const [cmd, args] = asPostgresUser(postgresBin('postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-h',
		'127.0.0.1',
		'-k',
		dir,
		'-c',
		'fsync=off',
		'-c',
		'max_connections=200',
	]);
	const child = spawn(cmd, args, { stdio: 'ignore' });
	await waitForPort('PostgreSQL', port, child);
	const [createCmd, createArgs] = asPostgresUser(postgresBin('createdb'), [
		'-h',
		'127.0.0.1',
		'-p',
		String(port),
		'-U',
		'n8n',
		'n8n',
	]);
	for (let i = 0; ; i++) {
		try {
			execFileSync(createCmd, createArgs, { stdio: 'ignore' });
			break;
		} catch (error) {
			if (i > 20) throw error;
			await sleep(250); // accepting connections a moment after listening
		}
	}
	return { port, dir, stop: stopper(child) };
}

async function startRedis({ port }) {
	const child = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: 'ignore' },
	);
	await waitForPort('Redis', port, child);
	return { port, stop: stopper(child) };
}

/**
 * The environment of a queue-mode process: the main (no `worker`) serves the editor, webhooks and
 * triggers; workers ({ healthPort, brokerPort }) run the executions.
 */
function queueEnv(env, { postgresPort, redisPort }, worker) {
	const common = {
		...env,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgresPort),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// Manual runs from the editor go to the workers too.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
	if (!worker) return common;
	// A worker listens only for its health check, and its task runner broker needs a port of its own.
	return {
		...common,
		N8N_PORT: String(worker.healthPort),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(worker.healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(worker.brokerPort),
	};
}

/** Starts an `n8n worker` and waits for its health check. */
async function startWorker(runtime, env, worker, { concurrency = 10, logFile } = {}) {
	const { startServer } = require('./n8n-runtime');
	return await startServer(runtime, env, {
		command: `worker --concurrency=${concurrency}`,
		readyUrl: `http://127.0.0.1:${worker.healthPort}/healthz/readiness`,
		logFile,
	});
}

module.exports = { startPostgres, startRedis, queueEnv, startWorker };
