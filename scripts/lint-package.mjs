#!/usr/bin/env node
/**
 * `npm run lint`, last step: lint the package exactly as n8n's verification scanner does, offline.
 *
 * `npx @n8n/scan-community-package <name>` (0.32.0) downloads a published version,
 * checks its npm provenance, fetches the GitHub commit the provenance names and runs
 * two ESLint passes with its own config (`buildScanConfig`: the Cloud ruleset of
 * @n8n/eslint-plugin-community-nodes as the scanner pins it, `no-console: error`,
 * and eslint-plugin-n8n-nodes-base's community, credentials and nodes rulesets),
 * with `allowInlineConfig: false`, so eslint-disable comments count for nothing:
 *   1. the source: `SOURCE_FILE_PATTERNS` (package.json and {nodes,credentials}/**);
 *   2. the tarball: its compiled `**\/*.js` and the published package.json.
 * This script imports the scanner's own `analyzePackage` (which builds that config) and runs both
 * passes here: the first on this working tree, the second on what `npm pack` produces now. Only
 * the network legs (registry, provenance, GitHub download) are left out.
 *
 * One check more than the scanner: its no-restricted-imports lets any devDependency through
 * (taken to be bundled at build), but this build bundles nothing, so a devDependency required by
 * what ships (stripe, say) passes the scan and fails on n8n. Here the shipped sources and the
 * tarball's .js may load only relative files, peerDependencies and the modules n8n Cloud's
 * allow-list says the host provides; for the sources, type-only imports count too.
 *
 * Not `n8n-node lint` (@n8n/node-cli): it only runs `eslint .` on the project (no tarball pass),
 * and with `n8n.strict` it requires eslint.config.mjs to be its two-line template, which puts
 * the Cloud rules on every .ts file, tests included; the tests use the stripe SDK, process and
 * timers on purpose. (`n8n-node build` would compile the tests too: plain `tsc` on tsconfig.json.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.tmp', 'lint-package');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'tmp'), { recursive: true });
// The scanner makes (and never removes) a temporary folder when it is loaded: keep it in ours.
process.env.TMPDIR = join(work, 'tmp');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(
	'@n8n/scan-community-package/scanner/scanner.mjs'
);

let failed = false;
function report(label, result) {
	// The scanner passes a folder where its patterns match nothing: that is no pass for us.
	const passed = result.passed && !result.message;
	if (result.details) console.log(result.details);
	console.log(
		`${passed ? 'passed' : 'FAILED'}: ${label}${result.message ? ` (${result.message})` : ''}`,
	);
	if (!passed) failed = true;
}

// First, the scanner must fail a canary that breaks the rules this package must keep, so that
// a scanner or config that checks nothing cannot pass the real package below.
const canary = join(work, 'canary');
mkdirSync(join(canary, 'nodes', 'Canary'), { recursive: true });
writeFileSync(
	join(canary, 'package.json'),
	JSON.stringify({
		name: 'n8n-nodes-canary',
		version: '0.0.0',
		dependencies: { stripe: '*' },
		n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Canary/Canary.node.js'] },
	}),
);
writeFileSync(
	join(canary, 'nodes', 'Canary', 'Canary.node.js'),
	"const fs = require('fs');\nconst Stripe = require('stripe');\n" +
		'setTimeout(() => console.log(process.env.KEY, __dirname, fs, Stripe), 1);\n',
);
const canaryResult = await analyzePackage(canary, ['**/*.js', 'package.json']);
const CANARY_RULES = [
	'no-restricted-globals',
	'no-restricted-imports',
	'no-runtime-dependencies',
	'no-console',
];
const missed = CANARY_RULES.filter((rule) => !(canaryResult.details ?? '').includes(rule));
console.log(
	`${missed.length ? 'FAILED' : 'passed'}: the scanner catches a canary's ` +
		`${CANARY_RULES.join(', ')}${missed.length ? ` (missed: ${missed.join(', ')})` : ''}`,
);
if (canaryResult.passed || missed.length) failed = true;

report(
	'scanner, source leg (package.json, nodes/, credentials/)',
	await analyzePackage(root, SOURCE_FILE_PATTERNS),
);

// The tarball as it would be published. The project's .npmrc turns lifecycle scripts off, so
// `npm pack` would not run `prepack`: build first, then pack what was built.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const tarball = execFileSync(
	'npm',
	['pack', '--ignore-scripts', '--silent', '--pack-destination', work],
	{
		cwd: root,
		encoding: 'utf8',
	},
)
	.trim()
	.split('\n')
	.pop();
const packageDir = join(work, 'package');
mkdirSync(packageDir);
execFileSync('tar', ['-xzf', join(work, tarball), '-C', packageDir, '--strip-components=1']);

function listFiles(dir, base = packageDir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory()
			? listFiles(join(dir, entry.name), base)
			: [relative(base, join(dir, entry.name))],
	);
}
const testFiles = listFiles(packageDir).filter((file) =>
	/(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$/.test(file),
);
if (testFiles.length > 0) {
	console.log(`The tarball must not contain tests:\n  ${testFiles.join('\n  ')}`);
	failed = true;
}

report(
	`scanner, tarball leg (${tarball}: **/*.js, package.json)`,
	await analyzePackage(packageDir, ['**/*.js', 'package.json']),
);

// n8n Cloud's allow-list, as no-restricted-imports in @n8n/eslint-plugin-community-nodes has it.
const HOST_MODULES = [
	'n8n-workflow',
	'ai-node-sdk',
	'@n8n/ai-node-sdk',
	'lodash',
	'moment',
	'p-limit',
	'luxon',
	'zod',
	'crypto',
	'node:crypto',
];
const { peerDependencies = {} } = JSON.parse(
	readFileSync(join(packageDir, 'package.json'), 'utf8'),
);
const loadable = new Set([...HOST_MODULES, ...Object.keys(peerDependencies)]);
const SPECIFIER = new RegExp(
	[
		String.raw`\bfrom\s*['"]([^'"]+)['"]`,
		String.raw`\bimport\s*\(?\s*['"]([^'"]+)['"]`,
		String.raw`\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)`,
	].join('|'),
	'g',
);
function foreignModules(dir, files) {
	return files.flatMap((file) => {
		const text = readFileSync(join(dir, file), 'utf8');
		return [...text.matchAll(SPECIFIER)].flatMap((match) => {
			const specifier = match[1] ?? match[2] ?? match[3];
			if (specifier.startsWith('./') || specifier.startsWith('../')) return [];
			const name = specifier.startsWith('@')
				? specifier.split('/').slice(0, 2).join('/')
				: specifier.split('/')[0];
			if (loadable.has(name)) return [];
			return [
				`${relative(root, join(dir, file))}:` +
					`${text.slice(0, match.index).split('\n').length}  ${specifier}`,
			];
		});
	});
}
const shippedSources = [
	'index.ts',
	...['nodes', 'credentials'].flatMap((dir) => listFiles(join(root, dir), root)),
].filter((file) => /\.[cm]?[jt]s$/.test(file));
const shippedJs = listFiles(packageDir).filter((file) => /\.[cm]?js$/.test(file));
const foreign = [...foreignModules(root, shippedSources), ...foreignModules(packageDir, shippedJs)];
if (foreign.length > 0)
	console.log(
		'\nModules the host does not provide (package.json has no dependencies):\n  ' +
			foreign.join('\n  '),
	);
console.log(
	`${foreign.length ? 'FAILED' : 'passed'}: shipped sources and tarball load only relative ` +
		`files, peerDependencies and host modules${foreign.length ? ` (${foreign.length})` : ''}`,
);
if (foreign.length > 0) failed = true;

// And literally, whatever the scanner's rules make of them: no shipped .js mentions these.
const FORBIDDEN = [
	'process.env',
	'require("stripe")',
	"require('stripe')",
	'require("fs")',
	"require('fs')",
	'require("node:fs")',
	"require('node:fs')",
];
const mentions = shippedJs.flatMap((file) => {
	const text = readFileSync(join(packageDir, file), 'utf8');
	return FORBIDDEN.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
});
if (mentions.length > 0) console.log(`\n  ${mentions.join('\n  ')}`);
console.log(
	`${mentions.length ? 'FAILED' : 'passed'}: no shipped .js (${shippedJs.length} files) ` +
		'mentions process.env, require("stripe") or require("fs")',
);
if (mentions.length > 0 || shippedJs.length === 0) failed = true;

process.exitCode = failed ? 1 : 0;
