/**
 * The emulator's state: objects per mode and type, kept in creation order so that lists come
 * newest first and a cursor is found by binary search, not by a scan.
 */
import { CATALOG, typeOfId } from './catalog';
import { complete, hasField, template } from './fixtures';
import type { Mode, ObjectType, StripeObject } from './types';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Small deterministic PRNG (mulberry32), so seeded data and IDs repeat run to run. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Collection {
	/** Oldest first: (created, seq) ascending. Lists read it backwards. */
	items: StripeObject[];
	byId: Map<string, StripeObject>;
}

const SEQ = Symbol('seq');
type Stored = StripeObject & { [SEQ]?: number };

function before(a: Stored, b: Stored): boolean {
	const ca = a.created ?? 0;
	const cb = b.created ?? 0;
	return ca < cb || (ca === cb && (a[SEQ] ?? 0) < (b[SEQ] ?? 0));
}

export class Store {
	private collections = new Map<string, Collection>();
	private seq = 0;
	private readonly random: () => number;

	constructor(
		private readonly nowMs: () => number,
		seed = 42,
	) {
		this.random = prng(seed);
	}

	now(): number {
		return Math.floor(this.nowMs() / 1000);
	}

	newId(prefix: string, length = 24): string {
		let id = prefix;
		for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
		return id;
	}

	private collection(type: ObjectType, mode: Mode): Collection {
		const key = `${mode}:${type}`;
		let c = this.collections.get(key);
		if (!c) {
			c = { items: [], byId: new Map() };
			this.collections.set(key, c);
		}
		return c;
	}

	/**
	 * A new object: Stripe's example (conformed to the API version), then the type's defaults, then
	 * `fields`; then the required fields still missing in the partial objects that defaults and
	 * `fields` bring (a charge's `outcome` without `advice_code`) get their empty values. `livemode`
	 * and `created` only where the type has them (balance transactions, refunds and discounts have no
	 * `livemode`, discounts no `created`).
	 */
	build(type: ObjectType, mode: Mode, fields: Record<string, unknown> = {}): StripeObject {
		const info = CATALOG[type];
		const now = this.now();
		const base = template(type);
		const defaults = info.defaults(now);
		const object = Object.assign(base, defaults, {
			id: this.newId(info.prefix, type === 'customer' || type === 'product' ? 14 : 24),
			...(hasField(base.object, 'livemode') ? { livemode: mode === 'live' } : {}),
			...(hasField(base.object, 'created') ? { created: now } : {}),
		}) as StripeObject;
		Object.assign(object, fields);
		info.finish?.(object, fields, (prefix) => this.newId(prefix));
		if (type === 'payment_intent' && object.client_secret === undefined)
			object.client_secret = `${object.id}_secret_${this.newId('', 16)}`;
		return complete(object, [...Object.keys(defaults), ...Object.keys(fields)]);
	}

	insert(type: ObjectType, mode: Mode, object: StripeObject): StripeObject {
		const c = this.collection(type, mode);
		const stored = object as Stored;
		stored[SEQ] = ++this.seq;
		const items = c.items as Stored[];
		// Objects usually arrive in time order: then this is a push.
		let i = items.length;
		while (i > 0 && before(stored, items[i - 1])) i--;
		items.splice(i, 0, stored);
		c.byId.set(object.id, object);
		return object;
	}

	/** The API request being answered: the events it causes carry it (server.ts sets it). */
	request?: { id: string; idempotency_key: string | null };

	create(type: ObjectType, mode: Mode, fields: Record<string, unknown> = {}): StripeObject {
		const caused = type === 'event' && this.request ? { request: { ...this.request } } : {};
		return this.insert(type, mode, this.build(type, mode, { ...fields, ...caused }));
	}

	get(type: ObjectType, mode: Mode, id: string): StripeObject | undefined {
		return this.collection(type, mode).byId.get(id);
	}

	/** Any object by ID, whatever its type (for expansions). */
	find(mode: Mode, id: string): StripeObject | undefined {
		const type = typeOfId(id);
		return type ? this.get(type, mode, id) : undefined;
	}

	all(type: ObjectType, mode: Mode): StripeObject[] {
		return this.collection(type, mode).items;
	}

	remove(type: ObjectType, mode: Mode, id: string): void {
		const c = this.collection(type, mode);
		const object = c.byId.get(id);
		if (!object) return;
		c.byId.delete(id);
		c.items.splice(this.indexOf(c, object), 1);
	}

	/** Position of a stored object in its collection, by binary search on (created, seq). */
	private indexOf(c: Collection, object: StripeObject): number {
		const items = c.items as Stored[];
		let lo = 0;
		let hi = items.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (items[mid] === object) return mid;
			if (before(items[mid], object as Stored)) lo = mid + 1;
			else hi = mid - 1;
		}
		return items.indexOf(object);
	}

	/** The last position whose object was created at or before `seconds` (-1: none). */
	private lastCreatedAtMost(items: StripeObject[], seconds: number): number {
		let lo = 0;
		let hi = items.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if ((items[mid].created ?? 0) <= seconds) lo = mid + 1;
			else hi = mid;
		}
		return lo - 1;
	}

	/**
	 * One page, newest first, as Stripe's list endpoints return it. `startingAfter` pages to older
	 * objects, `endingBefore` to newer ones.
	 */
	page(
		type: ObjectType,
		mode: Mode,
		opts: {
			limit: number;
			startingAfter?: StripeObject;
			endingBefore?: StripeObject;
			match: (o: StripeObject) => boolean;
			created?: { atLeast?: number; atMost?: number };
		},
	): { data: StripeObject[]; hasMore: boolean } {
		const c = this.collection(type, mode);
		const items = c.items;
		const data: StripeObject[] = [];
		if (opts.endingBefore) {
			// Walk newer objects from the cursor upwards, then present them newest first.
			for (let i = this.indexOf(c, opts.endingBefore) + 1; i < items.length; i++) {
				if (!opts.match(items[i])) continue;
				if (data.length === opts.limit) return { data: data.reverse(), hasMore: true };
				data.push(items[i]);
			}
			return { data: data.reverse(), hasMore: false };
		}
		// Items are in `created` order: a `created` range is found by binary search, not by testing
		// every object (a read in windows of 50,000 subscriptions asks 500 times).
		const { atLeast = -Infinity, atMost = Infinity } = opts.created ?? {};
		const start = Math.min(
			opts.startingAfter ? this.indexOf(c, opts.startingAfter) - 1 : items.length - 1,
			this.lastCreatedAtMost(items, atMost),
		);
		for (let i = start; i >= 0 && (items[i].created ?? 0) >= atLeast; i--) {
			if (!opts.match(items[i])) continue;
			if (data.length === opts.limit) return { data, hasMore: true };
			data.push(items[i]);
		}
		return { data, hasMore: false };
	}

	reset(): void {
		this.collections.clear();
	}
}
