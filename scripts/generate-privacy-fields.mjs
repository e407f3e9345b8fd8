// Derives nodes/shared/privacy/stripe-fields.ts, the table redaction runs on, from two sources:
// - Stripe's definitions (test/emulator/contract/stripe-contract.json, itself generated from the
//   installed `stripe` package): every string field of every object type the package can return,
//   reached from the roots through nested, expanded and listed objects;
// - nodes/shared/privacy/classification.json: our decision for each of those fields (personal,
//   secret or capability, metadata, or public), each rule with its reason.
// A field no rule classifies, a rule that names a field Stripe does not define, or a field two
// rules claim, stops the generator: the next API version cannot slip a new field in unnoticed.
// Usage: node scripts/generate-privacy-fields.mjs [--check | --list | --unclassified]
//   --check         exit 1 if the table differs from what the sources give (run by npm test)
//   --list          print every field with its class and reason
//   --unclassified  print the unclassified fields grouped by name, and exit
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const contractFile = join(root, 'test/emulator/contract/stripe-contract.json');
const rulesFile = join(root, 'nodes/shared/privacy/classification.json');
const outFile = join(root, 'nodes/shared/privacy/stripe-fields.ts');

export const CLASSES = [
	'public',
	'name',
	'email',
	'phone',
	'address',
	'text',
	'fingerprint',
	'secret',
	'capability',
	'metadata',
];

/** Every string field reachable from the roots: `{ def, path, name }`, and the defs walked. */
export function enumerate(contract, roots) {
	const defs = contract.defs;
	const fields = [];
	const links = new Map(); // def → path → { leaf: bool, refs: Set<def> }
	const seen = new Set();
	const expandable = new Set(); // keys that hold an object's ID somewhere
	const queue = [...roots];
	const note = (def, path, part) => {
		if (!links.has(def)) links.set(def, new Map());
		const at = links.get(def);
		if (!at.has(path)) at.set(path, { leaf: false, refs: new Set() });
		const entry = at.get(path);
		if (part === true) entry.leaf = true;
		else entry.refs.add(part);
	};
	// A definition that only names others (`AddressKanji` is `AddressKana`) stands for them.
	const aliased = (n) => {
		const s = defs[n];
		if (s?.t === 'ref' && !s.args) return aliased(s.n);
		if (s?.t === 'anyOf' && s.of.every((x) => x.t === 'ref' && !x.args))
			return s.of.flatMap((x) => aliased(x.n));
		return [n];
	};
	// Walks a schema found at `path` inside `def`; inline objects become `def.path` for runtime.
	const walk = (def, path, schema) => {
		if (typeof schema === 'string') {
			if (schema === 'string') {
				fields.push({ def, path, name: path.split('.').pop() });
				note(def, path, true);
			}
			return;
		}
		switch (schema.t) {
			case 'string':
				walk(def, path, 'string');
				return;
			case 'nullable':
			case 'emptyable':
			case 'partial':
				walk(def, path, schema.of);
				return;
			case 'array':
				walk(def, path, schema.items);
				return;
			case 'anyOf':
				for (const s of schema.of) walk(def, path, s);
				return;
			case 'ref':
				for (const a of schema.args ?? []) walk(def, path, a);
				for (const target of aliased(schema.n)) {
					note(def, path, target);
					queue.push(target);
				}
				return;
			case 'expandable':
				// Expanded objects carry their own `object` type; the runtime follows that.
				expandable.add(path.split('.').pop());
				for (const n of schema.of) queue.push(n);
				return;
			case 'object': {
				const inline = path ? `${def}.${path}` : def;
				if (path) note(def, path, inline);
				for (const [k, v] of Object.entries(schema.props ?? {})) walk(inline, k, v);
				if (schema.additional) walk(inline, '*', schema.additional);
				return;
			}
			default:
				return; // numbers, booleans, enums (Stripe's fixed words), tparams, absent
		}
	};
	while (queue.length) {
		const n = queue.pop();
		if (seen.has(n)) continue;
		if (!defs[n]) throw new Error(`root or reference ${n} is not in Stripe's definitions`);
		seen.add(n);
		walk(n, '', defs[n]);
	}
	return { fields, links, seen, expandable };
}

/** Each field's `{ class, why, by }`, and the problems found. */
export function classify(fields, rules, defs) {
	const byField = new Map();
	const byObject = new Map();
	const byName = new Map();
	const problems = [];
	const claim = (map, key, rule) => {
		if (map.has(key)) problems.push(`${key} is classified twice`);
		map.set(key, rule);
	};
	for (const rule of rules.rules) {
		if (!CLASSES.includes(rule.class)) problems.push(`unknown class ${rule.class}`);
		if (!rule.why) problems.push(`a ${rule.class} rule has no reason`);
		for (const f of rule.fields ?? []) claim(byField, f, rule);
		for (const o of rule.objects ?? []) claim(byObject, o, rule);
		for (const n of rule.names ?? []) claim(byName, n, rule);
	}
	const objectOf = (def) => {
		// `Address` and inline objects inside it (`Address.x`) take the object's class.
		for (let d = def; d; d = d.includes('.') ? d.slice(0, d.lastIndexOf('.')) : '')
			if (byObject.has(d)) return byObject.get(d);
		return undefined;
	};
	const out = fields.map((f) => {
		const key = `${f.def}.${f.path}`;
		const rule = byField.get(key) ?? objectOf(f.def) ?? byName.get(f.name);
		return { ...f, key, rule };
	});
	// A rule that names what Stripe does not define (a typo, a field Stripe removed) is stale.
	const known = new Set(out.map((f) => f.key));
	for (const key of byField.keys())
		if (!known.has(key)) problems.push(`${key} is not a string field Stripe defines`);
	const names = new Set(out.map((f) => f.name));
	for (const name of byName.keys())
		if (!names.has(name)) problems.push(`no string field Stripe defines is named ${name}`);
	for (const def of byObject.keys())
		if (!defs.has(def)) problems.push(`${def} is not a definition the roots reach`);
	return { fields: out, problems, byObject };
}

async function generate() {
	const contract = JSON.parse(readFileSync(contractFile, 'utf8'));
	const rules = JSON.parse(readFileSync(rulesFile, 'utf8'));
	const { fields: raw, links, seen, expandable } = enumerate(contract, rules.roots);
	const { fields, problems, byObject } = classify(raw, rules, seen);
	const unclassified = fields.filter((f) => !f.rule);
	const args = process.argv.slice(2);
	if (args.includes('--unclassified')) {
		const byName = new Map();
		for (const f of unclassified) byName.set(f.name, [...(byName.get(f.name) ?? []), f.key]);
		for (const [name, keys] of [...byName].sort())
			console.log(`${name} (${keys.length}): ${keys.slice(0, 6).join(', ')}`);
		console.log(`${unclassified.length} of ${fields.length} string fields unclassified`);
		return 0;
	}
	if (args.includes('--list')) {
		for (const f of fields) console.log(`${f.key}\t${f.rule?.class ?? '?'}\t${f.rule?.why ?? ''}`);
		return 0;
	}
	for (const f of unclassified.slice(0, 40)) problems.push(`${f.key} is not classified`);
	if (unclassified.length > 40) problems.push(`… ${unclassified.length - 40} more unclassified`);
	if (problems.length) {
		console.error(problems.join('\n'));
		console.error(
			`${unclassified.length} of ${fields.length} string fields unclassified; ` +
				`classify them in ${rulesFile.slice(root.length + 1)}`,
		);
		return 1;
	}

	// The runtime table: per definition, the key → class of every field that is not public, and
	// the key → definitions of every nested object that holds one. Public fields are left out.
	const classOf = new Map(fields.map((f) => [f.key, f.rule.class]));
	const table = new Map();
	const objectsNamed = new Map();
	for (const [def, paths] of links) {
		const entry = new Map();
		for (const [path, { leaf, refs }] of paths) {
			const objectRule = [...refs].map((r) => byObject.get(r)).find(Boolean);
			const objectClass = objectRule && objectRule.class !== 'public' ? objectRule.class : '';
			const leafClass = leaf ? classOf.get(`${def}.${path}`) : undefined;
			entry.set(path, {
				cls: objectClass || (leafClass === 'public' ? undefined : leafClass) || undefined,
				refs: objectRule ? [] : [...refs],
			});
			// What an object under this key is, for WHOLE below.
			if (refs.size) {
				const name = path.split('.').pop();
				objectsNamed.set(name, [...(objectsNamed.get(name) ?? []), objectClass]);
			}
		}
		table.set(def, entry);
	}
	// Keep only the definitions that hold something not public, directly or below.
	const holds = new Set();
	for (let changed = true; changed; ) {
		changed = false;
		for (const [def, entry] of table) {
			if (holds.has(def)) continue;
			if ([...entry.values()].some((e) => e.cls || e.refs.some((r) => holds.has(r)))) {
				holds.add(def);
				changed = true;
			}
		}
	}
	const defs = {};
	for (const def of [...holds].sort()) {
		const entry = {};
		for (const [path, e] of [...table.get(def)].sort(([a], [b]) => (a < b ? -1 : 1))) {
			const refs = e.refs.filter((r) => holds.has(r)).sort();
			if (!e.cls && !refs.length) continue;
			entry[path] = refs.length ? [e.cls ?? '', ...refs] : e.cls;
		}
		defs[def] = entry;
	}
	// Object type → its definition (a `Deleted…` one only where nothing else has the type).
	const objectTypes = {};
	for (const [type, names] of Object.entries(contract.objectTypes).sort()) {
		const walked = names.filter((n) => seen.has(n));
		// An event is any of its kinds: the root that is their union stands for them all.
		const union = rules.roots.find((r) => contract.defs[r].of?.every((s) => names.includes(s.n)));
		const main = union ?? walked.find((n) => !n.startsWith('Deleted')) ?? walked[0];
		if (main) objectTypes[type] = main; // one not in DEFS holds nothing to redact
	}
	// Names that hold the same non-public class wherever Stripe defines them, and never an ID:
	// the fallback for keys no definition names (a report's row, a simplified `billing_email`).
	const perName = new Map();
	for (const f of fields) perName.set(f.name, [...(perName.get(f.name) ?? []), f.rule.class]);
	const always = {};
	for (const [name, classes] of [...perName].sort()) {
		if (expandable.has(name) || name === '*') continue;
		if (classes.every((c) => c === classes[0] && c !== 'public')) always[name] = classes[0];
	}
	// Names under which every object Stripe defines is one class as a whole (an address): the
	// fallback for such an object where no definition names the key.
	const whole = {};
	for (const [name, classes] of [...objectsNamed].sort()) {
		if (classes.every((c) => c && c === classes[0])) whole[name] = classes[0];
	}
	const counts = {
		objectTypes: Object.keys(contract.objectTypes).filter((t) =>
			contract.objectTypes[t].some((n) => seen.has(n)),
		).length,
		definitions: seen.size,
		stringFields: fields.length,
		...Object.fromEntries(CLASSES.map((c) => [c, fields.filter((f) => f.rule.class === c).length])),
	};
	const unformatted = [
		"// Generated by scripts/generate-privacy-fields.mjs from Stripe's definitions " +
			`(stripe ${contract.source.stripePackage},`,
		`// API ${contract.source.apiVersion}) and classification.json. Do not edit: change`,
		'// classification.json and run the script.',
		`export const COUNTS = ${JSON.stringify(counts)} as const;`,
		'',
		'/** Object type (the `object` field) → its definition. */',
		`export const OBJECT_TYPES: Record<string, string> = ${JSON.stringify(objectTypes)};`,
		'',
		'/** Definition → key → class, or [class, definitions of the object found there]. */',
		'export const DEFS: Record<string, Record<string, string | string[]>> = ' +
			`${JSON.stringify(defs)};`,
		'',
		'/** Keys whose strings hold the same class wherever Stripe defines them. */',
		`export const ALWAYS: Record<string, string> = ${JSON.stringify(always)};`,
		'',
		'/** Keys whose objects are one class as a whole wherever Stripe defines them. */',
		`export const WHOLE: Record<string, string> = ${JSON.stringify(whole)};`,
		'',
	].join('\n');
	const options = await prettier.resolveConfig(outFile);
	const text = await prettier.format(unformatted, { ...options, filepath: outFile });
	if (args.includes('--check')) {
		const current = (() => {
			try {
				return readFileSync(outFile, 'utf8');
			} catch {
				return '';
			}
		})();
		if (current !== text) {
			console.error(
				`${outFile.slice(root.length + 1)} is not in step with Stripe's definitions and ` +
					'classification.json: run node scripts/generate-privacy-fields.mjs',
			);
			return 1;
		}
		console.log(
			`${fields.length} string fields classified; ${outFile.slice(root.length + 1)} in step`,
		);
		return 0;
	}
	writeFileSync(outFile, text);
	console.log(`${fields.length} string fields classified; wrote ${outFile.slice(root.length + 1)}`);
	return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await generate();
