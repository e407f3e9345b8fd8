// Derives test/emulator/contract/stripe-limits.json: the limits of request parameters that Stripe's
// OpenAPI spec states and the `stripe` package's types cannot (they say `string` and `number`):
// each string parameter's maxLength, and which numbers are integers. The emulator's contract
// checker refuses a request beyond them as Stripe does, after the checks of stripe-contract.json.
// Usage: node scripts/generate-stripe-limits.mjs <spec3.json or spec3.yaml> [--check]
// The spec is openapi/spec3.json (or .yaml) of github.com/stripe/openapi, ideally at the version
// in node_modules/stripe/OPENAPI_VERSION; the file records which one it came from. Only endpoints
// stripe-contract.json has are kept, under its path templates.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'test/emulator/contract/stripe-limits.json');
const contractFile = join(root, 'test/emulator/contract/stripe-contract.json');
const [specFile, flag] = process.argv.slice(2);
if (!specFile) throw new Error('Give the path of an OpenAPI spec3.json or spec3.yaml of Stripe');

const text = readFileSync(specFile, 'utf8');
// js-yaml comes with eslint, a development dependency.
const spec = /\.ya?ml$/.test(specFile) ? require('js-yaml').load(text) : JSON.parse(text);
const contract = JSON.parse(readFileSync(contractFile, 'utf8'));

/** Path templates with their placeholders blanked: the spec and the package name them apart. */
const shape = (path) => path.replace(/\{[^}]+\}/g, '{}');
const templates = new Map(contract.endpoints.map((e) => [`${e.method} ${shape(e.path)}`, e.path]));

function resolve(schema, seen) {
	while (schema && schema.$ref) {
		const name = schema.$ref.replace('#/components/schemas/', '');
		if (seen.has(name)) return undefined;
		seen = new Set([...seen, name]);
		schema = spec.components.schemas[name];
	}
	return schema && { schema, seen };
}

/**
 * Every leaf of a parameter's schema, by its form path: `name`, `recurring[interval_count]`,
 * `line_items[][quantity]` (an array's items), `metadata[*]` (a map's values).
 */
function leaves(schema, path, out, seen = new Set(), depth = 0) {
	const r = resolve(schema, seen);
	if (!r || depth > 12) return out;
	const s = r.schema;
	const at = (key) => (path ? `${path}[${key}]` : key);
	for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])])
		leaves(branch, path, out, r.seen, depth + 1);
	if (s.properties)
		for (const [k, v] of Object.entries(s.properties)) leaves(v, at(k), out, r.seen, depth + 1);
	if (s.additionalProperties && typeof s.additionalProperties === 'object')
		leaves(s.additionalProperties, at('*'), out, r.seen, depth + 1);
	if (s.type === 'array' && s.items) leaves(s.items, `${path}[]`, out, r.seen, depth + 1);
	if (['string', 'integer', 'number', 'boolean'].includes(s.type))
		(out[path] ??= []).push({
			type: s.type,
			enum: s.enum,
			maxLength: s.maxLength,
			minimum: s.minimum,
			maximum: s.maximum,
		});
	return out;
}

/**
 * One parameter's limits from its leaves (the branches of a union): a maxLength when every free
 * string it may be has one; integer when an integer is the only number it may be and no free
 * string may stand in its place (an enum such as "" may: Stripe reads it as "unset").
 */
function limitsOf(list) {
	const free = list.filter((l) => l.type === 'string' && !l.enum);
	const literals = list.flatMap((l) => (l.type === 'string' && l.enum ? l.enum : []));
	const out = {};
	if (free.length && free.every((l) => typeof l.maxLength === 'number'))
		out.maxLength = Math.max(...free.map((l) => l.maxLength));
	const integers = list.filter((l) => l.type === 'integer');
	if (integers.length && !free.length && !list.some((l) => l.type === 'number')) {
		out.integer = true;
		// `up_to: "inf"` beside an integer: the literal stands in for a number.
		const words = literals.filter((w) => w !== '');
		if (words.length) out.or = [...new Set(words)].sort();
		const min = integers.map((l) => l.minimum);
		const max = integers.map((l) => l.maximum);
		if (min.every((m) => typeof m === 'number')) out.minimum = Math.min(...min);
		if (max.every((m) => typeof m === 'number')) out.maximum = Math.max(...max);
	}
	return out;
}

const endpoints = {};
let count = 0;
for (const [path, operations] of Object.entries(spec.paths)) {
	for (const [method, op] of Object.entries(operations)) {
		const template = templates.get(`${method.toUpperCase()} ${shape(path)}`);
		if (!template || !op || typeof op !== 'object') continue;
		const found = {};
		for (const p of op.parameters ?? []) if (p.in === 'query') leaves(p.schema, p.name, found);
		const body = op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
		if (body) leaves(body, '', found);
		const limits = {};
		for (const name of Object.keys(found).sort()) {
			const l = limitsOf(found[name]);
			if (Object.keys(l).length) limits[name] = l;
		}
		if (Object.keys(limits).length) {
			endpoints[`${method.toUpperCase()} ${template}`] = limits;
			count += Object.keys(limits).length;
		}
	}
}

const header = {
	generatedBy: 'scripts/generate-stripe-limits.mjs',
	openapi: spec.info?.['x-stripeSpecFilename']
		? `${spec.info['x-stripeSpecFilename']} ${spec.info.version}`
		: `spec3 ${spec.info?.version}`,
	stripePackageOpenapi: readFileSync(
		join(root, 'node_modules/stripe/OPENAPI_VERSION'),
		'utf8',
	).trim(),
	counts: { endpoints: Object.keys(endpoints).length, parameters: count },
};
const json =
	'{\n' +
	`"source": ${JSON.stringify(header)},\n` +
	`"endpoints": {\n${Object.keys(endpoints)
		.sort()
		.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(endpoints[k])}`)
		.join(',\n')}\n}\n}\n`;
const { endpoints: endpointCount } = header.counts;
const summary = `${header.openapi}: ${count} limited parameters of ${endpointCount} endpoints`;

if (flag === '--check') {
	if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== json) {
		console.error(
			`${relative(root, outFile)} differs: run node scripts/generate-stripe-limits.mjs`,
		);
		process.exit(1);
	}
	console.log(`up to date: ${summary}`);
} else {
	writeFileSync(outFile, json);
	console.log(summary);
}
