// Derives test/emulator/contract/stripe-contract.json from the installed `stripe` package, so the
// emulator's contract checker (test/emulator/contract) rests on Stripe's published definitions and
// not on our reading of them:
// - the endpoint table (HTTP method + path template) from
//   the `_makeRequest` calls in cjs/resources/**.js;
// - each endpoint's parameter schema and response type from the matching method in the .d.ts;
// - object schemas from the .d.ts interfaces, via the TypeScript compiler API.
// Usage: node scripts/generate-stripe-contract.mjs [--check] (--check: exit 1 if the file differs)
// Deterministic: files, endpoints and definitions are sorted; nothing depends on time or machine.
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stripeDir = join(root, 'node_modules/stripe');
const cjs = join(stripeDir, 'cjs');
const resourcesDir = join(cjs, 'resources');
const outFile = join(root, 'test/emulator/contract/stripe-contract.json');

/*
 * Schema kinds written to the JSON (key `t`):
 *   string | number | boolean (`const` for a `true`/`false` literal) | decimal (Stripe's Decimal: a
 *   decimal string on the wire) | enum (`values`; `open` when the union also has OtherString, i.e.
 *   Stripe may add values later) | object (`props`, `optional`, `additional` for index signatures)
 *   | array (`items`) | anyOf (`of`) | nullable (`of`) | emptyable (`of`; Stripe.Emptyable<T> also
 *   takes '' meaning "unset") | expandable (`of`: the object types a `string | Object` field
 *   expands to; the ID string otherwise) | partial (`of`: Partial<T>) | absent (`deleted?: void`:
 *   the key must not be there) | ref (`n`, optional `args` for generics) | tparam (`n`) |
 *   unknown (`why`).
 * A schema with nothing but its kind is written as the bare word ("string", "number"...).
 * The .d.ts say `number` for both integers and amounts with decimals: integer-ness is not
 * recoverable here, so there is no integer kind.
 */

function walk(dir, ext) {
	const out = [];
	for (const name of readdirSync(dir).sort()) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...walk(p, ext));
		else if (name.endsWith(ext) && !(ext === '.js' && name.endsWith('.d.js'))) out.push(p);
	}
	return out;
}
const rel = (p) => relative(cjs, p).split(sep).join('/');

const dtsFiles = walk(resourcesDir, '.d.ts');
const program = ts.createProgram(dtsFiles, {
	noEmit: true,
	skipLibCheck: true,
	types: [],
	target: ts.ScriptTarget.ES2022,
	module: ts.ModuleKind.CommonJS,
});
const checker = program.getTypeChecker();

// ---- names -----------------------------------------------------------------------------------

/** Stable, readable definition name: the declaration's qualified
 * name inside its file, prefixed with the resource folder (Checkout,
 * V2.Core...) unless the file's own namespace already says it. */
function defName(symbol) {
	const decl = symbol.declarations[0];
	const file = decl.getSourceFile().fileName;
	const parts = [symbol.name];
	for (let n = decl.parent; n && !ts.isSourceFile(n); n = n.parent) {
		if (ts.isModuleDeclaration(n)) parts.unshift(n.name.text);
	}
	const r = relative(resourcesDir, file).split(sep);
	const folders = r.length > 1 && !r[0].startsWith('..') ? r.slice(0, -1) : [];
	if (folders.length && parts[0] !== folders[0]) parts.unshift(...folders);
	return parts.join('.');
}

function resolveSymbol(node) {
	let s = checker.getSymbolAtLocation(node);
	if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
	return s;
}

// ---- type conversion ---------------------------------------------------------------------------

const defs = new Map(); // name -> schema
const symbolNames = new Map(); // symbol -> name
const nameOwners = new Map(); // name -> symbol (collision detection)
const resourceCache = new Map();

const unknown = (why) => ({ t: 'unknown', why });

function isNullNode(n) {
	return (
		n.kind === ts.SyntaxKind.NullKeyword ||
		(ts.isLiteralTypeNode(n) && n.literal.kind === ts.SyntaxKind.NullKeyword)
	);
}

function typeDecls(symbol) {
	return (symbol.declarations ?? []).filter(
		(d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d),
	);
}

/** An API object: an interface with `object: '<literal>'` (own or inherited), or an alias of a
 * union of such. Only these make a `string | X` field expandable. */
function isResource(symbol, seen = new Set()) {
	if (resourceCache.has(symbol)) return resourceCache.get(symbol);
	if (seen.has(symbol)) return false;
	seen.add(symbol);
	let result = false;
	for (const d of typeDecls(symbol)) {
		if (ts.isInterfaceDeclaration(d)) {
			if (
				d.members.some(
					(m) =>
						ts.isPropertySignature(m) &&
						m.name.getText() === 'object' &&
						m.type &&
						ts.isLiteralTypeNode(m.type),
				)
			)
				result = true;
			for (const h of d.heritageClauses ?? []) {
				for (const t of h.types) {
					const s = resolveSymbol(t.expression);
					if (s && isResource(s, seen)) result = true;
				}
			}
		} else if (ts.isTypeAliasDeclaration(d) && ts.isUnionTypeNode(d.type)) {
			result = d.type.types.every((m) => {
				if (!ts.isTypeReferenceNode(m)) return false;
				const s = resolveSymbol(m.typeName);
				return !!s && isResource(s, seen);
			});
		}
	}
	resourceCache.set(symbol, result);
	return result;
}

const SPECIAL = {
	Emptyable: (args) => ({ t: 'emptyable', of: conv(args[0]) }),
	OtherString: () => ({ t: 'string' }),
	Decimal: () => ({ t: 'decimal' }),
	Partial: (args) => ({ t: 'partial', of: conv(args[0]) }),
	Array: (args) => ({ t: 'array', items: conv(args[0]) }),
	Record: (args) => ({ t: 'object', props: {}, additional: conv(args[1]) }),
	Date: () => unknown('Date: not a form/JSON wire type'),
	Uint8Array: () => unknown('binary data (multipart upload)'),
	Omit: () => unknown('Omit<...> (used by API v2 event notifications only)'),
};

function ref(symbol, args) {
	let name = symbolNames.get(symbol);
	if (!name) {
		name = defName(symbol);
		const owner = nameOwners.get(name);
		if (owner && owner !== symbol) throw new Error(`Definition name collision: ${name}`);
		nameOwners.set(name, symbol);
		symbolNames.set(symbol, name);
		defs.set(name, null); // placeholder: breaks recursion
		defs.set(name, convDecl(symbol));
	}
	return args && args.length ? { t: 'ref', n: name, args } : { t: 'ref', n: name };
}

function convDecl(symbol) {
	const decls = typeDecls(symbol);
	if (!decls.length) return unknown(`no type declaration for ${symbol.name}`);
	if (ts.isTypeAliasDeclaration(decls[0])) {
		const s = conv(decls[0].type);
		if (decls[0].typeParameters?.length) s.params = decls[0].typeParameters.map((p) => p.name.text);
		return s;
	}
	if (ts.isClassDeclaration(decls[0])) return unknown(`class ${symbol.name}: not a data shape`);
	const obj = { t: 'object', props: {}, optional: [] };
	const params = decls[0].typeParameters?.map((p) => p.name.text);
	for (const d of decls) {
		for (const h of d.heritageClauses ?? []) {
			for (const t of h.types) {
				const s = resolveSymbol(t.expression);
				const base = s && typeDecls(s).length ? defs.get(ref(s).n) : undefined;
				if (!base || base.t !== 'object') {
					obj.unresolvedBase = `${t.getText()}: base type not an interface`;
					continue;
				}
				for (const [k, v] of Object.entries(base.props)) obj.props[k] = v;
				obj.optional.push(...base.optional);
				if (base.additional) obj.additional = base.additional;
			}
		}
		addMembers(obj, d.members);
	}
	return finishObject(obj, params);
}

function addMembers(obj, members) {
	for (const m of members) {
		if (ts.isPropertySignature(m)) {
			const key =
				ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
			obj.props[key] = m.type ? conv(m.type) : unknown('property without a type');
			obj.optional = obj.optional.filter((k) => k !== key);
			if (m.questionToken) obj.optional.push(key);
		} else if (ts.isIndexSignatureDeclaration(m)) {
			obj.additional = conv(m.type);
		}
		// Method signatures (none in data shapes) are not wire data.
	}
}

function finishObject(obj, params) {
	const out = { t: 'object' };
	if (params?.length) out.params = params;
	out.props = obj.props;
	if (obj.optional.length) out.optional = [...new Set(obj.optional)];
	if (obj.additional) out.additional = obj.additional;
	if (obj.unresolvedBase) out.unresolvedBase = obj.unresolvedBase;
	return out;
}

function conv(node) {
	switch (node.kind) {
		case ts.SyntaxKind.StringKeyword:
			return { t: 'string' };
		case ts.SyntaxKind.NumberKeyword:
			return { t: 'number' };
		case ts.SyntaxKind.BooleanKeyword:
			return { t: 'boolean' };
		case ts.SyntaxKind.VoidKeyword:
		case ts.SyntaxKind.UndefinedKeyword:
			return { t: 'absent' };
		case ts.SyntaxKind.BigIntKeyword:
			return unknown('bigint: an API v2 int64, a string in JSON');
		case ts.SyntaxKind.AnyKeyword:
		case ts.SyntaxKind.UnknownKeyword:
			return unknown('declared any/unknown (free-form hash)');
		case ts.SyntaxKind.ObjectKeyword:
			return unknown('declared object');
	}
	if (ts.isParenthesizedTypeNode(node)) return conv(node.type);
	if (ts.isLiteralTypeNode(node)) {
		const l = node.literal;
		if (ts.isStringLiteral(l)) return { t: 'enum', values: [l.text] };
		if (l.kind === ts.SyntaxKind.TrueKeyword) return { t: 'boolean', const: true };
		if (l.kind === ts.SyntaxKind.FalseKeyword) return { t: 'boolean', const: false };
		if (ts.isNumericLiteral(l)) return { t: 'number', const: Number(l.text) };
		return unknown(`literal ${node.getText()}`);
	}
	if (ts.isArrayTypeNode(node)) return { t: 'array', items: conv(node.elementType) };
	if (ts.isTypeLiteralNode(node)) {
		const obj = { props: {}, optional: [] };
		addMembers(obj, node.members);
		return finishObject(obj);
	}
	if (ts.isUnionTypeNode(node)) return convUnion(node.types);
	if (ts.isIntersectionTypeNode(node))
		return unknown(`intersection ${node.getText().slice(0, 80)}`);
	if (ts.isTypeReferenceNode(node)) {
		const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
		const args = node.typeArguments ?? [];
		const symbol = resolveSymbol(node.typeName);
		if (symbol && symbol.flags & ts.SymbolFlags.TypeParameter) return { t: 'tparam', n: name };
		const decl = symbol?.declarations?.[0];
		const fromPackage = decl && decl.getSourceFile().fileName.startsWith(cjs);
		if (SPECIAL[name] && (!fromPackage || ['Emptyable', 'OtherString', 'Decimal'].includes(name)))
			return SPECIAL[name](args);
		if (!symbol || !typeDecls(symbol).length)
			return unknown(`unresolved type ${node.getText().slice(0, 80)}`);
		if (!fromPackage) return unknown(`type from outside the stripe package: ${name}`);
		return ref(symbol, args.map(conv));
	}
	return unknown(`unsupported type syntax: ${ts.SyntaxKind[node.kind]}`);
}

function convUnion(members) {
	let nullable = false;
	const values = [];
	let open = false;
	let hasString = false;
	const resources = [];
	const rest = [];
	let bools = 0;
	for (const m of members) {
		if (isNullNode(m)) nullable = true;
		else if (ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal)) values.push(m.literal.text);
		else if (
			ts.isTypeReferenceNode(m) &&
			ts.isIdentifier(m.typeName) &&
			m.typeName.text === 'OtherString'
		)
			open = true;
		else if (m.kind === ts.SyntaxKind.StringKeyword) hasString = true;
		else if (
			ts.isLiteralTypeNode(m) &&
			(m.literal.kind === ts.SyntaxKind.TrueKeyword ||
				m.literal.kind === ts.SyntaxKind.FalseKeyword)
		)
			bools++;
		else {
			const s =
				ts.isTypeReferenceNode(m) && !m.typeArguments ? resolveSymbol(m.typeName) : undefined;
			if (s && typeDecls(s).length && isResource(s)) resources.push(m);
			else rest.push(m);
		}
	}
	const of = [];
	if (hasString && resources.length)
		of.push({ t: 'expandable', of: resources.map((m) => conv(m).n) });
	else {
		if (hasString || (open && values.length === 0)) of.push({ t: 'string' });
		else if (values.length)
			of.push(open ? { t: 'enum', values, open: true } : { t: 'enum', values });
		for (const m of resources) of.push(conv(m));
	}
	// `string | 'x'` is just a string in effect: the literals were dropped above.
	if (bools === 2) of.push({ t: 'boolean' });
	else if (bools === 1) {
		of.push(
			...members
				.filter(
					(m) =>
						ts.isLiteralTypeNode(m) &&
						(m.literal.kind === ts.SyntaxKind.TrueKeyword ||
							m.literal.kind === ts.SyntaxKind.FalseKeyword),
				)
				.map(conv),
		);
	}
	for (const m of rest) of.push(conv(m));
	const inner = of.length === 1 ? of[0] : { t: 'anyOf', of };
	return nullable ? { t: 'nullable', of: inner } : inner;
}

// ---- endpoints ----------------------------------------------------------------------------------

/** `_makeRequest` calls per class and method in a resource's .js file. */
function jsRequests(file) {
	const sf = ts.createSourceFile(
		file,
		readFileSync(file, 'utf8'),
		ts.ScriptTarget.ES2022,
		true,
		ts.ScriptKind.JS,
	);
	const out = [];
	const visit = (node, cls, method) => {
		if (ts.isClassDeclaration(node) && node.name) cls = node.name.text;
		if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name)) method = node.name.text;
		if (
			ts.isCallExpression(node) &&
			ts.isPropertyAccessExpression(node.expression) &&
			node.expression.name.text === '_makeRequest'
		) {
			const [m, p, , , opts] = node.arguments;
			let path;
			if (ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p)) path = p.text;
			else if (ts.isTemplateExpression(p)) {
				path = p.head.text;
				for (const span of p.templateSpans) {
					const e = span.expression;
					const arg = ts.isCallExpression(e) ? e.arguments[0] : e;
					path += `{${arg.getText()}}${span.literal.text}`;
				}
			}
			const info = { cls, method, httpMethod: m.text, path };
			if (opts && ts.isObjectLiteralExpression(opts)) {
				for (const prop of opts.properties) {
					if (!ts.isPropertyAssignment(prop)) continue;
					const k = prop.name.getText();
					if ((k === 'apiBase' || k === 'methodType') && ts.isStringLiteral(prop.initializer))
						info[k] = prop.initializer.text;
				}
			}
			out.push(info);
		}
		ts.forEachChild(node, (c) => visit(c, cls, method));
	};
	visit(sf);
	return out;
}

/** The .d.ts method: its `params` type and what it returns. */
function dtsMethod(file, cls, method) {
	const sf = program.getSourceFile(file);
	if (!sf) return undefined;
	for (const st of sf.statements) {
		if (!ts.isClassDeclaration(st) || st.name?.text !== cls) continue;
		// Overloads such as retrieve(id, options) leave params out: prefer the one that has them.
		const overloads = st.members.filter(
			(m) => ts.isMethodDeclaration(m) && m.name.getText() === method,
		);
		const withParams = overloads.find((m) =>
			m.parameters.some((x) => x.name.getText() === 'params'),
		);
		const m = withParams ?? overloads[0];
		if (m)
			return {
				params: m.parameters.find((x) => x.name.getText() === 'params')?.type,
				returns: m.type,
			};
	}
	return undefined;
}

function responseSchema(node) {
	if (!node || !ts.isTypeReferenceNode(node)) return unknown('no declared return type');
	const name = node.typeName.getText();
	const arg = node.typeArguments?.[0];
	if (
		name === 'Promise' &&
		arg &&
		ts.isTypeReferenceNode(arg) &&
		arg.typeName.getText() === 'Response'
	)
		return conv(arg.typeArguments[0]);
	if (name === 'ApiListPromise') return { t: 'ref', n: 'ApiList', args: [conv(arg)] };
	if (name === 'ApiSearchResultPromise')
		return { t: 'ref', n: 'ApiSearchResult', args: [conv(arg)] };
	if (name === 'V2ListPromise') return { t: 'ref', n: 'V2List', args: [conv(arg)] };
	return unknown(`return type ${node.getText().slice(0, 80)}`);
}

// Make the list envelopes definitions from lib.d.ts (generic over T).
for (const n of ['ApiList', 'ApiSearchResult', 'V2List']) {
	const lib = program.getSourceFile(join(cjs, 'lib.d.ts'));
	const decl = lib.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === n);
	if (!decl) throw new Error(`lib.d.ts: ${n} not found`);
	ref(checker.getSymbolAtLocation(decl.name));
}

const endpoints = [];
const unresolved = [];
for (const js of walk(resourcesDir, '.js')) {
	const dts = js.replace(/\.js$/, '.d.ts');
	for (const r of jsRequests(js)) {
		if (!r.path) {
			unresolved.push(`${rel(js)} ${r.cls}.${r.method}: path not a literal`);
			continue;
		}
		const m = existsSync(dts) ? dtsMethod(dts, r.cls, r.method) : undefined;
		const e = {
			method: r.httpMethod,
			path: r.path,
			resource: `${rel(js)
				.replace(/^resources\//, '')
				.replace(/\.js$/, '')}.${r.method}`,
		};
		if (r.apiBase) e.apiBase = r.apiBase;
		if (m?.params) e.params = conv(m.params);
		else if (m) e.params = { t: 'object', props: {} };
		else {
			e.params = unknown('no matching method in the .d.ts');
			unresolved.push(`${e.resource}: no .d.ts method`);
		}
		e.response = m ? responseSchema(m.returns) : unknown('no matching method in the .d.ts');
		endpoints.push(e);
	}
}
endpoints.sort((a, b) =>
	a.path < b.path
		? -1
		: a.path > b.path
			? 1
			: a.method < b.method
				? -1
				: a.method > b.method
					? 1
					: 0,
);
// Two methods may call one endpoint (Accounts.retrieve() without an id and retrieveCurrent() both
// GET /v1/account): keep one entry that accepts either method's params.
for (let i = endpoints.length - 1; i > 0; i--) {
	const a = endpoints[i - 1];
	const b = endpoints[i];
	if (a.path !== b.path || a.method !== b.method) continue;
	a.resource = `${a.resource} ${b.resource}`;
	if (JSON.stringify(a.params) !== JSON.stringify(b.params))
		a.params = { t: 'anyOf', of: [a.params, b.params] };
	endpoints.splice(i, 1);
}

// ---- all object types ---------------------------------------------------------------------------

// Convert every exported interface in the resource files, so all of Stripe's objects are present
// (also those no endpoint returns directly, e.g. event payloads).
for (const file of dtsFiles) {
	const sf = program.getSourceFile(file);
	for (const st of sf.statements) {
		if (
			(ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) &&
			!/Params$/.test(st.name.text)
		) {
			const s = checker.getSymbolAtLocation(st.name);
			if (s && isResource(s)) ref(s);
		}
	}
}

const resolve = (s) => {
	while (s && s.t === 'ref') s = defs.get(s.n);
	return s;
};

/** objectTypes: Stripe's `object` value -> the interfaces carrying it, without bases of others
 * (EventBase is the base of every *Event interface). */
const objectTypes = {};
const bases = new Set();
for (const [name, sym] of nameOwners) {
	for (const d of typeDecls(sym)) {
		for (const h of (ts.isInterfaceDeclaration(d) && d.heritageClauses) || []) {
			for (const t of h.types) {
				const b = resolveSymbol(t.expression);
				if (b && symbolNames.has(b) && symbolNames.get(b) !== name) bases.add(symbolNames.get(b));
			}
		}
	}
}
for (const [name, s] of defs) {
	if (!s || s.t !== 'object' || s.params) continue;
	const o = s.props.object;
	if (o && o.t === 'enum' && o.values.length === 1 && !o.open && !bases.has(name)) {
		(objectTypes[o.values[0]] ??= []).push(name);
	}
}

/** Expandable paths per object definition: `string | Object` fields, found through nested
 * sub-objects (not through other API objects, which have their own entry). */
function expandablePaths(schema, prefix, seen) {
	const out = [];
	const s = resolve(schema);
	if (!s) return out;
	if (s.t === 'nullable' || s.t === 'emptyable' || s.t === 'partial')
		return expandablePaths(s.of, prefix, seen);
	if (s.t === 'array') return expandablePaths(s.items, prefix, seen);
	if (s.t === 'anyOf') return s.of.flatMap((x) => expandablePaths(x, prefix, seen));
	if (s.t === 'expandable') return [prefix];
	if (s.t !== 'object') return out;
	if (prefix && s.props.object && s.props.object.t === 'enum') return out; // another API object
	const key = schema.t === 'ref' ? schema.n : undefined;
	if (key && seen.has(key)) return out;
	const next = key ? new Set([...seen, key]) : seen;
	for (const [k, v] of Object.entries(s.props))
		out.push(...expandablePaths(v, prefix ? `${prefix}.${k}` : k, next));
	return out;
}
const expandable = {};
let expandableCount = 0;
for (const names of Object.values(objectTypes)) {
	for (const n of names) {
		const paths = [...new Set(expandablePaths({ t: 'ref', n }, '', new Set()))];
		if (paths.length) expandable[n] = paths;
		expandableCount += paths.length;
	}
}

function countParams(schema, stack) {
	const s = schema.t === 'ref' ? defs.get(schema.n) : schema;
	if (!s) return 0;
	if (schema.t === 'ref') {
		if (stack.includes(schema.n)) return 0;
		stack = [...stack, schema.n];
	}
	switch (s.t) {
		case 'object':
			return Object.values(s.props).reduce(
				(n, v) => n + 1 + countParams(v, stack),
				s.additional ? countParams(s.additional, stack) : 0,
			);
		case 'array':
			return countParams(s.items, stack);
		case 'nullable':
		case 'emptyable':
		case 'partial':
			return countParams(s.of, stack);
		case 'anyOf':
			return s.of.reduce((n, v) => n + countParams(v, stack), 0);
		default:
			return 0;
	}
}
const paramCount = endpoints.reduce((n, e) => n + countParams(e.params, []), 0);

// ---- output -------------------------------------------------------------------------------------

const sortedDefs = [...defs.keys()].sort();
// Stripe repeats large shapes under many names (e.g. the Issuing merchant-category enum, 300
// values, in ten namespaces): write each big shape once and let the other names refer to it.
const firstWithShape = new Map();
const written = new Map();
for (const k of sortedDefs) {
	const text = JSON.stringify(defs.get(k));
	const first = text.length > 80 ? firstWithShape.get(text) : undefined;
	if (first) written.set(k, { t: 'ref', n: first });
	else {
		firstWithShape.set(text, k);
		written.set(k, defs.get(k));
	}
}
const stripePkg = JSON.parse(readFileSync(join(stripeDir, 'package.json'), 'utf8'));
const apiVersion = /ApiVersion = '([^']+)'/.exec(
	readFileSync(join(cjs, 'apiVersion.js'), 'utf8'),
)[1];
const header = {
	generatedBy: 'scripts/generate-stripe-contract.mjs',
	stripePackage: stripePkg.version,
	apiVersion,
	openapi: readFileSync(join(stripeDir, 'OPENAPI_VERSION'), 'utf8').trim(),
	counts: {
		endpoints: endpoints.length,
		parameters: paramCount,
		objectTypes: Object.keys(objectTypes).length,
		expandableFields: expandableCount,
	},
	unresolved,
};
// A schema that is only its kind (string, number,
// boolean, decimal, absent) is written as that word.
const bare = (_k, v) =>
	v &&
	typeof v === 'object' &&
	!Array.isArray(v) &&
	Object.keys(v).length === 1 &&
	typeof v.t === 'string'
		? v.t
		: v;
const line = (v) => JSON.stringify(v, bare);
const block = (entries) => entries.join(',\n');
const json =
	'{\n' +
	`"source": ${line(header)},\n` +
	`"endpoints": [\n${block(endpoints.map(line))}\n],\n` +
	`"objectTypes": {\n${block(
		Object.keys(objectTypes)
			.sort()
			.map((k) => `${line(k)}: ${line(objectTypes[k])}`),
	)}\n},\n` +
	`"expandable": {\n${block(
		Object.keys(expandable)
			.sort()
			.map((k) => `${line(k)}: ${line(expandable[k])}`),
	)}\n},\n` +
	`"defs": {\n${block(sortedDefs.map((k) => `${line(k)}: ${line(written.get(k))}`))}\n}\n` +
	'}\n';

const summary =
	`stripe ${header.stripePackage} (${apiVersion}, OpenAPI ${header.openapi}): ` +
	`${endpoints.length} endpoints, ${paramCount} parameters (nested), ` +
	`${Object.keys(objectTypes).length} object types, ${expandableCount} expandable fields; ` +
	`${sortedDefs.length} definitions, ${(json.length / 1e6).toFixed(2)} MB`;

if (process.argv.includes('--check')) {
	const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
	if (current !== json) {
		console.error(
			`${relative(root, outFile)} is out of date: run node scripts/generate-stripe-contract.mjs`,
		);
		process.exit(1);
	}
	console.log(`up to date: ${summary}`);
} else {
	writeFileSync(outFile, json);
	console.log(summary);
}
