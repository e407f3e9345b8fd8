// Derives test/engine/fixtures/stripe-unix-time-fields.json: which fields of the objects Stripe
// Guard reads are Unix timestamps, by Stripe's own definitions rather than ours. The `stripe`
// package's types say only `number` for them (and stripe-contract.json with them); Stripe's .NET
// SDK is generated from the same OpenAPI spec and gives exactly the fields the spec marks
// `format: unix-time` a `DateTime` read through its UnixDateTimeConverter.
// Usage: node scripts/generate-stripe-unix-times.mjs <stripe-dotnet source folder> [--check]
// [object type …] (the folder holds src/Stripe.net/Entities and
// src/Stripe.net/Constants/ApiVersion.cs). The object types are those the fixture has and those
// named: a read resource declared since (test/engine/declarations.test.ts names it) is added by
// naming its type, e.g. `coupon`.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'test/engine/fixtures/stripe-unix-time-fields.json');
const [source, ...rest] = process.argv.slice(2);
if (!source) throw new Error('Give the stripe-dotnet source folder');
const flag = rest.find((a) => a.startsWith('--'));
const named = rest.filter((a) => !a.startsWith('--'));

/**
 * The .NET class of a Stripe object type: its name in Pascal case, a dotted type's namespace
 * first (checkout.session → Stripe.Checkout.Session); the line items are named otherwise.
 */
const CLASS_NAMES = { item: 'Stripe.LineItem', line_item: 'Stripe.InvoiceLineItem' };
const pascal = (word) => word.replace(/(^|_)([a-z])/g, (_m, _s, c) => c.toUpperCase());
const classOf = (type) => CLASS_NAMES[type] ?? `Stripe.${type.split('.').map(pascal).join('.')}`;

/** The objects Stripe Guard reads and simplifies: the fixture's, and any named. */
const before = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')).objects : {};
const types = [...new Set([...Object.keys(before), ...named])].sort();
/** Deep enough for every field a simplified shape reads (an invoice line's period.start is 2). */
const MAX_DEPTH = 4;

function walk(dir) {
	return readdirSync(dir)
		.sort()
		.flatMap((name) => {
			const p = join(dir, name);
			return statSync(p).isDirectory() ? walk(p) : name.endsWith('.cs') ? [p] : [];
		});
}

/** Every class: its JSON properties, each with its C# type and whether it is a Unix time. */
const classes = new Map();
for (const file of walk(join(source, 'src/Stripe.net/Entities'))) {
	const text = readFileSync(file, 'utf8');
	const namespace = /^namespace ([\w.]+)/m.exec(text)?.[1];
	const cls = /public class (\w+)/.exec(text)?.[1];
	if (!namespace || !cls) continue;
	const props = [];
	// Attributes, then the property: [JsonProperty("x")] … public Type Name { get; set; }
	const re = /((?:\s*\[[^\]]*\]\s*)+)\s*(?:public|internal) ([\w.<>?, ]+?) \w+ \{ get; set; \}/g;
	for (let m; (m = re.exec(text)); ) {
		const json = /\[JsonProperty\("([^"]+)"\)\]/.exec(m[1])?.[1];
		if (!json) continue;
		props.push({
			json,
			type: m[2].replace(/\?$/, ''),
			unix: /JsonConverter\(typeof\(UnixDateTimeConverter\)\)/.test(m[1]),
		});
	}
	classes.set(`${namespace}.${cls}`, { namespace, props });
}

/** A type named inside a namespace: its own namespace first, then Stripe's. */
function resolve(name, namespace) {
	for (let ns = namespace; ns; ns = ns.includes('.') ? ns.slice(0, ns.lastIndexOf('.')) : '') {
		if (classes.has(`${ns}.${name}`)) return `${ns}.${name}`;
	}
	return classes.has(name) ? name : undefined;
}

function unixPaths(className, prefix, depth, seen) {
	const cls = classes.get(className);
	if (!cls || depth > MAX_DEPTH || seen.has(className)) return [];
	const out = [];
	for (const { json, type, unix } of cls.props) {
		const path = `${prefix}${json}`;
		if (unix) {
			out.push(path);
			continue;
		}
		// An expandable field is an ID unless expanded; an expanded object has a type of its own.
		if (type.startsWith('ExpandableField<') || type.startsWith('Dictionary<')) continue;
		let inner = type;
		let suffix = '.';
		const list = /^(List|StripeList)<(.+)>$/.exec(type);
		if (list) {
			inner = list[2];
			suffix = list[1] === 'StripeList' ? '.data[].' : '[].';
		}
		const target = resolve(inner, cls.namespace);
		if (target)
			out.push(...unixPaths(target, `${path}${suffix}`, depth + 1, new Set([...seen, className])));
	}
	return out;
}

const apiVersion = /Current = "([^"]+)"/.exec(
	readFileSync(join(source, 'src/Stripe.net/Constants/ApiVersion.cs'), 'utf8'),
)?.[1];
const objects = {};
for (const type of types) {
	const className = classOf(type);
	if (!classes.has(className)) throw new Error(`No class ${className} in ${source}`);
	objects[type] = unixPaths(className, '', 0, new Set()).sort();
}
const provenance = {
	generatedBy: 'scripts/generate-stripe-unix-times.mjs',
	from: 'stripe/stripe-dotnet src/Stripe.net/Entities (UnixDateTimeConverter)',
	apiVersion,
};
const out = `${JSON.stringify({ source: provenance, objects }, null, 1)}\n`;
if (flag === '--check') {
	if (readFileSync(outFile, 'utf8') !== out) throw new Error(`${outFile} differs from ${source}`);
} else writeFileSync(outFile, out);
