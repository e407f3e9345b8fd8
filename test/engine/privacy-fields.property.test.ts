/**
 * The redaction guarantee stated over Stripe's own definitions: objects of every type Stripe Guard
 * can return are built from the pinned API version's definitions (the contract generated from the
 * `stripe` package), with a unique value in every string field, expanded objects, lists, events
 * with their previous attributes, and then redacted. Whatever the object, no value of a field
 * classified personal, secret or capability reaches a model, and every public value still does:
 * the walker finds each field's definition from the data alone, as it must on Stripe's answers.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Redactor, withoutSecrets } from '../../nodes/shared/privacy/privacy';
import { DEFS, OBJECT_TYPES } from '../../nodes/shared/privacy/stripe-fields';

type Schema = string | { t: string; [k: string]: unknown };
interface Contract {
	defs: Record<string, Schema>;
}
const contract = JSON.parse(
	readFileSync(join(__dirname, '../emulator/contract/stripe-contract.json'), 'utf8'),
) as Contract;

/** The class the generated table gives `key` in `def` (aliases and unions looked through). */
function classAt(def: string, key: string): string {
	const fields = DEFS[def];
	if (!fields) return 'public';
	const code = fields[key];
	if (code !== undefined) return (typeof code === 'string' ? code : code[0]) || 'public';
	const union = fields[''];
	return Array.isArray(union) ? classAt(union[1], key) : 'public';
}

interface Placed {
	value: string;
	cls: string;
	where: string;
}

/** A deterministic pseudo-random source, so a failing case replays from its seed. */
function random(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** An instance of `root` built from Stripe's definitions, and every string value placed in it. */
function instance(root: string, seed: number, prefix = 'v') {
	const rand = random(seed);
	const placed: Placed[] = [];
	let n = 0;
	const token = (cls: string, where: string) => {
		const value = `${prefix}${String(++n).padStart(6, '0')}q`;
		placed.push({ value, cls, where });
		return value;
	};
	const build = (
		schema: Schema,
		def: string,
		key: string,
		depth: number,
		params: Record<string, Schema>,
		inherited: string | undefined,
	): unknown => {
		const leafClass = () => inherited ?? classAt(def, key);
		if (typeof schema === 'string') schema = { t: schema };
		const s = schema as Record<string, unknown> & { t: string };
		switch (s.t) {
			case 'string':
				return token(leafClass(), `${def}.${key}`);
			case 'decimal':
				return '1.25';
			case 'number':
				return 7;
			case 'boolean':
				return true;
			case 'const':
				return s.value;
			case 'enum':
				return (s.values as string[])[Math.floor(rand() * (s.values as string[]).length)];
			case 'nullable':
				if (depth > 4 || rand() < 0.15) return null;
				return build(s.of as Schema, def, key, depth, params, inherited);
			case 'emptyable':
			case 'partial':
				return build(s.of as Schema, def, key, depth, params, inherited);
			case 'array': {
				const count = depth > 5 ? 0 : 1 + Math.floor(rand() * 2);
				return Array.from({ length: count }, () =>
					build(s.items as Schema, def, key, depth + 1, params, inherited),
				);
			}
			case 'anyOf': {
				const of = s.of as Schema[];
				return build(of[Math.floor(rand() * of.length)], def, key, depth, params, inherited);
			}
			case 'tparam':
				return build(params[s.n as string], def, key, depth, params, inherited);
			case 'expandable': {
				const of = (s.of as string[]).filter((d) => contract.defs[d]);
				// The ID when not expanded (past some depth, only IDs).
				if (depth > 3 || rand() < 0.4 || !of.length) return token(leafClass(), `${def}.${key}`);
				const target = of[Math.floor(rand() * of.length)];
				return build({ t: 'ref', n: target }, def, key, depth, params, undefined);
			}
			case 'ref': {
				const name = s.n as string;
				const target = contract.defs[name];
				const bound: Record<string, Schema> = {};
				const args = (s.args as Schema[] | undefined) ?? [];
				const tparams = (typeof target === 'object' && (target.params as string[])) || [];
				tparams.forEach((p, i) => (bound[p] = args[i]));
				// An address is one placeholder, metadata one map: their class covers what is inside.
				const objectClass = def ? classAt(def, key) : 'public';
				const whole = objectClass === 'address' || objectClass === 'metadata';
				const within = inherited ?? (whole ? objectClass : undefined);
				return build(target, name, '', depth + 1, bound, within);
			}
			case 'object': {
				if (depth > 9) return {};
				const inline = key ? `${def}.${key}` : def;
				const out: Record<string, unknown> = {};
				const optional = new Set((s.optional as string[] | undefined) ?? []);
				for (const [k, v] of Object.entries((s.props as Record<string, Schema>) ?? {})) {
					if (optional.has(k) && (depth > 4 || rand() < 0.3)) continue;
					const value = build(v, inline, k, depth, params, inherited);
					if (value !== undefined) out[k] = value;
				}
				// Metadata keys are the account's own words, even words Stripe uses for personal data.
				if (s.additional)
					for (const k of inherited === 'metadata' ? ['email', 'name'] : ['team_ref', 'note'])
						out[k] = build(s.additional as Schema, inline, '*', depth, params, inherited);
				return out;
			}
			default:
				return undefined; // absent, unknown
		}
	};
	return { value: build({ t: 'ref', n: root }, '', '', 0, {}, undefined), placed };
}

const TYPES = [...new Set(Object.values(OBJECT_TYPES))].sort();
const PERSONAL = new Set(['name', 'email', 'phone', 'address', 'text', 'fingerprint']);

/** Of the values placed: those found in the output (`leaked`) and those missing (`lost`). */
function audit(output: unknown, placed: Placed[]) {
	const text = JSON.stringify(output);
	const where = (p: Placed) => `${p.where} (${p.cls})`;
	return {
		leaked: (cls: (c: string) => boolean) =>
			placed.filter((p) => cls(p.cls) && text.includes(p.value)).map(where),
		lost: (cls: (c: string) => boolean) =>
			placed.filter((p) => cls(p.cls) && !text.includes(p.value)).map(where),
	};
}

describe('redaction over objects built from Stripe’s definitions', () => {
	it('covers every object type the package can return, events included', () => {
		for (const type of ['customer', 'charge', 'balance_transaction', 'payout', 'event'])
			expect(OBJECT_TYPES[type]).toBeDefined();
		expect(TYPES.length).toBeGreaterThan(100);
	});

	it('toward a model: no personal, secret or capability value; every public one', () => {
		fc.assert(
			fc.property(fc.constantFrom(...TYPES), fc.nat(), (type, seed) => {
				const { value, placed } = instance(type, seed);
				const out = new Redactor('exec-1').redact(value, undefined, {
					personal: true,
					capabilities: true,
					metadata: false,
				});
				const { leaked, lost } = audit(out, placed);
				expect(leaked((c) => PERSONAL.has(c) || c === 'secret' || c === 'capability')).toEqual([]);
				expect(lost((c) => c === 'public' || c === 'metadata')).toEqual([]);
			}),
			{ numRuns: 1000 },
		);
	});

	it("in an event, the object's previous values are redacted as the object is", () => {
		fc.assert(
			fc.property(fc.constantFrom(...TYPES), fc.nat(), (type, seed) => {
				const now = instance(type, seed);
				// Previous attributes do not say their type: the changed object's type tells.
				const before = instance(type, seed + 1, 'w');
				delete (before.value as { object?: string }).object;
				const event = {
					id: 'evt_1',
					object: 'event',
					type: 'any.updated',
					data: { object: now.value, previous_attributes: before.value },
				};
				const out = new Redactor('exec-1').redact(event, undefined, {
					personal: true,
					capabilities: true,
					metadata: false,
				});
				const { leaked } = audit(out, [...now.placed, ...before.placed]);
				expect(leaked((c) => PERSONAL.has(c) || c === 'secret' || c === 'capability')).toEqual([]);
			}),
			{ numRuns: 200 },
		);
	});

	it('with Redact Metadata on, metadata values are placeholders too', () => {
		fc.assert(
			fc.property(fc.constantFrom(...TYPES), fc.nat(), (type, seed) => {
				const { value, placed } = instance(type, seed);
				const out = new Redactor('exec-1').redact(value, undefined, {
					personal: true,
					capabilities: true,
					metadata: true,
				});
				expect(audit(out, placed).leaked((c) => c === 'metadata')).toEqual([]);
			}),
			{ numRuns: 100 },
		);
	});

	it('in a workflow with redaction off, only secrets are removed', () => {
		fc.assert(
			fc.property(fc.constantFrom(...TYPES), fc.nat(), (type, seed) => {
				const { value, placed } = instance(type, seed);
				const { leaked, lost } = audit(withoutSecrets(value), placed);
				expect(leaked((c) => c === 'secret')).toEqual([]);
				expect(lost((c) => c !== 'secret')).toEqual([]);
			}),
			{ numRuns: 200 },
		);
	});
});
