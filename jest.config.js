/** Two suites: `engine` runs workflows through n8n-core against the Stripe emulator (npm test);
 * `e2e` drives a real n8n server (npm run test:e2e). */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] };
module.exports = {
  projects: [
    {
      displayName: 'engine',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/engine/**/*.test.ts', '<rootDir>/test/emulator/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/engine/setup-env.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
