/**
 * What must never leave the node, and what may leave only as a placeholder, driven by a
 * classification of every string field Stripe defines (`stripe-fields.ts`, generated from Stripe's
 * definitions and `classification.json`). A value is walked with its definition: an object's own
 * `object` type names it, and a nested object takes the definition its parent's field declares. So
 * a description is redacted on a balance transaction as on the charge it was copied from, and a
 * field Stripe adds is a decision in `classification.json` before it can be output.
 *
 * - Secrets (a client secret lets a browser complete a payment) are removed in every mode, at every
 *   depth, and cut out of any text or URL that embeds one (a 3-D Secure redirect URL does).
 * - Capability links (a receipt or hosted invoice that opens without login) are replaced by a note
 *   toward models.
 * - Personal values become placeholders: a keyed hash of the value, the key derived from the
 *   execution, so the same person gets the same placeholder across all items and all of an agent's
 *   tool calls in one execution, and nothing about the value can be read back from it.
 */
import { createHmac } from 'node:crypto';

import { redactKeys } from '../errors';
import { ALWAYS, DEFS, OBJECT_TYPES, WHOLE } from './stripe-fields';

type Kind = 'name' | 'email' | 'phone' | 'address' | 'text' | 'fingerprint';
type FieldClass = Kind | 'secret' | 'capability' | 'metadata';
const PERSONAL = new Set<string>(['name', 'email', 'phone', 'address', 'text', 'fingerprint']);

/** What a field holds: its class (none when public), the definitions of an object found there. */
interface FieldSpec {
	cls?: FieldClass;
	defs: string[];
	/** Classed by its key's name alone: `cls` for a string there, `whole` for an object. */
	byName?: boolean;
	whole?: FieldClass;
}
const NO_DEFS: string[] = [];
const UNKNOWN: FieldSpec = { defs: NO_DEFS };
/** A field the table leaves out: public, and so is everything in it (the table keeps no such). */
const PUBLIC: FieldSpec = { defs: ['(public)'] };

/** A definition's fields, parsed from the generated table the first time it is met. */
const parsed = new Map<string, Map<string, FieldSpec>>();
function fieldsOf(def: string): Map<string, FieldSpec> | undefined {
	let fields = parsed.get(def);
	if (fields || !DEFS[def]) return fields;
	fields = new Map();
	for (const [key, code] of Object.entries(DEFS[def])) {
		const [cls, ...refs] = typeof code === 'string' ? [code] : code;
		fields.set(key, {
			cls: (cls || undefined) as FieldClass | undefined,
			defs: refs.length ? refs : NO_DEFS,
		});
	}
	parsed.set(def, fields);
	return fields;
}

/** A definition that is another's alias or a union of others (an event) stands for them. */
const aliases = new Map<string, string[]>();
function resolved(defs: string[]): string[] {
	if (defs.length === 1 && aliases.has(defs[0])) return aliases.get(defs[0])!;
	return defs.flatMap((def) => {
		let targets = aliases.get(def);
		if (!targets) {
			const union = fieldsOf(def)?.get('');
			targets = union ? resolved(union.defs) : [def];
			aliases.set(def, targets);
		}
		return targets;
	});
}

/**
 * The spec of `key` under the given definitions. A key they do not name (a report's row, a
 * simplified `billing_email`) is classed by its name where Stripe gives that name one class;
 * otherwise it is public, as a field the table leaves out is.
 */
function specOf(defs: string[], key: string): FieldSpec {
	for (const def of resolved(defs)) {
		// `*`: the values of a map keyed by the account's own words (a currency, a name).
		const fields = fieldsOf(def);
		const spec = fields?.get(key) ?? fields?.get('*');
		if (spec) return spec;
	}
	const cls = ALWAYS[key] as FieldClass | undefined;
	const whole = WHOLE[key] as FieldClass | undefined;
	if (cls || whole) return { cls, whole, defs: NO_DEFS, byName: true };
	return defs.length ? PUBLIC : UNKNOWN;
}

/** The definition an object names by its `object` type (a list or an unknown type names none). */
const defOf = (obj: Record<string, unknown>): string | undefined =>
	typeof obj.object === 'string' && Object.hasOwn(OBJECT_TYPES, obj.object)
		? OBJECT_TYPES[obj.object]
		: undefined;

/**
 * Client secrets (`pi_…_secret_…`, `cuss_secret_…`), URL parameters named like a secret, and API
 * keys, cut out of any text.
 */
const EMBEDDED_SECRET = /\b[a-z]+(?:_[A-Za-z0-9]+)*_secret_[A-Za-z0-9]+/g;
export const SECRET_REMOVED = '[secret removed]';
// A value cut out before (redaction runs twice: before and after Simplify) is left as it is.
const SECRET_PARAMETER = /([?&#][A-Za-z_]*secret[A-Za-z_]*=)(?!\[secret removed\])[^&#\s]*/gi;
function withoutEmbeddedSecrets(text: string): string {
	if (!/secret|_live_|_test_|whsec_/i.test(text)) return text;
	return redactKeys(
		text
			.replace(SECRET_PARAMETER, (_m, name: string) => `${name}${SECRET_REMOVED}`)
			.replace(EMBEDDED_SECRET, SECRET_REMOVED),
	);
}

/** What replaces a link that opens a receipt, invoice or payment page without login. */
export const LINK_WITHHELD = '[link withheld: it opens without login]';

export interface RedactOptions {
	/** Personal values become placeholders (Redact Personal Data). */
	personal: boolean;
	/** Links that open without login become a note (always toward a model). */
	capabilities: boolean;
	/** Metadata values become placeholders too (Redact Metadata). */
	metadata: boolean;
}
const SECRETS_ONLY: RedactOptions = { personal: false, capabilities: false, metadata: false };

type Placeholder = (kind: Kind, value: unknown) => unknown;

/**
 * Walks `value` under the definitions `defs`, returning the value itself when nothing in it
 * changes: a list of 10,000 customers with nothing to remove passes through without a copy.
 */
function walk(
	value: unknown,
	defs: string[],
	options: RedactOptions,
	placeholder: Placeholder,
): unknown {
	if (typeof value === 'string') return withoutEmbeddedSecrets(value);
	if (!value || typeof value !== 'object') return value;
	if (Array.isArray(value)) {
		let copy: unknown[] | undefined;
		value.forEach((v: unknown, i) => {
			const clean = walk(v, defs, options, placeholder);
			if (clean !== v) (copy ??= [...value])[i] = clean;
		});
		return copy ?? value;
	}
	const obj = value as Record<string, unknown>;
	const own = defOf(obj);
	const here = own ? [own] : typeof obj.object === 'string' ? NO_DEFS : defs;
	// A spread defines own properties, so a key named "__proto__" stays a key in the copy.
	let copy: Record<string, unknown> | undefined;
	for (const key of Object.keys(obj)) {
		const v = obj[key];
		let spec = specOf(here, key);
		// An event's previous values belong to the object it changed.
		if (key === 'previous_attributes' && obj.object && typeof obj.object === 'object') {
			const changed = defOf(obj.object as Record<string, unknown>);
			if (changed) spec = { defs: [changed] };
		}
		const clean = field(v, spec, options, placeholder);
		if (clean === REMOVE) {
			copy ??= { ...obj };
			delete copy[key];
		} else if (clean !== v) (copy ??= { ...obj })[key] = clean;
	}
	return copy ?? value;
}

const REMOVE = Symbol('remove');

/** One field's value, by its class. */
function field(
	v: unknown,
	spec: FieldSpec,
	options: RedactOptions,
	placeholder: Placeholder,
): unknown {
	const { cls } = spec;
	if (cls === 'secret') return REMOVE; // the key too: even an empty one says a secret exists
	if (spec.byName && v && typeof v === 'object') {
		if (!Array.isArray(v))
			return spec.whole
				? field(v, { cls: spec.whole, defs: NO_DEFS }, options, placeholder)
				: walk(v, NO_DEFS, options, placeholder);
		const items = v.map((item) => field(item, spec, options, placeholder));
		return items.every((item, i) => item === v[i]) ? v : items.filter((i) => i !== REMOVE);
	}
	if (v === null || v === undefined || v === '' || !cls)
		return walk(v, spec.defs, options, placeholder);
	if (cls === 'capability') {
		if (options.capabilities) return typeof v === 'string' ? LINK_WITHHELD : REMOVE;
		return walk(v, spec.defs, options, placeholder);
	}
	if (cls === 'metadata') {
		// The account's own keys: whatever they are named, their values are kept unless asked.
		if (typeof v !== 'object') return walk(v, NO_DEFS, options, placeholder);
		let out: Record<string, unknown> | undefined;
		for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
			const kept = typeof value === 'string' ? withoutEmbeddedSecrets(value) : value;
			const clean =
				options.metadata && kept !== '' && kept !== null ? placeholder('text', kept) : kept;
			if (clean !== value) (out ??= { ...(v as Record<string, unknown>) })[k] = clean;
		}
		return out ?? v;
	}
	if (!options.personal || !PERSONAL.has(cls)) return walk(v, spec.defs, options, placeholder);
	// A whole address is one placeholder; a list of names is a list of placeholders; an expanded
	// object (where its ID may be) is walked by its own type.
	if (Array.isArray(v) && cls !== 'address')
		return v.map((item) => field(item, spec, options, placeholder));
	if (typeof v === 'object' && cls !== 'address') return walk(v, spec.defs, options, placeholder);
	return placeholder(cls as Kind, v);
}

/** The value without secrets, at every depth: secret fields removed, embedded secrets cut out. */
export function withoutSecrets<T>(value: T, type?: string): T {
	const def = type && OBJECT_TYPES[type];
	return walk(value, def ? [def] : NO_DEFS, SECRETS_ONLY, (_k, v) => v) as T;
}

export class Redactor {
	private readonly issued = new Set<string>();

	/** `scope`: what the placeholders are stable within, such as the execution's ID. */
	constructor(private readonly scope = '') {}

	private placeholder(kind: Kind, value: unknown): unknown {
		// Redacting twice (before and after Simplify) must not replace a placeholder with another.
		if (typeof value === 'string' && this.issued.has(value)) return value;
		const n = createHmac('sha256', `stripe-guard redaction ${this.scope}`)
			.update(`${kind}:${JSON.stringify(value)}`)
			.digest('hex')
			.slice(0, 8);
		const forms: Record<Kind, string> = {
			email: `person-${n}@redacted.invalid`,
			name: `Person ${n}`,
			phone: `[phone ${n}]`,
			address: `[address ${n}]`,
			fingerprint: `[card ${n}]`,
			text: `[redacted ${n}]`,
		};
		this.issued.add(forms[kind]);
		return forms[kind];
	}

	/**
	 * A redacted copy of `value` (the input is not changed). `type` is the Stripe object type of
	 * the top level when the value no longer says it (a simplified object).
	 */
	redact<T>(value: T, type?: string, options: Partial<RedactOptions> = {}): T {
		const def = type && OBJECT_TYPES[type];
		return walk(
			value,
			def ? [def] : NO_DEFS,
			{ personal: true, capabilities: false, metadata: false, ...options },
			(kind, v) => this.placeholder(kind, v),
		) as T;
	}
}
