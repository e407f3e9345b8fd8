// n8n's community-node rules, plus typescript-eslint's recommended set for the TypeScript itself.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
	{
		files: ['**/*.ts'],
		rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }] },
	},
	// The "without n8n Cloud support" set: n8n Cloud admits no runtime dependencies at all, and this
	// package needs one (below), so it is for self-hosted n8n; the Cloud-only import and global
	// restrictions would flag that same choice again.
	{
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
		files: ['package.json', 'index.ts', 'nodes/**', 'credentials/**'],
	},
	{
		files: ['package.json'],
		// typescript-eslint reads .json as an object expression, which is what n8n's package rules walk.
		languageOptions: { parser: tseslint.parser },
		rules: {
			// Knowingly off: `stripe` is a runtime dependency on purpose. The official SDK gives typed
			// requests against a pinned API version, retries with backoff and idempotency keys, and
			// auto-pagination; rewriting that over n8n's HTTP helpers would be a worse Stripe client.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['test/**/*.ts', 'scripts/**'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
);
