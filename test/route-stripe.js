/**
 * TEST-ONLY. Sends this process's TLS connections for api.stripe.com to the Stripe emulator on
 * 127.0.0.1 and leaves every other connection untouched. The product always calls
 * https://api.stripe.com; this is how test processes make that reach the emulator instead.
 *
 * - As a preload, for a process this repository launches (the real n8n of the e2e suites, queue
 *   mode, the benchmarks, `npm run screenshots`, the offline `npm start`): `routedEnv(port)` gives
 *   NODE_OPTIONS="--require <this file>", STRIPE_EMULATOR_PORT and NODE_EXTRA_CA_CERTS (the
 *   test CA under test/tls, read by Node at process start).
 * - In process (jest): `routeStripeTo(port)` points at the emulator of the running test file;
 *   `routeStripeTo(undefined)` refuses connections for api.stripe.com.
 *
 * Without a port, a connection for api.stripe.com fails at once with ECONNREFUSED: a process with
 * the route loaded never reaches the real Stripe. A routed connection still checks the name
 * api.stripe.com, against the test CA alone: only the emulator's certificate passes.
 *
 * It replaces `tls.connect`, which https.Agent (the stripe SDK, axios, n8n's HTTP helpers) and
 * fetch (undici) all call for each new connection.
 */
'use strict';
const net = require('node:net');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const tls = require('node:tls');

const STRIPE_HOST = 'api.stripe.com';
const TLS_DIR = join(__dirname, 'tls');
/** The throwaway test CA (see test/tls/README.md). */
const CA_PATH = join(TLS_DIR, 'ca.crt');

/**
 * One route per process, kept on the tls module itself: jest loads this file again for every
 * test file (fresh module registry), and tls.connect must be wrapped once, not once per load.
 * @type {{ port: number | undefined, ca: string, connect: typeof tls.connect }}
 */
const STATE = Symbol.for('n8n-nodes-stripe-guard.test.route-stripe');
function state() {
	if (!tls[STATE]) {
		const original = tls.connect;
		tls[STATE] = { port: undefined, ca: readFileSync(CA_PATH, 'utf8'), connect: original };
		tls.connect = function routeStripe(...args) {
			return connect(this, args);
		};
	}
	return tls[STATE];
}

const isStripe = (name) =>
	typeof name === 'string' && name.toLowerCase().replace(/\.$/, '') === STRIPE_HOST;

/**
 * tls.connect(options[, cb]) or tls.connect(port[, host][, options][, cb]) as one options object.
 */
function options(args) {
	if (args[0] !== null && typeof args[0] === 'object') return { ...args[0] };
	const [port, second, third] = args;
	if (typeof second === 'string')
		return { ...(third !== null && typeof third === 'object' ? third : {}), port, host: second };
	return { ...(second !== null && typeof second === 'object' ? second : {}), port };
}

function connect(self, args) {
	const route = tls[STATE];
	const opts = options(args);
	if (!isStripe(opts.host) && !isStripe(opts.servername)) return route.connect.apply(self, args);
	const callback = args.find((a) => typeof a === 'function');
	if (route.port === undefined) return refused();
	// A tunnel through a proxy would have named api.stripe.com to the proxy already; go direct.
	if (opts.socket) opts.socket.destroy();
	delete opts.socket;
	delete opts.path;
	delete opts.secureContext;
	return route.connect.call(
		self,
		{ ...opts, host: '127.0.0.1', port: route.port, servername: STRIPE_HOST, ca: route.ca },
		callback,
	);
}

/**
 * A socket that fails as an unreachable host does,
 * on the next tick (listeners are attached by then).
 */
function refused() {
	const socket = new net.Socket();
	const error = Object.assign(
		new Error(
			`connect ECONNREFUSED ${STRIPE_HOST}: no Stripe emulator to route to, ` +
				'and a test process never reaches the real Stripe',
		),
		{
			code: 'ECONNREFUSED',
			syscall: 'connect',
		},
	);
	process.nextTick(() => socket.destroy(error));
	return socket;
}

/**
 * Routes api.stripe.com to the emulator on 127.0.0.1:port from now on (undefined: refuses it).
 * Connections already open stay where they are.
 * @param {number | undefined} port
 */
function routeStripeTo(port) {
	if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
		throw new Error(`not a port: ${port}`);
	state().port = port;
}

/**
 * The environment that makes a Node process this repository launches reach the emulator on
 * 127.0.0.1:port for api.stripe.com, and trust its certificate.
 * @param {number} port
 * @param {NodeJS.ProcessEnv} [env] whose NODE_OPTIONS to extend
 */
function routedEnv(port, env = {}) {
	if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`not a port: ${port}`);
	return {
		NODE_OPTIONS: [env.NODE_OPTIONS, `--require ${JSON.stringify(__filename)}`]
			.filter(Boolean)
			.join(' '),
		NODE_EXTRA_CA_CERTS: CA_PATH,
		STRIPE_EMULATOR_PORT: String(port),
	};
}

// As a preload (--require), the port comes from the
// environment; without one, api.stripe.com is refused.
if (module.parent?.id === 'internal/preload') {
	const port = process.env.STRIPE_EMULATOR_PORT;
	routeStripeTo(port ? Number(port) : undefined);
}

module.exports = { routeStripeTo, routedEnv, CA_PATH, TLS_DIR, STRIPE_HOST };
