#!/usr/bin/env node
/**
 * `npm run lint`, after eslint: the repository stands alone, and the code's folders keep their
 * layers.
 *
 * 1. No relative path leaves the repository root. In every git-tracked file, and every untracked
 *    one git does not ignore, of the kinds code, tests, scripts and config are written in (.ts,
 *    .js, .mjs, .cjs, .json, .sh, .yml, .md, dotfiles such as .npmrc, scripts with a #! line),
 *    every relative path-looking string ('../x', "./x", `../x`, a bare `..`) is resolved from the
 *    file's folder (shell and workflow files run from the root too, so from there as well). In
 *    JavaScript and TypeScript, path expressions are evaluated as well as a static reading allows:
 *    join() and resolve() (of node:path), dirname(), fileURLToPath(import.meta.url), __dirname,
 *    process.cwd(), `+` and template literals, and constants declared in the same file (so
 *    join(root, '..') is resolved through `const root = ...`). In shell scripts, paths after
 *    $(dirname "$0") are resolved from the script's folder.
 * 2. No mention of a folder named shared outside the repository (the repository's own is
 *    nodes/shared/, reached from nodes/ or by a path that resolves to it) and none of the design
 *    document that lived beside the repository. Large data JSON (the emulator's Stripe fixtures
 *    and contract) is only searched for those two strings.
 * 3. No import cycle among nodes/ and credentials/: value imports only (a type-only import is
 *    erased by tsc), relative specifiers resolved to .ts or /index.ts.
 * 4. Nothing under nodes/shared/ imports from a node's folder (nodes/StripeGuard/ and the
 *    others): what several nodes share depends on no one node. Type-only imports count here.
 *
 * First, as scripts/lint-package.mjs does for n8n's scanner, the same checks run on canaries
 * written under .tmp/lint-paths/: they must report exactly the canaries' faulty lines, so that
 * checks that catch nothing cannot pass the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Built rather than written out, so that this file does not report itself.
const SHARED = 'shared';
const DESIGN_DOC = ['DESIGN', 'md'].join('.');
const DESIGN_PATTERN = new RegExp(DESIGN_DOC.replace('.', '\\.'), 'i');

const CODE_EXTENSIONS = new Set(['.ts', '.js', '.mjs', '.cjs']);
const TEXT_EXTENSIONS = new Set([...CODE_EXTENSIONS, '.json', '.sh', '.yml', '.yaml', '.md']);
/** Large data: searched for the two strings only, not parsed for paths. */
const isData = (file) =>
	file.startsWith('test/emulator/data/') || file === 'test/emulator/contract/stripe-contract.json';
const SKIPPED = (file) =>
	/^(dist|coverage|\.tmp)\//.test(file) ||
	file.split('/').includes('node_modules') ||
	basename(file) === 'package-lock.json';

/** The files git knows or would add (tracked, and untracked but not ignored), less SKIPPED. */
function repositoryFiles(dir) {
	const out = execFileSync(
		'git',
		['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
		{
			cwd: dir,
			encoding: 'utf8',
			maxBuffer: 64 * 1024 * 1024,
		},
	);
	return [...new Set(out.split('\0').filter(Boolean))].filter((file) => !SKIPPED(file)).sort();
}

function isShellLike(file, text) {
	const ext = extname(file);
	if (ext === '.sh') return true;
	return ext === '' && text.startsWith('#!') && /\b(ba|z|da)?sh\b/.test(text.split('\n')[0]);
}

/** Which of the files are scanned, and how: 'text', 'data', or undefined (not at all). */
function kindOf(file, text) {
	if (text.includes('\0')) return undefined;
	if (isData(file)) return 'data';
	const ext = extname(file);
	if (TEXT_EXTENSIONS.has(ext)) return 'text';
	if (basename(file).startsWith('.')) return 'text';
	if (ext === '' && text.startsWith('#!')) return 'text';
	return undefined;
}

const lineOf = (text, index) => text.slice(0, index).split('\n').length;
const isOutside = (base, abs) => {
	const rel = relative(base, abs);
	return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
};

// A relative path: `./x`, `../x`, or a bare `..`, not inside a longer path, name or number.
const RELATIVE = /(?<![\w$.\\/~@-])(?:\.\.?(?=\/)[^\s'"`()[\]{},;<>|*?#!]*|\.\.(?![\w./]))/g;
// A path from a shell script's own folder: "$(dirname "$0")/..",
// "$(dirname "${BASH_SOURCE[0]}")/x".
const SCRIPT_DIR =
	/\$\(\s*dirname\s+"?\$(?:0|\{0\}|BASH_SOURCE|\{BASH_SOURCE(?:\[0\])?\})"?\s*\)(\/[^\s'"`;)|&]*)/g;
// A folder named shared, with whatever path leads to it.
const SHARED_MENTION = new RegExp(`[\\w.$~@/-]*(?<![\\w$-])${SHARED}/`, 'g');

/**
 * Scans one file's text; returns [{ line, kind: 'path' | 'mention', message }]. Its relative
 * paths are resolved from its own folder, and from the root too for files that run there.
 */
function scanText(base, file, text) {
	const problems = [];
	const add = (index, kind, message) => problems.push({ line: lineOf(text, index), kind, message });
	const fileDir = dirname(join(base, file));
	const runsFromRoot = isShellLike(file, text) || /\.ya?ml$/.test(file);
	const bases = runsFromRoot ? [fileDir, base] : [fileDir];

	for (const match of text.matchAll(RELATIVE)) {
		// A sentence's full stop or colon after a path is not part of it.
		const token = match[0].replace(/(?<=\w)[.:,]+$/, '');
		for (const from of bases) {
			const abs = resolve(from, token);
			if (isOutside(base, abs)) {
				add(
					match.index,
					'path',
					`'${token}' leaves the repository root (from ${relative(base, from) || '.'})`,
				);
				break;
			}
		}
	}
	if (runsFromRoot)
		for (const match of text.matchAll(SCRIPT_DIR)) {
			const abs = resolve(fileDir, `.${match[1]}`);
			if (isOutside(base, abs))
				add(match.index, 'path', `'${match[0]}' leaves the repository root`);
		}
	for (const match of text.matchAll(SHARED_MENTION)) {
		const token = match[0];
		const before = token.slice(0, -`${SHARED}/`.length);
		const segments = before.split('/').filter(Boolean);
		let fine;
		if (before === '') fine = existsSync(join(fileDir, SHARED));
		else if (/^\.\.?\//.test(before) || before === '.' || before === '..')
			fine = bases.every((from) => {
				const abs = resolve(from, before, SHARED);
				if (isOutside(base, abs)) return false;
				return segments.at(-1) === 'nodes' || existsSync(abs);
			});
		else fine = segments.at(-1) === 'nodes' && !before.startsWith('/');
		if (!fine)
			add(match.index, 'mention', `'${token}' names a ${SHARED}/ folder outside the repository`);
	}
	for (const match of text.matchAll(new RegExp(DESIGN_PATTERN, 'gi')))
		add(match.index, 'mention', `mentions ${DESIGN_DOC}, a document outside the repository`);

	if (CODE_EXTENSIONS.has(extname(file))) problems.push(...scanPathExpressions(base, file, text));
	return problems;
}

/** The data files: the two strings only. */
function scanData(_base, file, text) {
	const problems = [];
	for (const needle of [`../${SHARED}`, DESIGN_DOC]) {
		let index = text.indexOf(needle);
		while (index !== -1) {
			problems.push({
				line: lineOf(text, index),
				kind: 'mention',
				message: `mentions '${needle}', outside the repository`,
			});
			index = text.indexOf(needle, index + needle.length);
		}
	}
	return problems;
}

const scriptKindOf = (file) => (file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);

/**
 * Evaluates path expressions in JavaScript or TypeScript: join(), resolve(), dirname(),
 * fileURLToPath(import.meta.url), __dirname, process.cwd(), `+`, template literals and the file's
 * constants. Reports each expression that comes to a path outside the root.
 */
function scanPathExpressions(base, file, text) {
	const abs = join(base, file);
	const fileDir = dirname(abs);
	const source = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
	const declarations = new Map();
	const visitDeclarations = (node) => {
		if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
			const list = declarations.get(node.name.text) ?? [];
			list.push(node.initializer);
			declarations.set(node.name.text, list);
		}
		ts.forEachChild(node, visitDeclarations);
	};
	visitDeclarations(source);

	const PATH_OBJECTS = new Set(['path', 'posix', 'nodePath', 'pathModule']);
	const calleeName = (callee) => {
		if (ts.isIdentifier(callee)) return callee.text;
		if (
			ts.isPropertyAccessExpression(callee) &&
			ts.isIdentifier(callee.expression) &&
			(PATH_OBJECTS.has(callee.expression.text) || callee.expression.text === 'url')
		)
			return callee.name.text;
		return undefined;
	};
	const UNKNOWN = undefined;
	const PLACEHOLDER = { kind: 'lit', text: 'x' };

	// Values: { kind: 'abs', path } | { kind: 'lit', text } | { kind: 'url', path } | undefined.
	function evaluate(node, depth = 0) {
		if (depth > 25) return UNKNOWN;
		const next = (n) => evaluate(n, depth + 1);
		if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
			return { kind: 'lit', text: node.text };
		if (
			ts.isParenthesizedExpression(node) ||
			ts.isAsExpression(node) ||
			ts.isNonNullExpression(node) ||
			ts.isSatisfiesExpression?.(node)
		)
			return next(node.expression);
		if (ts.isIdentifier(node)) {
			if (node.text === '__dirname') return { kind: 'abs', path: fileDir };
			if (node.text === '__filename') return { kind: 'abs', path: abs };
			const found = declarations.get(node.text);
			return found?.length === 1 ? next(found[0]) : UNKNOWN;
		}
		if (
			ts.isPropertyAccessExpression(node) &&
			ts.isMetaProperty(node.expression) &&
			node.expression.name.text === 'meta'
		) {
			if (node.name.text === 'dirname') return { kind: 'abs', path: fileDir };
			if (node.name.text === 'filename') return { kind: 'abs', path: abs };
			if (node.name.text === 'url') return { kind: 'url', path: abs };
			return UNKNOWN;
		}
		if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
			const [target, from] = (node.arguments ?? []).map(next);
			if (node.expression.text === 'URL' && target?.kind === 'lit' && from?.kind === 'url')
				return { kind: 'url', path: resolve(dirname(from.path), target.text) };
			return UNKNOWN;
		}
		if (ts.isCallExpression(node)) {
			const name = calleeName(node.expression);
			if (
				ts.isPropertyAccessExpression(node.expression) &&
				ts.isIdentifier(node.expression.expression) &&
				node.expression.expression.text === 'process' &&
				node.expression.name.text === 'cwd'
			)
				return { kind: 'abs', path: base };
			const args = node.arguments;
			if (name === 'fileURLToPath') {
				const value = args[0] && next(args[0]);
				return value?.kind === 'url' ? { kind: 'abs', path: value.path } : UNKNOWN;
			}
			if (name === 'dirname') {
				const value = args[0] && next(args[0]);
				return value?.kind === 'abs' ? { kind: 'abs', path: dirname(value.path) } : UNKNOWN;
			}
			if (name === 'join' || name === 'resolve') {
				if (args.length === 0) return UNKNOWN;
				// join() is only node:path's when called bare or on a path object (not array.join).
				if (ts.isPropertyAccessExpression(node.expression) && name === 'join') {
					const object = node.expression.expression;
					if (!ts.isIdentifier(object) || !PATH_OBJECTS.has(object.text)) return UNKNOWN;
				}
				const values = args.map((arg, i) => {
					if (ts.isSpreadElement(arg)) return UNKNOWN;
					const value = next(arg);
					if (value?.kind === 'url') return UNKNOWN;
					return value ?? (i === 0 ? UNKNOWN : PLACEHOLDER);
				});
				if (values.some((v) => v === UNKNOWN)) return UNKNOWN;
				if (name === 'join') {
					const [first, ...rest] = values;
					if (first.kind === 'abs')
						return { kind: 'abs', path: join(first.path, ...rest.map((v) => v.text ?? v.path)) };
					if (rest.every((v) => v.kind === 'lit'))
						return { kind: 'lit', text: join(first.text, ...rest.map((v) => v.text)) };
					return UNKNOWN;
				}
				// resolve(): from the working directory (the root, under npm run) unless absolute.
				return {
					kind: 'abs',
					path: resolve(base, ...values.map((v) => (v.kind === 'abs' ? v.path : v.text))),
				};
			}
			return UNKNOWN;
		}
		if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
			const [left, right] = [next(node.left), next(node.right)];
			if (left?.kind === 'abs' && right?.kind === 'lit' && right.text.startsWith('/'))
				return { kind: 'abs', path: resolve(left.path + right.text) };
			if (left?.kind === 'lit' && right?.kind === 'lit')
				return { kind: 'lit', text: left.text + right.text };
			return UNKNOWN;
		}
		if (ts.isTemplateExpression(node)) {
			const parts = [node.head.text];
			let first;
			for (const [i, span] of node.templateSpans.entries()) {
				const value = next(span.expression);
				if (i === 0 && node.head.text === '' && value?.kind === 'abs') first = value.path;
				else if (value?.kind === 'lit') parts.push(value.text);
				else if (i === 0 && node.head.text === '') return UNKNOWN;
				else parts.push('x');
				parts.push(span.literal.text);
			}
			const rest = parts.join('');
			if (first !== undefined)
				return rest.startsWith('/') || rest === ''
					? { kind: 'abs', path: resolve(first + rest) }
					: UNKNOWN;
			return { kind: 'lit', text: rest };
		}
		return UNKNOWN;
	}

	const problems = [];
	const visit = (node) => {
		const evaluated =
			ts.isCallExpression(node) ||
			ts.isBinaryExpression(node) ||
			ts.isTemplateExpression(node) ||
			ts.isNewExpression(node);
		if (evaluated) {
			let value = evaluate(node);
			if (value?.kind === 'url') value = { kind: 'abs', path: value.path };
			// A relative result of join() of literals only: from the file's folder, as for a string.
			const isPathCall =
				ts.isCallExpression(node) && ['join', 'resolve'].includes(calleeName(node.expression));
			if (value?.kind === 'lit' && isPathCall && /^\.\.(\/|$)/.test(value.text))
				value = { kind: 'abs', path: resolve(fileDir, value.text) };
			if (value?.kind === 'abs' && isOutside(base, value.path)) {
				const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
				const text = node.getText(source).replace(/\s+/g, ' ');
				const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
				const target = relative(base, value.path);
				problems.push({
					line: line + 1,
					kind: 'path',
					message: `${shown} comes to ${target}, outside the repository root`,
				});
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return problems;
}

/**
 * Scans files (paths relative to `base`): [{ file, line, kind, message }], and how many it read.
 */
function scanFiles(base, files) {
	const found = [];
	let scanned = 0;
	for (const file of files) {
		const path = join(base, file);
		if (!existsSync(path) || !statSync(path).isFile()) continue;
		const text = readFileSync(path, 'utf8');
		const kind = kindOf(file, text);
		if (!kind) continue;
		scanned++;
		const problems = (kind === 'data' ? scanData : scanText)(base, file, text);
		// One report a line and kind (a path can be both a string and part of a join()).
		const seen = new Set();
		for (const problem of problems.sort((a, b) => a.line - b.line)) {
			const key = `${problem.line} ${problem.kind}`;
			if (seen.has(key)) continue;
			seen.add(key);
			found.push({ file, ...problem });
		}
	}
	return { found, scanned };
}

/** Value (or, with `types`, all) imports of a TypeScript file: [{ specifier, line, type }]. */
function importsOf(path) {
	const text = readFileSync(path, 'utf8');
	const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const found = [];
	const add = (literal, type) =>
		found.push({
			specifier: literal.text,
			line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1,
			type,
		});
	const allTypes = (elements) => elements.length > 0 && elements.every((e) => e.isTypeOnly);
	const visit = (node) => {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
			const clause = node.importClause;
			const bindings = clause?.namedBindings;
			const type =
				!!clause &&
				(clause.isTypeOnly ||
					(!clause.name &&
						!!bindings &&
						ts.isNamedImports(bindings) &&
						allTypes(bindings.elements)));
			add(node.moduleSpecifier, type);
		} else if (
			ts.isExportDeclaration(node) &&
			node.moduleSpecifier &&
			ts.isStringLiteral(node.moduleSpecifier)
		) {
			const clause = node.exportClause;
			const type =
				node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && allTypes(clause.elements));
			add(node.moduleSpecifier, type);
		} else if (
			ts.isImportEqualsDeclaration(node) &&
			ts.isExternalModuleReference(node.moduleReference) &&
			ts.isStringLiteral(node.moduleReference.expression)
		) {
			add(node.moduleReference.expression, node.isTypeOnly);
		} else if (
			ts.isCallExpression(node) &&
			node.arguments.length === 1 &&
			ts.isStringLiteral(node.arguments[0]) &&
			((ts.isIdentifier(node.expression) && node.expression.text === 'require') ||
				node.expression.kind === ts.SyntaxKind.ImportKeyword)
		) {
			add(node.arguments[0], false);
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

/** Resolves a relative specifier to a .ts file (x.ts, x/index.ts, x.js written for x.ts). */
function resolveSpecifier(fromFile, specifier, known) {
	if (!/^\.\.?(\/|$)/.test(specifier)) return undefined;
	const target = join(dirname(fromFile), specifier);
	const candidates = [
		target.replace(/\.[cm]?js$/, '.ts'),
		`${target}.ts`,
		join(target, 'index.ts'),
		target,
	];
	return candidates.find((candidate) => known.has(candidate));
}

/** The import checks over `files` (relative to `base`): cycles and nodes/shared/'s layering. */
function checkImports(base, files) {
	const modules = files.filter(
		(file) =>
			/^(nodes|credentials)\//.test(file) && file.endsWith('.ts') && !file.endsWith('.d.ts'),
	);
	const known = new Set(modules.filter((file) => existsSync(join(base, file))));
	const edges = new Map();
	const layering = [];
	let valueImports = 0;
	for (const file of known) {
		const out = [];
		for (const { specifier, line, type } of importsOf(join(base, file))) {
			const target = resolveSpecifier(file, specifier, known);
			if (!target) continue;
			const fromShared = file.startsWith('nodes/shared/');
			const targetFolder = target.split('/')[1];
			if (fromShared && target.startsWith('nodes/') && targetFolder !== SHARED)
				layering.push(
					`${file}:${line}  imports ${target} (the node folder nodes/${targetFolder}/)`,
				);
			if (!type) {
				out.push(target);
				valueImports++;
			}
		}
		edges.set(file, [...new Set(out)]);
	}

	// Tarjan's strongly connected components; each with more than one file (or a file that
	// imports itself) holds a cycle, shown as one concrete loop.
	let index = 0;
	const order = new Map();
	const low = new Map();
	const stack = [];
	const onStack = new Set();
	const components = [];
	const connect = (file) => {
		order.set(file, index);
		low.set(file, index);
		index++;
		stack.push(file);
		onStack.add(file);
		for (const target of edges.get(file) ?? []) {
			if (!order.has(target)) {
				connect(target);
				low.set(file, Math.min(low.get(file), low.get(target)));
			} else if (onStack.has(target)) low.set(file, Math.min(low.get(file), order.get(target)));
		}
		if (low.get(file) === order.get(file)) {
			const component = [];
			let member;
			do {
				member = stack.pop();
				onStack.delete(member);
				component.push(member);
			} while (member !== file);
			components.push(component);
		}
	};
	for (const file of [...known].sort()) if (!order.has(file)) connect(file);

	const cycles = [];
	for (const component of components) {
		const members = new Set(component);
		const start = component.sort()[0];
		if (component.length === 1 && !(edges.get(start) ?? []).includes(start)) continue;
		// Breadth-first from start's imports back to start, within the component.
		const previous = new Map([[start, undefined]]);
		const queue = [start];
		let loop;
		while (queue.length && !loop) {
			const file = queue.shift();
			for (const target of edges.get(file) ?? []) {
				if (target === start) {
					loop = [file];
					break;
				}
				if (members.has(target) && !previous.has(target)) {
					previous.set(target, file);
					queue.push(target);
				}
			}
		}
		const path = [];
		for (let file = loop[0]; file !== undefined; file = previous.get(file)) path.unshift(file);
		cycles.push(
			`${[...path, start].join(' -> ')}  (${component.length} files in the cycle's group)`,
		);
	}
	return { cycles, layering, modules: known.size, valueImports };
}

// -- The canaries ---------------------------------------------------------------------------

const work = join(root, '.tmp', 'lint-paths');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

let failed = false;
const check = (ok, label, details = []) => {
	if (details.length) console.log(`\n  ${details.join('\n  ')}`);
	console.log(`${ok ? 'passed' : 'FAILED'}: ${label}`);
	if (!ok) failed = true;
};

/** Writes canary files; lines ending in `// FLAG` (or ` # FLAG`) must be reported, no others. */
function canaryPaths() {
	const folder = 'canary';
	const dir = join(work, folder);
	const depth = relative(root, dir).split(sep).length;
	const toRoot = Array(depth).fill('..').join('/');
	const ups = (n) => Array(n).fill("'..'").join(', ');
	const files = {
		'escape.ts': [
			"import { join, resolve, dirname } from 'node:path';",
			"import { fileURLToPath } from 'node:url';",
			`import outside from '${toRoot}/../outside'; // FLAG`,
			`import { isStripeId } from '${toRoot}/nodes/${SHARED}/ids';`,
			`const up = join(__dirname, ${ups(depth + 1)}, 'x'); // FLAG`,
			`const home = join(__dirname, ${ups(depth)});`,
			`const byResolve = resolve(__dirname, '${toRoot}/..'); // FLAG`,
			`const here = dirname(fileURLToPath(import.meta.url));`,
			`const root = join(here, '${toRoot}');`,
			"const sibling = join(root, '..', 'elsewhere'); // FLAG",
			`const inside = join(root, 'nodes', '${SHARED}');`,
			'const template = `${root}/../elsewhere`; // FLAG',
			"const added = root + '/..'; // FLAG",
			`const fromUrl = new URL('${toRoot}/../x', import.meta.url); // FLAG`,
			`// see ${SHARED}/n8n/README.md // FLAG`,
			`// as ${DESIGN_DOC} says // FLAG`,
			`// the repository's own: nodes/${SHARED}/transport/windows.ts`,
			"const words = ['a', 'b'].join('..');",
			'export { outside, isStripeId, up, home, byResolve, ' +
				'sibling, inside, template, added, fromUrl, words };',
		],
		'run.sh': [
			'#!/usr/bin/env bash',
			`cd "$(dirname "$0")/${toRoot}"`,
			`cd "$(dirname "$0")/${toRoot}/.." # FLAG`,
			'cat ../README.md # FLAG',
		],
		'.npmrc': [`# see ../${SHARED}/n8n/README.md # FLAG`, 'ignore-scripts=true'],
		'config.json': [
			'{',
			`  "extends": "${toRoot}/../tsconfig.json", "_": "FLAG",`,
			'  "ok": "./x"',
			'}',
		],
	};
	for (const [name, lines] of Object.entries(files)) {
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
	}
	const expected = Object.entries(files).flatMap(([name, lines]) =>
		lines.flatMap((line, i) => (line.includes('FLAG') ? [`${folder}/${name}:${i + 1}`] : [])),
	);
	// Scanned from the real root, which is what their relative paths are measured against.
	const prefix = `${relative(root, work).split(sep).join('/')}/`;
	const reported = scanFiles(
		root,
		Object.keys(files).map((name) => `${prefix}${folder}/${name}`),
	).found.map(({ file, line }) => `${file.slice(prefix.length)}:${line}`);

	// The data files' check applies by path: a canary data file under a root of its own.
	const dataFile = 'test/emulator/data/canary.json';
	mkdirSync(join(work, dirname(dataFile)), { recursive: true });
	writeFileSync(join(work, dataFile), `{\n"a": "x",\n"b": "../${SHARED}/stripe"\n}\n`);
	expected.push(`${dataFile}:3`);
	reported.push(...scanFiles(work, [dataFile]).found.map(({ file, line }) => `${file}:${line}`));

	const missed = expected.filter((e) => !reported.includes(e));
	const extra = [...new Set(reported.filter((r) => !expected.includes(r)))];
	return { missed, extra, count: expected.length };
}

function canaryImports() {
	const base = join(work, 'imports');
	const files = {
		'nodes/shared/a.ts': "import { b } from '../NodeA/b';\nexport const a = () => b;\n",
		'nodes/NodeA/b.ts': `import { a } from '../${SHARED}/a';\nexport const b = 1;\nexport { a };\n`,
		'nodes/NodeA/c.ts': "import type { D } from './d';\nexport type C = D | 1;\n",
		'nodes/NodeA/d.ts': "import { type C } from './c';\nexport type D = C | 2;\n",
		'nodes/NodeB/e.ts': "export * from './f';\n",
		'nodes/NodeB/f/index.ts': "import { e } from '..';\nexport const f = e;\n",
		'nodes/NodeB/index.ts': "export const e = 1;\nexport { f } from './f';\n",
	};
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(dirname(join(base, name)), { recursive: true });
		writeFileSync(join(base, name), text);
	}
	const { cycles, layering } = checkImports(base, Object.keys(files));
	const problems = [];
	const cycleAB = cycles.some(
		(c) => c.includes('nodes/NodeA/b.ts') && c.includes('nodes/shared/a.ts'),
	);
	const cycleF = cycles.some(
		(c) => c.includes('nodes/NodeB/f/index.ts') && c.includes('nodes/NodeB/index.ts'),
	);
	const typeCycle = cycles.some((c) => c.includes('nodes/NodeA/c.ts'));
	if (!cycleAB) problems.push(`missed the cycle ${SHARED}/a.ts <-> NodeA/b.ts`);
	if (!cycleF) problems.push('missed the cycle NodeB/index.ts -> f/index.ts -> ..');
	if (typeCycle) problems.push('took a type-only cycle (NodeA/c.ts <-> d.ts) for one');
	if (cycles.length !== 2) problems.push(`expected 2 cycles, found ${cycles.length}`);
	if (!(layering.length === 1 && layering[0].startsWith('nodes/shared/a.ts:1')))
		problems.push(`expected nodes/shared/a.ts:1 importing a node folder, got ${layering.length}`);
	return problems;
}

const paths = canaryPaths();
const imports = canaryImports();
check(
	paths.missed.length === 0 && paths.extra.length === 0 && imports.length === 0,
	`the checks catch canaries in .tmp/lint-paths/ (${paths.count} faulty lines, 2 import cycles, ` +
		'1 import of a node folder) and nothing else there',
	[
		...paths.missed.map((m) => `missed ${m}`),
		...paths.extra.map((e) => `reported a fine line: ${e}`),
		...imports,
	],
);

// -- The repository -------------------------------------------------------------------------

const files = repositoryFiles(root);
const { found, scanned } = scanFiles(root, files);
const show = ({ file, line, message }) => `${file}:${line}  ${message}`;
const leaving = found.filter((problem) => problem.kind === 'path').map(show);
const mentions = found.filter((problem) => problem.kind === 'mention').map(show);
check(
	leaving.length === 0 && scanned > 50,
	`no relative path leaves the repository root (${scanned} files scanned` +
		`${leaving.length ? `, ${leaving.length} found` : ''})`,
	leaving,
);
check(
	mentions.length === 0,
	`no mention of a ${SHARED}/ folder outside the repository or of ${DESIGN_DOC}` +
		`${mentions.length ? ` (${mentions.length} found)` : ''}`,
	mentions,
);

const { cycles, layering, modules, valueImports } = checkImports(root, files);
check(
	cycles.length === 0 && modules > 10,
	`no import cycle among nodes/ and credentials/ (${modules} files, ${valueImports} value imports` +
		`${cycles.length ? `, ${cycles.length} cycles` : ''})`,
	cycles,
);
check(
	layering.length === 0,
	`nothing under nodes/${SHARED}/ imports from a node folder` +
		`${layering.length ? ` (${layering.length} imports)` : ''}`,
	layering,
);

process.exitCode = failed ? 1 : 0;
