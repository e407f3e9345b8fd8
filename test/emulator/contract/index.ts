/**
 * Stripe's contract, as the `stripe` npm package publishes it, for checking the emulator: every
 * request it receives (checkRequest) and every object it serves (checkObject). The data is
 * stripe-contract.json, generated from the package by scripts/generate-stripe-contract.mjs; nothing
 * here is a hand-kept list of Stripe facts, so the emulator cannot share our misreadings of Stripe.
 *
 * What the types leave out comes from two more sources, checked after them: Stripe's OpenAPI spec
 * (stripe-limits.json, by scripts/generate-stripe-limits.mjs: each string's maxLength, which
 * numbers are integers) and Stripe's documentation (documented.ts: metadata limits, a price's
 * longest interval, Checkout's URLs and line items).
 *
 * What none of them decides, and this checker therefore accepts:
 * - Free-form strings: an ID parameter (`customer`, `starting_after`...) is `string`, so any string
 *   of its length passes; so do `string`-typed filters whose values Stripe documents only in prose
 *   (`PayoutListParams.status`, `EventListParams.type`).
 * - Ranges and sizes the spec does not state (`limit` 1-100, most array sizes).
 * - Rules between parameters (one of `charge` /
 *   `payment_intent`, "only with mode=subscription"...).
 * - Expanding an optional field: the types mark fields Stripe
 *   includes only on request (`price.tiers`) optional, like other
 *   optional fields, so expanding any optional field is accepted.
 * - Expanding through an object that is always embedded (`items.data.price`): accepted when that
 *   object has expandable fields further down, as Stripe's OpenAPI lists such fields as expandable.
 * - Open enums: the SDK joins most enums with `OtherString` because Stripe may add values later. At
 *   this API version the listed values are all there are, so both checks keep to them.
 * - Which of several shapes an object takes (Customer or DeletedCustomer,
 *   the 200+ Event types): the shape whose literal fields (`object`,
 *   `type`, `deleted`) match is used, else the closest one.
 * - API v2 endpoints (JSON bodies) are in the table, but their bodies are checked like v1 forms.
 * Checked beyond the brief's list, because the types say it: missing required params
 * (`Missing required param: query.`), and `expand` where an endpoint's params have none (most
 * DELETEs) is an unknown parameter. Stripe's exact wording for type errors ("Invalid number: x") is
 * ours; unknown-parameter, enum, expand and unrecognized-URL messages follow Stripe's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { checkDocumented } from './documented';

type Kind = 'string' | 'number' | 'boolean' | 'decimal' | 'absent';
type Schema =
	| Kind
	| { t: Kind; const?: boolean | number }
	| { t: 'enum'; values: string[]; open?: true }
	| {
			t: 'object';
			props: Record<string, Schema>;
			optional?: string[];
			additional?: Schema;
			params?: string[];
	  }
	| { t: 'array'; items: Schema }
	| { t: 'anyOf'; of: Schema[] }
	| { t: 'nullable' | 'emptyable' | 'partial'; of: Schema }
	| { t: 'expandable'; of: string[] }
	| { t: 'ref'; n: string; args?: Schema[] }
	| { t: 'tparam'; n: string }
	| { t: 'unknown'; why: string }
	/** Not in the JSON: a list element checked against the object type its `object` names. */
	| { t: 'byObject' };
type Node = Exclude<Schema, Kind>;
type ObjectNode = Extract<Node, { t: 'object' }>;
type Env = Readonly<Record<string, Schema>>;

interface Endpoint {
	method: string;
	path: string;
	resource: string;
	apiBase?: string;
	params: Schema;
	response: Schema;
}
interface Contract {
	source: {
		stripePackage: string;
		apiVersion: string;
		openapi: string;
		counts: Record<string, number>;
	};
	endpoints: Endpoint[];
	objectTypes: Record<string, string[]>;
	expandable: Record<string, string[]>;
	defs: Record<string, Schema>;
}

/**
 * Beside this file, or, compiled to .tmp/emulator for
 * `npm start` and the benchmarks, in the sources.
 */
function contractFile(name = 'stripe-contract.json'): string {
	for (let dir = __dirname; ; dir = dirname(dir)) {
		for (const candidate of [join(dir, name), join(dir, `test/emulator/contract/${name}`)])
			if (existsSync(candidate)) return candidate;
		if (dirname(dir) === dir) throw new Error(`${name} not found above ${__dirname}`);
	}
}

export const contract: Contract = JSON.parse(readFileSync(contractFile(), 'utf8'));

/** A parameter's limits in Stripe's OpenAPI spec: `or` names words that stand in for a number. */
export interface ParamLimits {
	maxLength?: number;
	integer?: true;
	minimum?: number;
	maximum?: number;
	or?: string[];
}
/**
 * Per endpoint (`POST /v1/prices`, the contract's templates), per parameter in form notation:
 * `recurring[interval_count]`, `line_items[][quantity]` (any item), `metadata[*]` (any key).
 */
export const limits: {
	source: { openapi: string; stripePackageOpenapi: string };
	endpoints: Record<string, Record<string, ParamLimits>>;
} = JSON.parse(readFileSync(contractFile('stripe-limits.json'), 'utf8'));

export interface ContractViolation {
	message: string;
	param?: string;
	template?: string;
	/** Stripe's error code, where the violation has one of its own. */
	code?: string;
}

// ---- schemas ----------------------------------------------------------------------------------

const node = (s: Schema): Node => (typeof s === 'string' ? { t: s } : s);

/** Follows references (binding generic arguments) to a schema that is not a reference. */
function deref(s: Schema, env: Env): { s: Node; env: Env } {
	let n = node(s);
	for (;;) {
		if (n.t === 'tparam') {
			const bound = env[n.n];
			if (!bound) return { s: { t: 'unknown', why: `unbound ${n.n}` }, env };
			n = node(bound);
			continue;
		}
		if (n.t !== 'ref') return { s: n, env };
		const def = contract.defs[n.n];
		if (def === undefined) return { s: { t: 'unknown', why: `no definition ${n.n}` }, env };
		const target = node(def);
		if (n.args && target.t === 'object' && target.params) {
			const bound: Record<string, Schema> = {};
			const args = n.args;
			target.params.forEach(
				(p, i) =>
					(bound[p] = args[i]
						? bindArg(args[i], env)
						: { t: 'unknown', why: 'missing type argument' }),
			);
			env = bound;
		}
		n = target;
	}
}

/**
 * A type argument written in the caller's scope, resolved there (ApiList<T> inside ApiList<...>).
 */
function bindArg(s: Schema, env: Env): Schema {
	const n = node(s);
	return n.t === 'tparam' ? (env[n.n] ?? { t: 'unknown', why: `unbound ${n.n}` }) : n;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);
const bracket = (param: string, key: string | number) => (param ? `${param}[${key}]` : String(key));
const NUMERIC = /^-?\d+(\.\d+)?$/;
const listWords = (values: string[]) =>
	values.length < 2
		? values.join('')
		: `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

/** qs gives `a[0]=x&a[1]=y` as an array, but as an object with numeric keys when indexes are
 * sparse or above its array limit (20). */
function asList(v: unknown): Array<[string, unknown]> | undefined {
	if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
	if (
		isPlainObject(v) &&
		Object.keys(v).length > 0 &&
		Object.keys(v).every((k) => /^\d+$/.test(k))
	) {
		return Object.entries(v).sort((a, b) => Number(a[0]) - Number(b[0]));
	}
	return undefined;
}

// ---- endpoints ----------------------------------------------------------------------------------

interface Route {
	endpoint: Endpoint;
	segments: string[];
	/**
	 * One letter per segment, L(iteral) sorting before P(laceholder): the most literal route wins.
	 */
	rank: string;
}
const routes: Route[] = contract.endpoints.map((endpoint) => {
	const segments = endpoint.path.split('/');
	return {
		endpoint,
		segments,
		rank: segments.map((s) => (s.startsWith('{') ? 'P' : 'L')).join(''),
	};
});

function findEndpoint(method: string, path: string): Endpoint | undefined {
	const parts = path.split('?')[0].split('/');
	let best: Route | undefined;
	for (const r of routes) {
		if (r.endpoint.method !== method.toUpperCase() || r.segments.length !== parts.length) continue;
		if (!r.segments.every((s, i) => (s.startsWith('{') ? parts[i] !== '' : s === parts[i])))
			continue;
		if (!best || r.rank < best.rank) best = r;
	}
	return best?.endpoint;
}

export function matchEndpoint(method: string, path: string): { template: string } | undefined {
	const e = findEndpoint(method, path);
	return e && { template: e.path };
}

// ---- requests -----------------------------------------------------------------------------------

type Check = { message: string; param: string; code?: string } | undefined;

function shapeOf(v: unknown): 'list' | 'hash' | 'scalar' {
	if (asList(v)) return 'list';
	return isPlainObject(v) ? 'hash' : 'scalar';
}

function wants(s: Schema, env: Env): 'list' | 'hash' | 'scalar' | 'any' {
	const { s: n, env: e } = deref(s, env);
	if (n.t === 'array') return 'list';
	if (n.t === 'object' || n.t === 'partial') return 'hash';
	if (n.t === 'nullable' || n.t === 'emptyable') return wants(n.of, e);
	if (n.t === 'unknown' || n.t === 'anyOf') return 'any';
	return 'scalar';
}

/** Checks one form-encoded parameter (every leaf a string) against its schema. */
function checkParam(s: Schema, v: unknown, param: string, env: Env): Check {
	const { s: n, env: e } = deref(s, env);
	const unknownKey = (): Check => {
		const key = isPlainObject(v) ? Object.keys(v)[0] : undefined;
		return key === undefined
			? { message: `Invalid ${n.t === 'tparam' ? 'value' : n.t}: ${param} must be a ${n.t}`, param }
			: {
					message: `Received unknown parameter: ${bracket(param, key)}`,
					param: bracket(param, key),
				};
	};
	switch (n.t) {
		case 'unknown':
		case 'tparam':
		case 'byObject':
			return undefined;
		case 'absent':
			return { message: `Received unknown parameter: ${param}`, param };
		case 'string':
			if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
				return undefined;
			return unknownKey();
		case 'number':
		case 'decimal':
			if (
				(typeof v === 'string' && NUMERIC.test(v)) ||
				(typeof v === 'number' && Number.isFinite(v))
			)
				return undefined;
			return typeof v === 'string' ? { message: `Invalid ${n.t}: ${v}`, param } : unknownKey();
		case 'boolean':
			if (v === 'true' || v === 'false' || typeof v === 'boolean') return undefined;
			return typeof v === 'string' ? { message: `Invalid boolean: ${v}`, param } : unknownKey();
		case 'enum':
			if (typeof v === 'string' && n.values.includes(v)) return undefined;
			return typeof v === 'string'
				? { message: `Invalid ${param}: must be one of ${listWords(n.values)}`, param }
				: unknownKey();
		case 'emptyable':
			return v === '' || v === null ? undefined : checkParam(n.of, v, param, e);
		case 'nullable':
			// stripe-node sends null as '' (there is no null in form encoding).
			return v === '' || v === null ? undefined : checkParam(n.of, v, param, e);
		case 'expandable':
			return typeof v === 'string' ? undefined : unknownKey();
		case 'array': {
			const items = asList(v);
			if (!items) return { message: `Invalid array: ${param} must be an array`, param };
			for (const [i, x] of items) {
				const c = checkParam(n.items, x, bracket(param, i), e);
				if (c) return c;
			}
			return undefined;
		}
		case 'anyOf': {
			const results = n.of.map((b) => ({ b, c: checkParam(b, v, param, e) }));
			if (results.some((r) => !r.c)) return undefined;
			const shape = shapeOf(v);
			return (results.find((r) => wants(r.b, e) === shape) ?? results[0]).c;
		}
		case 'partial':
		case 'object': {
			const { s: obj, env: oe } = n.t === 'object' ? { s: n as Node, env: e } : deref(n.of, e);
			if (obj.t !== 'object') return checkParam(obj, v, param, oe);
			if (!isPlainObject(v))
				return { message: `Invalid object: ${param || 'the request'} must be a hash`, param };
			for (const [k, x] of Object.entries(v)) {
				const prop = obj.props[k] ?? obj.additional;
				if (prop === undefined)
					return {
						message: `Received unknown parameter: ${bracket(param, k)}`,
						param: bracket(param, k),
					};
				const c = checkParam(prop, x, bracket(param, k), oe);
				if (c) return c;
			}
			if (n.t === 'object') {
				for (const k of Object.keys(obj.props)) {
					if (
						v[k] === undefined &&
						!obj.optional?.includes(k) &&
						node(obj.props[k]).t !== 'absent'
					) {
						return {
							message: `Missing required param: ${bracket(param, k)}.`,
							param: bracket(param, k),
						};
					}
				}
			}
			return undefined;
		}
	}
	return undefined;
}

// ---- expand -------------------------------------------------------------------------------------

/** The object schemas a value of this schema may be (through null, arrays, lists and unions). */
function objectsOf(
	s: Schema,
	env: Env,
	out: Array<{ o: ObjectNode; env: Env }> = [],
): Array<{ o: ObjectNode; env: Env }> {
	const { s: n, env: e } = deref(s, env);
	if (n.t === 'object') out.push({ o: n, env: e });
	else if (n.t === 'nullable' || n.t === 'emptyable' || n.t === 'partial') objectsOf(n.of, e, out);
	else if (n.t === 'array') objectsOf(n.items, e, out);
	else if (n.t === 'anyOf') n.of.forEach((b) => objectsOf(b, e, out));
	else if (n.t === 'expandable') n.of.forEach((name) => objectsOf({ t: 'ref', n: name }, e, out));
	return out;
}

function isExpandable(s: Schema, env: Env): boolean {
	const { s: n, env: e } = deref(s, env);
	if (n.t === 'expandable') return true;
	if (n.t === 'nullable' || n.t === 'emptyable' || n.t === 'array')
		return isExpandable(n.t === 'array' ? n.items : n.of, e);
	return n.t === 'anyOf' && n.of.some((b) => isExpandable(b, e));
}

/** Whether anything expandable lies within a few levels below (Stripe's OpenAPI marks such
 * embedded objects expandable so that paths can go through them). */
function leadsToExpandable(s: Schema, env: Env, depth: number): boolean {
	if (depth === 0) return false;
	return objectsOf(s, env).some(({ o, env: e }) =>
		Object.values(o.props).some((p) => isExpandable(p, e) || leadsToExpandable(p, e, depth - 1)),
	);
}

const MAX_EXPAND_DEPTH = 4;

function checkExpand(response: Schema, path: string): string | undefined {
	const segments = path.split('.');
	if (segments.length > MAX_EXPAND_DEPTH)
		return `You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property.`;
	let current: Array<{ s: Schema; env: Env }> = [{ s: response, env: {} }];
	for (let i = 0; i < segments.length; i++) {
		const seg = segments[i];
		const cannot = `This property cannot be expanded (${segments.slice(0, i + 1).join('.')}).`;
		const next: Array<{ s: Schema; env: Env }> = [];
		let ok = false;
		for (const c of current) {
			for (const { o, env } of objectsOf(c.s, c.env)) {
				const field = o.props[seg];
				if (field === undefined) continue;
				const last = i === segments.length - 1;
				const expandable = isExpandable(field, env);
				if (expandable || objectsOf(field, env).length > 0) next.push({ s: field, env });
				if (!last) ok ||= expandable || objectsOf(field, env).length > 0;
				else ok ||= expandable || !!o.optional?.includes(seg) || leadsToExpandable(field, env, 3);
			}
		}
		if (!ok) return cannot;
		current = next;
	}
	return undefined;
}

// ---- requests -----------------------------------------------------------------------------------

export function checkRequest(req: {
	method: string;
	path: string;
	query: Record<string, unknown>;
	body: Record<string, unknown>;
}): ContractViolation | undefined {
	const path = req.path.split('?')[0];
	const endpoint = findEndpoint(req.method, path);
	if (!endpoint) {
		return {
			message:
				`Unrecognized request URL (${req.method.toUpperCase()}: ${path}). ` +
				'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
		};
	}
	const template = endpoint.path;
	const params = { ...(req.query ?? {}), ...(req.body ?? {}) };
	const c = checkParam(endpoint.params, params, '', {});
	if (c) return { ...c, template };
	const expand = params.expand;
	const entries =
		asList(expand) ?? (typeof expand === 'string' ? [['', expand] as [string, unknown]] : []);
	for (const [i, entry] of entries) {
		if (typeof entry !== 'string') continue;
		const message = checkExpand(endpoint.response, entry);
		if (message) return { message, param: i === '' ? 'expand' : `expand[${i}]`, template };
	}
	const key = `${endpoint.method} ${template}`;
	for (const [pattern, limit] of Object.entries(limits.endpoints[key] ?? {})) {
		for (const [param, value] of valuesAt(params, pattern)) {
			const v = limitViolation(limit, param, value);
			if (v) return { ...v, template };
		}
	}
	const documented = checkDocumented(endpoint.method, template, params);
	return documented && { ...documented, template };
}

/** What Stripe's definitions say one request parameter is, for tests that draw values from them. */
export interface ParamFacts {
	kind: Kind | 'enum' | 'object' | 'array' | 'other';
	/** An enum's values. */
	values?: string[];
	/** Its limits in the OpenAPI spec (maxLength, integer), if any. */
	limits?: ParamLimits;
}

/**
 * The facts of `param` (`['recurring', 'interval_count']`, `['line_items', '0', 'quantity']`) of an
 * endpoint; undefined when the endpoint has no such parameter.
 */
export function describeParam(
	method: string,
	path: string,
	param: string[],
): ParamFacts | undefined {
	const endpoint = findEndpoint(method, path);
	if (!endpoint) return undefined;
	const unwrap = (s: Schema, env: Env): { s: Node; env: Env } => {
		const d = deref(s, env);
		if (d.s.t === 'nullable' || d.s.t === 'emptyable' || d.s.t === 'partial')
			return unwrap(d.s.of, d.env);
		return d;
	};
	let current: Array<{ s: Node; env: Env }> = [unwrap(endpoint.params, {})];
	for (const segment of param) {
		current = current.flatMap(({ s, env }) => {
			const branches = s.t === 'anyOf' ? s.of.map((b) => unwrap(b, env)) : [{ s, env }];
			return branches.flatMap((b) => {
				if (b.s.t === 'object') {
					const prop = b.s.props[segment] ?? b.s.additional;
					return prop === undefined ? [] : [unwrap(prop, b.env)];
				}
				return b.s.t === 'array' && /^\d+$/.test(segment) ? [unwrap(b.s.items, b.env)] : [];
			});
		});
	}
	const leaf = current[0];
	if (!leaf) return undefined;
	const pattern = param.map((p, i) => (i === 0 ? p : /^\d+$/.test(p) ? '[]' : `[${p}]`)).join('');
	const own = limits.endpoints[`${endpoint.method} ${endpoint.path}`]?.[pattern];
	const plain = ['string', 'number', 'boolean', 'decimal', 'absent', 'enum', 'object', 'array'];
	const kind = plain.includes(leaf.s.t) ? (leaf.s.t as ParamFacts['kind']) : 'other';
	return {
		kind,
		...(leaf.s.t === 'enum' ? { values: leaf.s.values } : {}),
		...(own ? { limits: own } : {}),
	};
}

// ---- limits from the OpenAPI spec and the documentation ---------------------------------------

/** The values a limit's pattern names in the parameters, each with its bracketed name. */
function valuesAt(params: Record<string, unknown>, pattern: string): Array<[string, unknown]> {
	const segments = pattern.replace(/\]/g, '').split('[');
	let found: Array<[string, unknown]> = [['', params]];
	for (const segment of segments) {
		found = found.flatMap(([param, v]): Array<[string, unknown]> => {
			if (segment === '' || segment === '*') {
				const items = segment === '' ? asList(v) : isPlainObject(v) ? Object.entries(v) : [];
				return (items ?? []).map(([k, x]) => [bracket(param, k), x]);
			}
			return isPlainObject(v) && v[segment] !== undefined
				? [[bracket(param, segment), v[segment]]]
				: [];
		});
	}
	return found;
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
/** Stripe shows a long string by its first and last ten characters. */
const preview = (s: string) => (s.length > 23 ? `${s.slice(0, 10)}...${s.slice(-10)}` : s);

function limitViolation(limit: ParamLimits, param: string, value: unknown): Check {
	if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
		return undefined;
	const text = String(value);
	// Stripe counts characters (code points), not UTF-16 units.
	if (limit.maxLength !== undefined && [...text].length > limit.maxLength)
		return {
			message: `Invalid string: ${preview(text)}; must be at most ${limit.maxLength} characters`,
			param,
		};
	if (limit.integer && text !== '' && !limit.or?.includes(text)) {
		const whole = /^-?\d+$/.test(text) ? BigInt(text) : undefined;
		if (whole === undefined || whole < INT64.min || whole > INT64.max)
			return { message: `Invalid integer: ${text}`, param, code: 'parameter_invalid_integer' };
		if (
			(limit.minimum !== undefined && whole < BigInt(limit.minimum)) ||
			(limit.maximum !== undefined && whole > BigInt(limit.maximum))
		)
			return {
				message:
					`Invalid ${param}: must be between ` +
					`${limit.minimum ?? '-∞'} and ${limit.maximum ?? '∞'}`,
				param,
				code: 'parameter_invalid_integer',
			};
	}
	return undefined;
}

// ---- objects ------------------------------------------------------------------------------------

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const at = (path: string) => path || '(object)';

/** Literal fields of an object shape (`object`, `type`, `deleted`...) used to pick among shapes. */
function literalsMatch(o: ObjectNode, v: Record<string, unknown>): boolean {
	for (const [k, p] of Object.entries(o.props)) {
		const n = node(p);
		const own = n.t === 'ref' ? node(contract.defs[n.n] ?? 'string') : n;
		if (
			own.t === 'enum' &&
			own.values.length === 1 &&
			!own.open &&
			k in v &&
			v[k] !== own.values[0]
		)
			return false;
		if (own.t === 'boolean' && 'const' in own && k in v && v[k] !== own.const) return false;
		if (own.t === 'absent' && v[k] !== undefined) return false;
	}
	return true;
}

function objectErrors(s: Schema, v: unknown, path: string, env: Env): string[] {
	const { s: n, env: e } = deref(s, env);
	const wrong = (what: string) => [
		`${at(path)}: expected ${what}, got ${typeName(v)}${typeof v === 'string' ? ` '${v}'` : ''}`,
	];
	switch (n.t) {
		case 'unknown':
		case 'tparam':
			return [];
		case 'byObject':
			return isPlainObject(v) && typeof v.object === 'string'
				? objectErrorsFor(v.object, v, path)
				: wrong('an object with `object`');
		case 'absent':
			return v === undefined ? [] : [`${at(path)}: must be absent`];
		case 'string':
			return typeof v === 'string' ? [] : wrong('string');
		case 'number':
			return typeof v === 'number' && Number.isFinite(v) ? [] : wrong('number');
		case 'decimal':
			return typeof v === 'string' && NUMERIC.test(v) ? [] : wrong('decimal string');
		case 'boolean':
			if (typeof v !== 'boolean') return wrong('boolean');
			return n.const === undefined || n.const === v ? [] : [`${at(path)}: must be ${n.const}`];
		case 'enum':
			if (typeof v === 'string' && n.values.includes(v)) return [];
			return typeof v === 'string'
				? [
						`${at(path)}: '${v}' is not one of ` +
							`${n.values.length > 12 ? `${n.values.length} listed values` : n.values.join(', ')}`,
					]
				: wrong(`one of ${n.values.slice(0, 12).join(', ')}`);
		case 'nullable':
			return v === null ? [] : objectErrors(n.of, v, path, e);
		case 'emptyable':
			return v === null || v === '' ? [] : objectErrors(n.of, v, path, e);
		case 'expandable':
			if (typeof v === 'string') return [];
			return objectErrors(
				n.of.length === 1
					? { t: 'ref', n: n.of[0] }
					: { t: 'anyOf', of: n.of.map((x) => ({ t: 'ref', n: x })) },
				v,
				path,
				e,
			);
		case 'array':
			return Array.isArray(v)
				? v.flatMap((x, i) => objectErrors(n.items, x, `${path}[${i}]`, e))
				: wrong('array');
		case 'anyOf': {
			const branches = n.of.map((b) => ({ b, o: objectsOf(b, e) }));
			const matching = isPlainObject(v)
				? branches.filter((x) => x.o.length === 0 || x.o.some(({ o }) => literalsMatch(o, v)))
				: branches;
			let best: string[] | undefined;
			for (const { b } of matching.length ? matching : branches) {
				const errs = objectErrors(b, v, path, e);
				if (errs.length === 0) return [];
				if (!best || errs.length < best.length) best = errs;
			}
			return best ?? [];
		}
		case 'partial':
		case 'object': {
			const { s: obj, env: oe } = n.t === 'object' ? { s: n as Node, env: e } : deref(n.of, e);
			if (obj.t !== 'object') return objectErrors(obj, v, path, oe);
			if (!isPlainObject(v)) return wrong('object');
			const errs: string[] = [];
			const sub = (k: string) => (path ? `${path}.${k}` : k);
			for (const [k, x] of Object.entries(v)) {
				const prop = obj.props[k] ?? obj.additional;
				if (prop === undefined) errs.push(`${sub(k)}: unknown field`);
				else errs.push(...objectErrors(prop, x, sub(k), oe));
			}
			if (n.t === 'object') {
				for (const k of Object.keys(obj.props)) {
					if (v[k] === undefined && !obj.optional?.includes(k) && node(obj.props[k]).t !== 'absent')
						errs.push(`${sub(k)}: missing`);
				}
			}
			return errs;
		}
	}
	return [];
}

function objectErrorsFor(objectType: string, value: unknown, path: string): string[] {
	if (objectType === 'list' || objectType === 'search_result') {
		const def = objectType === 'list' ? 'ApiList' : 'ApiSearchResult';
		return objectErrors({ t: 'ref', n: def, args: [{ t: 'byObject' }] }, value, path, {});
	}
	const names = contract.objectTypes[objectType];
	if (!names) return [`${at(path)}: Stripe has no object type '${objectType}'`];
	const schema: Schema =
		names.length === 1
			? { t: 'ref', n: names[0] }
			: { t: 'anyOf', of: names.map((n) => ({ t: 'ref', n })) };
	return objectErrors(schema, value, path, {});
}

/** Type errors of an object the emulator serves, as `path: problem` lines; [] when it conforms.
 * `objectType` is Stripe's `object` value (customer, checkout.session, line_item, list...). */
export function checkObject(objectType: string, value: unknown): string[] {
	return objectErrorsFor(objectType, value, '');
}

// ---- building objects ---------------------------------------------------------------------------

/** A field of an object shape: whether the types require it, and the empty value its schema allows
 * (`null` when nullable, else `[]` for an array, `{}`
 * for an embedded object; none for a scalar). */
export interface ContractField {
	required: boolean;
	empty?: 'null' | 'array' | 'object';
}

/**
 * The fields of objects of type `objectType` (Stripe's `object` value), or of the
 * object found below them along `path` (field names; null, arrays and lists are looked
 * through), for the emulator to build objects that conform. Undefined where there is
 * no single shape to follow: an unknown type or path, an expandable field (an object
 * there is an expansion, complete or not), a map (metadata), or alternatives with
 * different fields (an event's `data.object`). Deleted* shapes are left out.
 */
export function fieldsOf(
	objectType: string,
	path: readonly string[] = [],
): Record<string, ContractField> | undefined {
	const names = contract.objectTypes[objectType];
	if (!names) return undefined;
	const shapes = (s: Schema, env: Env, out: Array<{ o: ObjectNode; env: Env }> = []) => {
		const { s: n, env: e } = deref(s, env);
		if (n.t === 'object') out.push({ o: n, env: e });
		else if (n.t === 'nullable' || n.t === 'emptyable' || n.t === 'partial') shapes(n.of, e, out);
		else if (n.t === 'array') shapes(n.items, e, out);
		else if (n.t === 'anyOf') n.of.forEach((b) => shapes(b, e, out));
		else if (n.t === 'unknown' || n.t === 'expandable')
			out.push({ o: { t: 'object', props: {}, additional: n }, env: e });
		return out;
	};
	let current = names
		.flatMap((n) => shapes({ t: 'ref', n }, {}))
		.filter(({ o }) => {
			const deleted = o.props.deleted === undefined ? undefined : node(o.props.deleted);
			return !(deleted?.t === 'boolean' && deleted.const === true);
		});
	for (const key of path)
		current = current.flatMap(({ o, env }) =>
			o.props[key] === undefined ? [] : shapes(o.props[key], env),
		);
	if (current.length === 0 || current.some(({ o }) => o.additional !== undefined)) return undefined;
	const fieldsIn = ({ o, env }: { o: ObjectNode; env: Env }) => {
		const out: Record<string, ContractField> = {};
		for (const [k, p] of Object.entries(o.props)) {
			const { s: n, env: e } = deref(p, env);
			if (n.t === 'absent') continue;
			const kind = n.t === 'anyOf' ? n.of.map((b) => deref(b, e).s.t) : [n.t];
			const empty = kind.some((t) => t === 'nullable' || t === 'emptyable')
				? 'null'
				: kind.includes('array')
					? 'array'
					: kind.some((t) => t === 'object' || t === 'partial')
						? 'object'
						: undefined;
			out[k] = { required: !o.optional?.includes(k), ...(empty ? { empty } : {}) };
		}
		return out;
	};
	const [first, ...others] = current.map(fieldsIn);
	const sameKeys = (a: object, b: object) =>
		Object.keys(a).sort().join() === Object.keys(b).sort().join();
	return others.every((f) => sameKeys(f, first)) ? first : undefined;
}
