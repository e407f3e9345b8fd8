/** Two suites: `engine` runs workflows through n8n-core against the Stripe emulator (npm test);
 * `e2e` drives a real n8n server (npm run test:e2e). Both reach the emulator as api.stripe.com
 * (test/route-stripe.js, set up by test/setup-route.ts). */
const { CA_PATH } = require('./test/route-stripe');

// Node reads NODE_EXTRA_CA_CERTS at process start: this reaches the workers jest starts from here
// on (the npm scripts set it for jest itself). Connections routed to the emulator carry the test
// CA themselves, so a run in band without it works too.
process.env.NODE_EXTRA_CA_CERTS = CA_PATH;

const tsJest = {
	'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
};
module.exports = {
	projects: [
		{
			displayName: 'engine',
			testEnvironment: 'node',
			transform: tsJest,
			testMatch: ['<rootDir>/test/engine/**/*.test.ts', '<rootDir>/test/emulator/**/*.test.ts'],
			setupFiles: ['<rootDir>/test/engine/setup-env.ts', '<rootDir>/test/setup-route.ts'],
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			transform: tsJest,
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			setupFiles: ['<rootDir>/test/setup-route.ts'],
		},
	],
};
