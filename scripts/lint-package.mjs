#!/usr/bin/env node
/**
 * `npm run lint`, last step: lint the package exactly as n8n's verification scanner does, offline.
 *
 * `npx @n8n/scan-community-package <name>` (0.32.0) downloads a published version, checks its npm
 * provenance, fetches the GitHub commit the provenance names and runs two ESLint passes with its
 * own config (`buildScanConfig`: the Cloud ruleset of @n8n/eslint-plugin-community-nodes as the
 * scanner pins it, `no-console: error`, and eslint-plugin-n8n-nodes-base's community, credentials
 * and nodes rulesets), with `allowInlineConfig: false`, so eslint-disable comments count for nothing:
 *   1. the source: `SOURCE_FILE_PATTERNS` (package.json and {nodes,credentials}/**);
 *   2. the tarball: its compiled `**\/*.js` and the published package.json.
 * This script imports the scanner's own `analyzePackage` (which builds that config) and runs both
 * passes here: the first on this working tree, the second on what `npm pack` produces now. Only
 * the network legs (registry, provenance, GitHub download) are left out.
 *
 * Not `n8n-node lint` (@n8n/node-cli): it only runs `eslint .` on the project (no tarball pass),
 * and with `n8n.strict` it requires eslint.config.mjs to be its two-line template, which puts
 * the Cloud rules on every .ts file, tests included; the tests use the stripe SDK, process and
 * timers on purpose. (`n8n-node build` would compile the tests too: plain `tsc` on tsconfig.json.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.tmp', 'lint-package');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'tmp'), { recursive: true });
// The scanner makes (and never removes) a temporary folder when it is loaded: keep it in ours.
process.env.TMPDIR = join(work, 'tmp');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import('@n8n/scan-community-package/scanner/scanner.mjs');

let failed = false;
function report(label, result) {
	if (result.details) console.log(result.details);
	console.log(`${result.passed ? 'passed' : 'FAILED'}: ${label}${result.message ? ` (${result.message})` : ''}`);
	if (!result.passed) failed = true;
}

report('scanner, source leg (package.json, nodes/, credentials/)', await analyzePackage(root, SOURCE_FILE_PATTERNS));

// The tarball as it would be published. The project's .npmrc turns lifecycle scripts off, so
// `npm pack` would not run `prepack`: build first, then pack what was built.
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
	cwd: root,
	encoding: 'utf8',
})
	.trim()
	.split('\n')
	.pop();
const packageDir = join(work, 'package');
mkdirSync(packageDir);
execFileSync('tar', ['-xzf', join(work, tarball), '-C', packageDir, '--strip-components=1']);

function listFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? listFiles(join(dir, entry.name)) : [relative(packageDir, join(dir, entry.name))],
	);
}
const testFiles = listFiles(packageDir).filter((file) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$/.test(file));
if (testFiles.length > 0) {
	console.log(`The tarball must not contain tests:\n  ${testFiles.join('\n  ')}`);
	failed = true;
}

report(`scanner, tarball leg (${tarball}: **/*.js, package.json)`, await analyzePackage(packageDir, ['**/*.js', 'package.json']));

process.exitCode = failed ? 1 : 0;
