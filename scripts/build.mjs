// Compiles the package into dist/ and copies what tsc leaves behind: node icons and codex files.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(
	process.execPath,
	[join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
	{
		cwd: root,
		stdio: 'inherit',
	},
);

function copyAssets(dir) {
	for (const name of readdirSync(join(root, dir))) {
		const rel = join(dir, name);
		if (statSync(join(root, rel)).isDirectory()) copyAssets(rel);
		else if (name.endsWith('.svg') || name.endsWith('.node.json'))
			cpSync(join(root, rel), join(root, 'dist', rel));
	}
}
copyAssets('nodes');
copyAssets('credentials');
