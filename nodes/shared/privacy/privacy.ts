/**
 * What must never leave the node, and what may leave only as a placeholder.
 *
 * Secrets (a PaymentIntent's or Checkout Session's `client_secret` lets a browser complete a
 * payment) are removed at every depth of every output. Personal data is found by a catalogue of
 * Stripe's fields per object type, not by guessing: keys that are personal wherever they appear,
 * `name` and free text where the object is a person's (a customer, a card, a bank account, billing
 * and shipping details), tax ID values, and the previous values in events. A placeholder is a
 * keyed hash of the value, the key derived from the execution: the same person gets the same
 * placeholder across all items and all of an agent's tool calls in one execution, so "the same
 * customer" can still be followed, and nothing about the value can be read back from it.
 */
import { createHmac } from 'node:crypto';

/** Keys whose value is a secret wherever it appears. */
const SECRET_KEYS = new Set(['client_secret', 'secret']);

/**
 * The value without secret-bearing fields, at every depth. Only what holds a secret is copied:
 * a list of 10,000 customers (none has one) passes through without a copy.
 */
export function withoutSecrets<T>(value: T): T {
	if (!value || typeof value !== 'object') return value;
	if (Array.isArray(value)) {
		let copy: unknown[] | undefined;
		value.forEach((v: unknown, i) => {
			const clean = withoutSecrets(v);
			if (clean !== v) (copy ??= [...value])[i] = clean;
		});
		return (copy ?? value) as T;
	}
	const record = value as Record<string, unknown>;
	// A spread defines own properties, so a key named "__proto__" stays a key in the copy.
	let copy: Record<string, unknown> | undefined;
	for (const k of Object.keys(record)) {
		if (SECRET_KEYS.has(k)) {
			copy ??= { ...record };
			delete copy[k];
			continue;
		}
		const clean = withoutSecrets(record[k]);
		if (clean !== record[k]) (copy ??= { ...record })[k] = clean;
	}
	return (copy ?? value) as T;
}

type Kind = 'name' | 'email' | 'phone' | 'address' | 'fingerprint' | 'text';

/** Keys whose value is personal wherever they appear. */
const ALWAYS: Record<string, Kind> = {
	email: 'email',
	receipt_email: 'email',
	customer_email: 'email',
	billing_email: 'email',
	phone: 'phone',
	customer_phone: 'phone',
	address: 'address',
	customer_address: 'address',
	shipping_address: 'address',
	customer_name: 'name',
	billing_name: 'name',
	account_holder_name: 'name',
	cardholder_name: 'name',
	fingerprint: 'fingerprint',
	ip_address: 'text',
	address_line1: 'address',
	address_line2: 'address',
	address_city: 'address',
	address_state: 'address',
	address_zip: 'address',
};

/**
 * What is personal in each object type Stripe Guard outputs, beyond the keys of ALWAYS: its own
 * `name` is a person's (a product's or price's name is not), and its `description` is free text
 * people fill with names ("Grace Hopper account"). Every type the node reads is listed, those with
 * nothing more to redact too, so that a new one is a decision (a test holds the node's read
 * resources to this table); a type not listed here has only the keys of ALWAYS redacted.
 */
export const OBJECT_PRIVACY = {
	customer: { personName: true, freeText: true },
	card: { personName: true, freeText: false },
	bank_account: { personName: true, freeText: false },
	person: { personName: true, freeText: false },
	source: { personName: true, freeText: false },
	cardholder: { personName: true, freeText: false },
	charge: { personName: false, freeText: true },
	payment_intent: { personName: false, freeText: true },
	invoice: { personName: false, freeText: true },
	subscription: { personName: false, freeText: true },
	'checkout.session': { personName: false, freeText: true },
	refund: { personName: false, freeText: true },
	product: { personName: false, freeText: false },
	price: { personName: false, freeText: false },
	coupon: { personName: false, freeText: false },
	balance: { personName: false, freeText: false },
	balance_transaction: { personName: false, freeText: false },
	payout: { personName: false, freeText: false },
	event: { personName: false, freeText: false },
} as const satisfies Record<string, { personName: boolean; freeText: boolean }>;

const typesWhere = (key: 'personName' | 'freeText') =>
	new Set(
		Object.entries(OBJECT_PRIVACY)
			.filter(([, c]) => c[key])
			.map(([type]) => type),
	);
/** Object types whose own `name` is a person's. */
const PERSON_OBJECTS = typesWhere('personName');
/** Containers whose `name` is a person's. */
const PERSON_CONTAINERS = new Set([
	'billing_details',
	'shipping',
	'shipping_details',
	'customer_details',
	'customer_shipping',
	'owner',
	'individual',
	'recipient',
	'verified_name',
]);
/** Object types whose `description` is free text people fill with names. */
const FREE_TEXT_OBJECTS = typesWhere('freeText');
/** Lists whose items' `value` is a tax ID number. */
const TAX_ID_LISTS = new Set(['tax_ids', 'customer_tax_ids']);

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
	redact<T>(value: T, type?: string): T {
		return this.walk(value, undefined, type) as T;
	}

	/** `key`: the key `value` sits under (for array items, the array's); `type`: its object type. */
	private walk(value: unknown, key: string | undefined, type: string | undefined): unknown {
		if (value === null || value === undefined) return value;
		if (Array.isArray(value)) return value.map((v) => this.walk(v, key, undefined));
		if (typeof value !== 'object') return value;
		const obj = value as Record<string, unknown>;
		const own = typeof obj.object === 'string' ? obj.object : type;
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(obj)) {
			let kind: Kind | undefined = ALWAYS[k];
			if (k === 'name' && ((own && PERSON_OBJECTS.has(own)) || PERSON_CONTAINERS.has(key ?? '')))
				kind = 'name';
			if (k === 'description' && own && FREE_TEXT_OBJECTS.has(own)) kind = 'text';
			if (k === 'value' && (own === 'tax_id' || TAX_ID_LISTS.has(key ?? ''))) kind = 'text';
			if (
				kind &&
				v !== null &&
				v !== undefined &&
				v !== '' &&
				(typeof v !== 'object' || kind === 'address')
			)
				out[k] = this.placeholder(kind, v);
			// An event's previous values belong to the object it changed.
			else if (k === 'previous_attributes')
				out[k] = this.walk(
					v,
					k,
					typeof (obj.object as Record<string, unknown> | undefined)?.object === 'string'
						? String((obj.object as Record<string, unknown>).object)
						: own,
				);
			else out[k] = this.walk(v, k, undefined);
		}
		return out;
	}
}
