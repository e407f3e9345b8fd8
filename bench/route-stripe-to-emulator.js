/**
 * Preloaded (NODE_OPTIONS=--require) into the benchmark's own n8n process only: TLS connections
 * to api.stripe.com go to the emulator on 127.0.0.1 instead. The name is still checked against
 * the emulator's throwaway certificate, trusted through NODE_EXTRA_CA_CERTS. Nothing on the
 * system changes.
 */
'use strict';
const tls = require('node:tls');

const port = Number(process.env.STRIPE_BENCH_EMULATOR_PORT);
const connect = tls.connect;
tls.connect = function routeStripe(...args) {
	const options = args.find((a) => a && typeof a === 'object');
	if (options && (options.host === 'api.stripe.com' || options.servername === 'api.stripe.com')) {
		options.servername = 'api.stripe.com';
		options.host = '127.0.0.1';
		options.port = port;
		if (typeof args[0] === 'number') args[0] = port;
		if (typeof args[1] === 'string') args[1] = '127.0.0.1';
	}
	return connect.apply(this, args);
};
