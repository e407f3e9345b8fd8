/**
 * Replaces personal data in Stripe objects with placeholders that stay the same for the same
 * value within one run, so that "the same customer" can still be followed through the output.
 */
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
	fingerprint: 'fingerprint',
};

/** Objects in which `name` is a person's (a product's or price's name is not personal). */
const PERSON_CONTAINERS = new Set(['billing_details', 'shipping', 'customer_details', 'customer_shipping', 'owner', 'individual', 'recipient']);

export class Redactor {
	private readonly placeholders = new Map<string, string>();
	private readonly counters = new Map<Kind, number>();

	private placeholder(kind: Kind, value: unknown): string {
		const key = `${kind}:${JSON.stringify(value)}`;
		let found = this.placeholders.get(key);
		if (!found) {
			const n = (this.counters.get(kind) ?? 0) + 1;
			this.counters.set(kind, n);
			found =
				kind === 'email'
					? `person${n}@redacted.invalid`
					: kind === 'name'
						? `Person ${n}`
						: kind === 'phone'
							? `[phone ${n}]`
							: kind === 'address'
								? `[address ${n}]`
								: kind === 'fingerprint'
									? `[card ${n}]`
									: `[redacted ${n}]`;
			this.placeholders.set(key, found);
		}
		return found;
	}

	/** A redacted copy of `value`; the input is not changed. */
	redact<T>(value: T): T {
		return this.walk(value, undefined) as T;
	}

	/** `key` is the key under which `value` sits (for array elements, the array's key). */
	private walk(value: unknown, key: string | undefined): unknown {
		if (value === null || value === undefined) return value;
		if (Array.isArray(value)) return value.map((v) => this.walk(v, key));
		if (typeof value !== 'object') return value;
		const obj = value as Record<string, unknown>;
		const isCustomer = obj.object === 'customer';
		const inTaxIds = key === 'customer_tax_ids' || key === 'tax_ids';
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(obj)) {
			const kind: Kind | undefined =
				k === 'name' && (isCustomer || PERSON_CONTAINERS.has(key ?? ''))
					? 'name'
					: k === 'value' && inTaxIds
						? 'text' // a tax ID's number
						: ALWAYS[k];
			if (kind && v !== null && v !== undefined && v !== '') out[k] = this.placeholder(kind, v);
			else out[k] = this.walk(v, k);
		}
		return out;
	}
}
