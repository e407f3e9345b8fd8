/**
 * Stripe's own example objects, the templates every emulated object starts from, brought to the API
 * version the emulator speaks.
 *
 * The examples (fixtures3.json, API 2026-08-21) are older than the types the emulator is checked
 * against (stripe 23.1.0, API 2026-10-28.endive, in ./contract). So each template is conformed to
 * the contract's schema for its `object` before use: fields the schema does not have are dropped,
 * and required fields the example lacks get the empty value their schema allows (null, [] or {},
 * the last filled in turn). Expandable fields are left as they are; the few required fields that
 * have no empty value are in FIXTURE_GAPS. Objects the emulator builds are then completed the same
 * way, but without dropping anything (see `complete`).
 */
import { fieldsOf, type ContractField } from './contract';
import fixtures from './data/fixtures3.json';
import type { ObjectType, StripeObject } from './types';

const RESOURCE_KEYS: Record<ObjectType, string> = {
	customer: 'customer',
	product: 'product',
	price: 'price',
	subscription: 'subscription',
	invoice: 'invoice',
	invoiceitem: 'invoiceitem',
	line_item: 'line_item',
	payment_intent: 'payment_intent',
	charge: 'charge',
	refund: 'refund',
	balance_transaction: 'balance_transaction',
	payout: 'payout',
	checkout_session: 'checkout.session',
	event: 'event',
	dispute: 'dispute',
	coupon: 'coupon',
	discount: 'discount',
	invoice_payment: 'invoice_payment',
};

type TemplateType =
	| ObjectType
	| 'account'
	| 'balance'
	| 'country_spec'
	| 'item'
	| 'subscription_item'
	| 'tax_rate';

/**
 * Required fields newer than the examples that have no empty value (a non-null enum), per fixture
 * and dotted path: what Stripe gives an object that has not used the feature.
 */
const FIXTURE_GAPS: Record<string, Record<string, unknown>> = {
	dispute: { 'evidence_details.submission_method': 'not_submitted' },
};

const resources = (fixtures as unknown as { resources: Record<string, StripeObject> }).resources;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** The contract's fields of one object shape, and the shapes below its fields, worked out once. */
interface Shape {
	fields: Record<string, ContractField>;
	entries: Array<[string, ContractField]>;
	below: Map<string, Shape | undefined>;
	objectType: string;
	path: string[];
}
const roots = new Map<string, Shape | undefined>();
function shapeOf(objectType: string, path: string[]): Shape | undefined {
	const fields = fieldsOf(objectType, path);
	return fields && { fields, entries: Object.entries(fields), below: new Map(), objectType, path };
}
function rootShape(objectType: string): Shape | undefined {
	if (!roots.has(objectType)) roots.set(objectType, shapeOf(objectType, []));
	return roots.get(objectType);
}
function shapeBelow(shape: Shape, key: string): Shape | undefined {
	if (!shape.below.has(key)) shape.below.set(key, shapeOf(shape.objectType, [...shape.path, key]));
	return shape.below.get(key);
}

/** Whether objects of this type (Stripe's `object` value) have the field at this API version. */
export function hasField(objectType: string, field: string): boolean {
	return rootShape(objectType)?.fields[field] !== undefined;
}

const EMPTY = { null: () => null, array: () => [], object: () => ({}) };

/**
 * Brings `value`, a part of an object that has this shape, to the contract's shape, in place:
 * missing required fields get their empty value; with `drop`, fields the shape does not have are
 * removed. Private fields (leading underscore) are the emulator's own and stay. With `only`, fields
 * that are there already are looked into only if listed (the others are known to conform).
 */
function conform(
	value: Record<string, unknown>,
	shape: Shape | undefined,
	drop: boolean,
	only?: ReadonlySet<string>,
): void {
	if (!shape) return;
	if (drop)
		for (const key of Object.keys(value))
			if (!(key in shape.fields) && !key.startsWith('_')) delete value[key];
	for (const [key, field] of shape.entries) {
		let v = value[key];
		if (v === undefined && field.required && field.empty) v = value[key] = EMPTY[field.empty]();
		else if (only && !only.has(key)) continue;
		if (isPlainObject(v)) conform(v, shapeBelow(shape, key), drop);
		else if (Array.isArray(v))
			for (const x of v) if (isPlainObject(x)) conform(x, shapeBelow(shape, key), drop);
	}
}

/**
 * Fills the required fields an object lacks with their empty values (nothing is removed): at its
 * top level, and within the fields named in `within` (all when not given).
 */
export function complete<T extends StripeObject>(object: T, within?: Iterable<string>): T {
	conform(object, rootShape(object.object), false, within && new Set(within));
	return object;
}

const templates = new Map<string, StripeObject>();

/**
 * A fresh deep copy of Stripe's example object of this type, conformed to the current API version.
 */
export function template(type: TemplateType): StripeObject {
	const key = (RESOURCE_KEYS as Record<string, string>)[type] ?? type;
	let conformed = templates.get(key);
	if (!conformed) {
		conformed = structuredClone(resources[key]);
		for (const [path, value] of Object.entries(FIXTURE_GAPS[key] ?? {})) {
			const parts = path.split('.');
			const parent = parts
				.slice(0, -1)
				.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, conformed);
			if (parent[parts[parts.length - 1]] === undefined) parent[parts[parts.length - 1]] = value;
		}
		conform(conformed, rootShape(conformed.object), true);
		templates.set(key, conformed);
	}
	return structuredClone(conformed);
}
