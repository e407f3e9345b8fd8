// n8n's Cloud ruleset for what ships (package.json, index.ts, nodes/, credentials/), with no rule
// switched off, plus typescript-eslint's recommended set for all TypeScript, and lines of at most
// 100 columns everywhere. After eslint, `npm run lint` checks that no path leaves the repository
// and that imports keep their layers (scripts/lint-paths.mjs), then runs n8n's verification
// scanner over the sources and the packed tarball (scripts/lint-package.mjs).
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', ignoreRestSiblings: true },
			],
		},
	},
	{
		...n8nCommunityNodesPlugin.configs.recommended,
		files: ['package.json', 'index.ts', 'nodes/**', 'credentials/**'],
		// The verification scanner adds this one to the Cloud set...
		rules: { ...n8nCommunityNodesPlugin.configs.recommended.rules, 'no-console': 'error' },
		// ...and ignores eslint-disable comments (allowInlineConfig: false): so do we, for what ships.
		linterOptions: { noInlineConfig: true },
	},
	{
		files: ['package.json'],
		// typescript-eslint reads .json as an object
		// expression, which is what n8n's package rules walk.
		languageOptions: { parser: tseslint.parser },
	},
	{
		files: ['test/**/*.ts', 'scripts/**'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		// Prettier prints code within 100 columns (a tab counting 2) but leaves comments, strings and
		// regular expressions as written: this holds them to the same width, with no exceptions.
		files: ['**/*.{ts,js,mjs,cjs}'],
		rules: { 'max-len': ['error', { code: 100, tabWidth: 2 }] },
	},
);
