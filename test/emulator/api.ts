/**
 * The emulated Stripe API: routes, list/search/retrieve semantics, expansions and writes.
 * Authentication, faults, rate limits and idempotency happen before this, in server.ts.
 */
import { CATALOG, createdRange, subscriptionParent, typeOfId } from './catalog';
import { CHECKOUT_LINE_ITEMS } from './contract/documented';
import { invalid, missingParameter, notFound, StripeFailure, unknownParameter } from './errors';
import { hasField, template } from './fixtures';
import { allows, permissionDenied, type EmulatedKey } from './permissions';
import { matcher, parseSearch, SearchSyntaxError } from './search';
import type { Store } from './store';
import type { Mode, ObjectType, PermissionGroup, StripeObject } from './types';

type Params = Record<string, unknown>;

export interface ApiRequest {
	method: string;
	path: string;
	params: Params;
	key: EmulatedKey;
	/**
	 * Stripe's parameter checks, which come after its
	 * key and permission checks (a 403 wins over a 400).
	 */
	checkParams?: () => void;
}

export interface ApiResponse {
	status: number;
	body: unknown;
}

const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'];
/** Stripe keeps events for 30 days: lists go back no further, older ones are not found. */
const EVENT_RETENTION_SECONDS = 30 * 86_400;
/** `types` on GET /v1/events: "an array of up to 20 strings", and not together with `type`. */
const MAX_EVENT_TYPES = 20;

/** Fields Stripe leaves out of its answers unless the request expands them. */
const INCLUDABLE: Record<string, string[]> = {
	price: ['tiers', 'currency_options'],
	coupon: ['currency_options', 'applies_to'],
	'checkout.session': ['line_items'],
};
const INCLUDABLE_KEYS = new Set(Object.values(INCLUDABLE).flat());

/**
 * What goes on the wire: without the emulator's private fields (leading underscore), and without
 * the includable fields the request did not expand (`expand[]=data.tiers` keeps a price's tiers).
 */
export function serialize(value: unknown, expand: string[] = []): string {
	const expanded = new Set(expand.map((path) => path.split('.').at(-1)));
	// Called for every key of every object served: the cheap tests first.
	return JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
		if (k.charCodeAt(0) === 95 /* _ */) return undefined;
		if (INCLUDABLE_KEYS.has(k) && !expanded.has(k) && INCLUDABLE[String(this.object)]?.includes(k))
			return undefined;
		return v;
	});
}

export class StripeApi {
	/** Deleted objects answer GET with `{id, object, deleted: true}`, as Stripe does. */
	private readonly deleted = new Map<string, StripeObject>();
	/** Checkout Session line items, which Stripe lists but never embeds. */
	readonly sessionLines = new Map<string, StripeObject[]>();

	constructor(private readonly store: Store) {}

	handle(req: ApiRequest): ApiResponse {
		const { method, path } = req;
		const mode = req.key.mode;
		if (path === '/v1/account' && method === 'GET') {
			req.checkParams?.();
			return ok(this.account(req.key));
		}
		const countrySpec = /^\/v1\/country_specs\/([A-Za-z]{2})$/.exec(path);
		if (countrySpec && method === 'GET') {
			// Like the account, readable with any key: no restricted-key permission guards it here.
			req.checkParams?.();
			return ok(this.countrySpec(countrySpec[1]));
		}
		if (path === '/v1/balance') {
			this.authorize(req, 'balance', 'read');
			req.checkParams?.();
			return ok(this.balance(mode));
		}
		// An ID may hold a hyphen: a coupon's code (SUMMER-25) is chosen by a person.
		const m = /^\/v1\/((?:checkout\/)?[a-z_]+)(?:\/([A-Za-z0-9_-]+))?(?:\/([a-z_]+))?$/.exec(path);
		const info = m && Object.values(CATALOG).find((r) => r.path === `/v1/${m[1]}`);
		// An endpoint Stripe has that the emulator lacks is still checked.
		if (!m || !info) req.checkParams?.();
		if (!m || !info)
			throw new StripeFailure(
				404,
				'invalid_request_error',
				`Unrecognized request URL (${method}: ${path}). ` +
					'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
			);
		const [, , id, action] = m;
		// A preview creates nothing: reading invoices is enough to ask for one.
		if (info.type === 'invoice' && id === 'create_preview' && !action && method === 'POST') {
			this.authorize(req, 'invoice', 'read');
			req.checkParams?.();
			return ok(this.previewInvoice(mode, req.params));
		}
		const group: PermissionGroup =
			info.type === 'refund' && method !== 'GET' ? 'refund' : info.group;
		this.authorize(req, group, method === 'GET' ? 'read' : 'write');
		req.checkParams?.();

		if (method === 'GET') {
			if (!id) return ok(this.list(info.type, mode, req.params));
			if (id === 'search' && !action) return ok(this.search(info.type, mode, req.params));
			if (action === 'lines' && info.type === 'invoice') {
				const invoice = this.mustGet('invoice', mode, id);
				const lines = ((invoice.lines as { data?: StripeObject[] } | undefined)?.data ??
					[]) as StripeObject[];
				return ok(this.pageArray(lines, req.params, `${info.path}/${id}/lines`));
			}
			if (action === 'line_items' && info.type === 'checkout_session') {
				const session = this.mustGet('checkout_session', mode, id);
				// Sessions made by the API keep their lines apart; one a test makes, in `line_items`.
				const own = (session.line_items as { data?: StripeObject[] } | undefined)?.data;
				return ok(
					this.pageArray(
						this.sessionLines.get(id) ?? own ?? [],
						req.params,
						`${info.path}/${id}/line_items`,
					),
				);
			}
			if (action) throw unrecognized(method, path);
			return ok(this.retrieve(info.type, mode, id, req.params));
		}
		return ok(this.write(info.type, mode, method, id, action, req.params));
	}

	private authorize(req: ApiRequest, group: PermissionGroup, access: 'read' | 'write'): void {
		if (allows(req.key, group, access)) return;
		const denied = permissionDenied(req.key, group, access);
		throw new StripeFailure(
			403,
			'invalid_request_error',
			denied.message,
			denied.code ? { code: denied.code } : {},
		);
	}

	private account(key: EmulatedKey): StripeObject {
		return {
			...template('account'),
			id: key.accountId,
			email: 'billing@example.com',
			charges_enabled: true,
			payouts_enabled: true,
			details_submitted: true,
		};
	}

	/**
	 * Stripe's fixture for the US, whose currency list is cut short ("..."): the fixture's own
	 * currencies plus a few Stripe supports everywhere, the account's default first.
	 */
	private countrySpec(country: string): StripeObject {
		if (country !== 'US')
			throw new StripeFailure(
				404,
				'invalid_request_error',
				`Country '${country}' is unknown, or not yet supported by Stripe.`,
				{ code: 'resource_missing' },
			);
		const spec = template('country_spec');
		const listed = (spec.supported_payment_currencies as string[]).filter((c) =>
			/^[a-z]{3}$/.test(c),
		);
		spec.supported_payment_currencies = [
			...new Set([String(spec.default_currency), ...listed, 'eur', 'gbp', 'jpy', 'cad', 'aud']),
		];
		return spec;
	}

	/** Available and pending funds per currency, from the balance transactions. */
	private balance(mode: Mode): StripeObject {
		const available = new Map<string, number>();
		const pending = new Map<string, number>();
		const now = this.store.now();
		for (const t of this.store.all('balance_transaction', mode)) {
			const into =
				t.status === 'available' || (t.available_on as number) <= now ? available : pending;
			const currency = String(t.currency);
			into.set(currency, (into.get(currency) ?? 0) + Number(t.net));
		}
		if (available.size === 0) available.set('usd', 0);
		const funds = (m: Map<string, number>) =>
			[...m].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
		return {
			object: 'balance',
			id: 'balance',
			livemode: mode === 'live',
			available: funds(available),
			pending: funds(pending),
			connect_reserved: [],
		} as unknown as StripeObject;
	}

	private mustGet(type: ObjectType, mode: Mode, id: string, param = 'id'): StripeObject {
		const object = this.store.get(type, mode, id);
		const expired =
			type === 'event' &&
			object &&
			(object.created ?? 0) < this.store.now() - EVENT_RETENTION_SECONDS;
		if (!object || expired) throw notFound(CATALOG[type].noun, id, param);
		return object;
	}

	private checkEventTypes(params: Params): void {
		if (params.types === undefined) return;
		if (params.type !== undefined)
			throw invalid('You may pass either `type` or `types`, but not both.', 'types');
		if (asArray(params.types).length > MAX_EVENT_TYPES)
			throw invalid(`You may pass at most ${MAX_EVENT_TYPES} values for \`types\`.`, 'types');
	}

	private retrieve(type: ObjectType, mode: Mode, id: string, params: Params): StripeObject {
		checkParams(params, ['expand']);
		const gone = this.deleted.get(id);
		if (gone && typeOfId(id) === type) return gone;
		const object = this.mustGet(type, mode, id);
		return this.expand(type, mode, object, asArray(params.expand), '');
	}

	private list(type: ObjectType, mode: Mode, params: Params): unknown {
		const info = CATALOG[type];
		checkParams(params, [...LIST_PARAMS, ...Object.keys(info.filters)]);
		const limit = readLimit(params);
		const cursor = (name: 'starting_after' | 'ending_before') => {
			const id = params[name];
			if (id === undefined) return undefined;
			const object = this.store.get(type, mode, String(id));
			if (!object) throw notFound(info.noun, String(id), name);
			return object;
		};
		const filters = Object.entries(params).filter(([k]) => info.filters[k]);
		// A filter refuses a value it does not take whether or not there is anything to match.
		for (const [k, v] of filters) {
			try {
				info.filters[k]({ id: '', object: '' }, v);
			} catch (error) {
				// A filter that reads deeper fails on the empty object: no matter.
				if (error instanceof StripeFailure) throw error;
			}
		}
		if (type === 'subscription' && params.status === undefined)
			filters.push(['status', '__not_canceled']);
		if (type === 'event') this.checkEventTypes(params);
		const kept = type === 'event' ? this.store.now() - EVENT_RETENTION_SECONDS : -Infinity;
		const match = (o: StripeObject) =>
			(o.created ?? 0) >= kept &&
			filters.every(([k, v]) =>
				v === '__not_canceled'
					? o.status !== 'canceled' && o.status !== 'incomplete_expired'
					: info.filters[k](o, v),
			);
		const created = info.filters.created ? createdRange(params.created) : undefined;
		const { data, hasMore } = this.store.page(type, mode, {
			limit,
			startingAfter: cursor('starting_after'),
			endingBefore: cursor('ending_before'),
			match,
			created,
		});
		const expand = asArray(params.expand);
		return {
			object: 'list',
			data: data.map((o) => this.expand(type, mode, o, expand, 'data.')),
			has_more: hasMore,
			url: info.path,
		};
	}

	private search(type: ObjectType, mode: Mode, params: Params): unknown {
		const info = CATALOG[type];
		if (!info.searchFields) throw unrecognized('GET', `${info.path}/search`);
		checkParams(params, ['query', 'limit', 'page', 'expand']);
		if (typeof params.query !== 'string') throw missingParameter('query');
		let match: (o: StripeObject) => boolean;
		try {
			match = matcher(parseSearch(params.query, info.searchFields));
		} catch (error) {
			if (error instanceof SearchSyntaxError) throw invalid(error.message, 'query');
			throw error;
		}
		const limit = readLimit(params);
		const offset = params.page
			? Number(Buffer.from(String(params.page), 'base64url').toString())
			: 0;
		if (!Number.isInteger(offset) || offset < 0) throw invalid('Invalid page token.', 'page');
		const all = [...this.store.all(type, mode)].reverse().filter(match);
		const data = all.slice(offset, offset + limit);
		const hasMore = offset + limit < all.length;
		const expand = asArray(params.expand);
		return {
			object: 'search_result',
			data: data.map((o) => this.expand(type, mode, o, expand, 'data.')),
			has_more: hasMore,
			next_page: hasMore ? Buffer.from(String(offset + limit)).toString('base64url') : null,
			url: `${info.path}/search`,
		};
	}

	/** Pages a plain array that is already in Stripe's order (line items). */
	private pageArray(items: StripeObject[], params: Params, url: string): unknown {
		checkParams(params, LIST_PARAMS);
		const limit = readLimit(params);
		let start = 0;
		if (params.starting_after !== undefined) {
			const i = items.findIndex((x) => x.id === params.starting_after);
			if (i < 0) throw notFound('line item', String(params.starting_after), 'starting_after');
			start = i + 1;
		}
		const data = items.slice(start, start + limit);
		return { object: 'list', data, has_more: start + limit < items.length, url };
	}

	/** Replaces IDs with objects for the allow-listed paths Stripe can expand. */
	private expand(
		type: ObjectType,
		mode: Mode,
		object: StripeObject,
		paths: string[],
		prefix: string,
	): StripeObject {
		if (paths.length === 0) return object;
		const info = CATALOG[type];
		const copy = structuredClone(object);
		for (const full of paths) {
			const path = full.slice(prefix.length);
			if (!full.startsWith(prefix) || !info.expandable.includes(path)) {
				throw invalid(`This property cannot be expanded (${path || full}).`, 'expand');
			}
			this.expandPath(mode, copy, path.split('.'));
		}
		return copy;
	}

	private expandPath(mode: Mode, holder: Record<string, unknown>, parts: string[]): void {
		const [head, ...rest] = parts;
		const value = holder[head];
		if (head === 'data' && Array.isArray(value)) {
			for (const v of value) this.expandPath(mode, v as Record<string, unknown>, rest);
			return;
		}
		if (rest.length === 0) {
			if (typeof value === 'string') holder[head] = this.lookup(mode, value, head);
			// An array of IDs (a subscription's discounts) expands element by element.
			else if (Array.isArray(value))
				holder[head] = value.map((v) => (typeof v === 'string' ? this.lookup(mode, v, head) : v));
			return;
		}
		// Expanding inside an ID (discounts.source.coupon) expands the ID first, as Stripe does.
		const inner =
			typeof value === 'string'
				? this.lookup(mode, value, head)
				: Array.isArray(value)
					? value.map((v) => (typeof v === 'string' ? this.lookup(mode, v, head) : v))
					: value;
		holder[head] = inner;
		if (Array.isArray(inner))
			for (const v of inner) this.expandPath(mode, v as Record<string, unknown>, rest);
		else if (inner && typeof inner === 'object')
			this.expandPath(mode, inner as Record<string, unknown>, rest);
	}

	private lookup(mode: Mode, id: string, field: string): unknown {
		const found =
			field === 'coupon' ? this.store.get('coupon', mode, id) : this.store.find(mode, id);
		return found ? structuredClone(found) : (this.deleted.get(id) ?? id);
	}

	// ---- writes ------------------------------------------------------------------------------

	private write(
		type: ObjectType,
		mode: Mode,
		method: string,
		id: string | undefined,
		action: string | undefined,
		params: Params,
	): unknown {
		const key = `${method} ${type}${id ? ' :id' : ''}${action ? ` ${action}` : ''}`;
		switch (key) {
			case 'POST customer':
				return this.create(
					'customer',
					mode,
					params,
					[
						'name',
						'email',
						'phone',
						'description',
						'metadata',
						'address',
						'shipping',
						'preferred_locales',
						'invoice_settings',
					],
					'customer.created',
				);
			case 'POST customer :id':
				return this.update(
					'customer',
					mode,
					id!,
					params,
					[
						'name',
						'email',
						'phone',
						'description',
						'metadata',
						'address',
						'shipping',
						'preferred_locales',
						'invoice_settings',
					],
					'customer.updated',
				);
			case 'DELETE customer :id':
				return this.remove('customer', mode, id!, 'customer.deleted');
			case 'POST product':
				if (!params.name) throw missingParameter('name');
				return this.create(
					'product',
					mode,
					params,
					[
						'name',
						'description',
						'active',
						'metadata',
						'url',
						'shippable',
						'images',
						'statement_descriptor',
						'unit_label',
						'tax_code',
					],
					'product.created',
				);
			case 'POST product :id':
				return this.update(
					'product',
					mode,
					id!,
					params,
					[
						'name',
						'description',
						'active',
						'metadata',
						'url',
						'shippable',
						'images',
						'default_price',
					],
					'product.updated',
				);
			case 'DELETE product :id':
				return this.remove('product', mode, id!, 'product.deleted');
			case 'POST price':
				return this.createPrice(mode, params);
			case 'POST price :id':
				return this.update(
					'price',
					mode,
					id!,
					params,
					['active', 'metadata', 'nickname', 'lookup_key', 'tax_behavior'],
					'price.updated',
				);
			case 'POST subscription :id':
				return this.update(
					'subscription',
					mode,
					id!,
					params,
					[
						'cancel_at_period_end',
						'metadata',
						'description',
						'proration_behavior',
						'collection_method',
						'days_until_due',
						'default_payment_method',
						'trial_end',
						'cancel_at',
					],
					'customer.subscription.updated',
				);
			case 'DELETE subscription :id':
				return this.cancelSubscription(mode, id!, params);
			case 'POST invoice':
				return this.createInvoice(mode, params);
			case 'POST invoice :id':
				return this.update(
					'invoice',
					mode,
					id!,
					params,
					['description', 'metadata', 'due_date', 'footer', 'auto_advance'],
					'invoice.updated',
				);
			case 'DELETE invoice :id': {
				const invoice = this.mustGet('invoice', mode, id!);
				if (invoice.status !== 'draft')
					throw invalid('You can only delete draft invoices.', undefined, 'invoice_not_editable');
				return this.remove('invoice', mode, id!, 'invoice.deleted');
			}
			case 'POST invoice :id finalize':
				return this.transition(
					'invoice',
					mode,
					id!,
					params,
					['draft'],
					{ status: 'open' },
					'invoice.finalized',
					(inv) => {
						inv.number = inv.number ?? `${String(inv.id).slice(3, 11).toUpperCase()}-0001`;
						inv.hosted_invoice_url = `https://invoice.stripe.com/i/${inv.id}`;
					},
				);
			case 'POST invoice :id send':
				return this.transition('invoice', mode, id!, params, ['open'], {}, 'invoice.sent');
			case 'POST invoice :id void':
				return this.transition(
					'invoice',
					mode,
					id!,
					params,
					['open', 'uncollectible'],
					{ status: 'void', amount_remaining: 0 },
					'invoice.voided',
				);
			case 'POST payment_intent :id cancel':
				return this.transition(
					'payment_intent',
					mode,
					id!,
					params,
					[
						'requires_payment_method',
						'requires_capture',
						'requires_confirmation',
						'requires_action',
						'processing',
					],
					{ status: 'canceled', canceled_at: this.store.now() },
					'payment_intent.canceled',
					(pi) => {
						pi.cancellation_reason = params.cancellation_reason ?? null;
					},
					['cancellation_reason'],
				);
			case 'POST refund':
				return this.createRefund(mode, params);
			case 'POST coupon :id':
				// Stripe lets a coupon's name and metadata change; its terms are fixed.
				return this.update(
					'coupon',
					mode,
					id!,
					params,
					['metadata', 'name', 'currency_options'],
					'coupon.updated',
				);
			case 'POST dispute :id':
				return this.updateDispute(mode, id!, params);
			case 'POST dispute :id close':
				return this.closeDispute(mode, id!, params);
			case 'POST checkout_session':
				return this.createSession(mode, params);
			case 'POST checkout_session :id expire':
				return this.transition(
					'checkout_session',
					mode,
					id!,
					params,
					['open'],
					{ status: 'expired', url: null },
					'checkout.session.expired',
				);
			default:
				throw unrecognized(
					method,
					`${CATALOG[type].path}${id ? `/${id}` : ''}${action ? `/${action}` : ''}`,
				);
		}
	}

	private event(
		mode: Mode,
		type: string,
		object: StripeObject,
		previous?: Record<string, unknown>,
	): void {
		this.store.create('event', mode, {
			type,
			data: {
				object: structuredClone(object),
				...(previous ? { previous_attributes: previous } : {}),
			},
			request: { id: null, idempotency_key: null },
		});
	}

	private create(
		type: ObjectType,
		mode: Mode,
		params: Params,
		allowed: string[],
		eventType: string,
	): StripeObject {
		checkParams(params, [...allowed, 'expand']);
		const object = this.store.create(type, mode, coerce(without(params, 'expand')));
		this.event(mode, eventType, object);
		return object;
	}

	private update(
		type: ObjectType,
		mode: Mode,
		id: string,
		params: Params,
		allowed: string[],
		eventType: string,
	): StripeObject {
		checkParams(params, [...allowed, 'expand']);
		const object = this.mustGet(type, mode, id);
		const changes: Params = {};
		for (const [k, v] of Object.entries(coerce(without(params, 'expand')))) {
			// Instructions such as proration_behavior shape the update; they are not attributes.
			if (!hasField(String(object.object), k)) continue;
			changes[k] = v === '' ? null : v;
		}
		if (type === 'subscription') Object.assign(changes, this.cancellationFields(object, changes));
		// previous_attributes: only what changed, with its value before; for metadata only the keys
		// that changed (null for a key that was not there), as Stripe sends them.
		const previous: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(changes)) {
			if (k === 'metadata' && v && typeof v === 'object') {
				const merged = { ...(object.metadata as Params) };
				const before: Params = {};
				for (const [mk, mv] of Object.entries(v as Params)) {
					if (merged[mk] === (mv === '' ? undefined : mv)) continue;
					before[mk] = merged[mk] ?? null;
					if (mv === '') delete merged[mk];
					else merged[mk] = mv;
				}
				if (Object.keys(before).length > 0) previous.metadata = before;
				object.metadata = merged;
			} else if (JSON.stringify(object[k]) !== JSON.stringify(v)) {
				previous[k] = object[k] ?? null;
				object[k] = v;
			}
		}
		if (Object.keys(previous).length > 0) this.event(mode, eventType, object, previous);
		return object;
	}

	/**
	 * What Stripe sets with a scheduled cancellation: asking to cancel at period end (or at a date)
	 * records when it was asked (canceled_at) and when it takes effect (cancel_at); withdrawing it
	 * clears both.
	 */
	private cancellationFields(sub: StripeObject, changes: Params): Params {
		const now = this.store.now();
		const periodEnd = Math.max(
			...((sub.items as { data?: StripeObject[] } | undefined)?.data ?? []).map((i) =>
				Number(i.current_period_end ?? 0),
			),
			0,
		);
		if (changes.cancel_at_period_end === true)
			return {
				canceled_at: sub.cancel_at_period_end ? sub.canceled_at : now,
				cancel_at: periodEnd || null,
			};
		if (
			changes.cancel_at_period_end === false ||
			(changes.cancel_at === null && 'cancel_at' in changes)
		)
			return { cancel_at_period_end: false, cancel_at: null, canceled_at: null };
		if (typeof changes.cancel_at === 'number')
			return { cancel_at_period_end: false, canceled_at: sub.cancel_at ? sub.canceled_at : now };
		return {};
	}

	private remove(type: ObjectType, mode: Mode, id: string, eventType: string): StripeObject {
		const object = this.mustGet(type, mode, id);
		this.store.remove(type, mode, id);
		const gone = { id, object: object.object, deleted: true } as StripeObject;
		this.deleted.set(id, gone);
		this.event(mode, eventType, object);
		return gone;
	}

	private transition(
		type: ObjectType,
		mode: Mode,
		id: string,
		params: Params,
		from: string[],
		to: Params,
		eventType: string,
		also?: (o: StripeObject) => void,
		allowed: string[] = [],
	): StripeObject {
		checkParams(params, ['expand', ...allowed]);
		const object = this.mustGet(type, mode, id);
		if (!from.includes(String(object.status))) {
			throw invalid(
				`This ${CATALOG[type].noun.replace('_', ' ')} has a status of ` +
					`${String(object.status)}; it must be ${from.join(' or ')}.`,
				undefined,
				`${type === 'invoice' ? 'invoice' : 'payment_intent'}_unexpected_state`,
			);
		}
		Object.assign(object, to);
		also?.(object);
		this.event(mode, eventType, object);
		return object;
	}

	private createPrice(mode: Mode, params: Params): StripeObject {
		checkParams(params, [
			'currency',
			'unit_amount',
			'unit_amount_decimal',
			'product',
			'product_data',
			'recurring',
			'nickname',
			'lookup_key',
			'metadata',
			'active',
			'tax_behavior',
			'billing_scheme',
			'expand',
		]);
		if (!params.currency) throw missingParameter('currency');
		if (!params.product && !params.product_data) throw missingParameter('product');
		let product = params.product as string | undefined;
		if (product) this.mustGet('product', mode, product, 'product');
		else product = this.store.create('product', mode, coerce(params.product_data as Params)).id;
		const recurring = params.recurring as Params | undefined;
		return this.create(
			'price',
			mode,
			{
				...without(params, 'product_data', 'recurring'),
				product,
				type: recurring ? 'recurring' : 'one_time',
				recurring: recurring
					? {
							interval: recurring.interval,
							interval_count: Number(recurring.interval_count ?? 1),
							usage_type: recurring.usage_type ?? 'licensed',
							meter: null,
							trial_period_days: null,
						}
					: null,
			},
			[
				'currency',
				'unit_amount',
				'unit_amount_decimal',
				'product',
				'type',
				'recurring',
				'nickname',
				'lookup_key',
				'metadata',
				'active',
				'tax_behavior',
				'billing_scheme',
			],
			'price.created',
		);
	}

	private cancelSubscription(mode: Mode, id: string, params: Params): StripeObject {
		checkParams(params, ['invoice_now', 'prorate', 'cancellation_details', 'expand']);
		const sub = this.mustGet('subscription', mode, id);
		if (sub.status === 'canceled')
			throw invalid(`No such subscription: '${id}'`, 'id', 'resource_missing');
		const now = this.store.now();
		Object.assign(sub, {
			status: 'canceled',
			canceled_at: now,
			ended_at: now,
			cancel_at_period_end: false,
		});
		this.event(mode, 'customer.subscription.deleted', sub);
		return sub;
	}

	/**
	 * POST /v1/invoices/create_preview for an existing subscription: its next invoice (each item
	 * for a period), or with subscription_details[cancel_now] its final one (a credit for each
	 * licensed item's unused time unless proration_behavior is none); both with the customer's
	 * pending invoice items. Metered usage is not modelled. Nothing is created or stored.
	 */
	private previewInvoice(mode: Mode, params: Params): StripeObject {
		if (params.subscription === undefined)
			throw invalid(
				'The emulator previews the invoices of existing subscriptions only: pass `subscription`.',
				'subscription',
			);
		const sub = this.mustGet('subscription', mode, String(params.subscription), 'subscription');
		if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
			throw invalid(
				`No upcoming invoices for customer: ${String(sub.customer)}`,
				undefined,
				'invoice_upcoming_none',
			);
		const details = (params.subscription_details ?? {}) as Params;
		const cancelNow = String(details.cancel_now) === 'true';
		const prorate = String(details.proration_behavior ?? 'create_prorations') !== 'none';
		const now = this.store.now();
		const currency = String(sub.currency ?? 'usd');
		const lines: StripeObject[] = [];
		const line = (amount: number, description: string, parent: Params) =>
			lines.push({
				...template('line_item'),
				id: this.store.newId('il_tmp_', 24),
				invoice: null,
				amount,
				subtotal: amount,
				currency,
				description,
				livemode: mode === 'live',
				period: { start: now, end: now },
				parent,
			});
		for (const item of (sub.items as { data?: StripeObject[] } | undefined)?.data ?? []) {
			const price = item.price as StripeObject;
			const whole = Number(price.unit_amount ?? 0) * Number(item.quantity ?? 1);
			if ((price.recurring as Params | null)?.usage_type === 'metered') continue;
			const start = Number(item.current_period_start);
			const end = Number(item.current_period_end);
			const unused = Math.min(Math.max(end - now, 0), end - start);
			const amount = cancelNow ? -Math.round((whole * unused) / (end - start || 1)) : whole;
			if ((cancelNow && !prorate) || amount === 0) continue;
			line(amount, cancelNow ? `Unused time on ${String(price.id)}` : `1 × ${String(price.id)}`, {
				type: 'subscription_item_details',
				invoice_item_details: null,
				subscription_item_details: {
					invoice_item: null,
					proration: cancelNow,
					proration_details: { credited_items: null },
					subscription: sub.id,
					subscription_item: item.id,
				},
			});
		}
		for (const ii of this.store.all('invoiceitem', mode)) {
			if (ii.customer !== sub.customer || ii.invoice || ii.currency !== currency) continue;
			line(Number(ii.amount), String(ii.description ?? ''), {
				type: 'invoice_item_details',
				invoice_item_details: {
					invoice_item: ii.id,
					proration: Boolean(ii.proration),
					proration_details: null,
					subscription: null,
				},
				subscription_item_details: null,
			});
		}
		const total = lines.reduce((sum, l) => sum + Number(l.amount), 0);
		const due = Math.max(0, total);
		return {
			...template('invoice'),
			id: `upcoming_${this.store.newId('in_', 24)}`,
			object: 'invoice',
			livemode: mode === 'live',
			created: now,
			customer: sub.customer,
			parent: subscriptionParent(sub.id),
			billing_reason: cancelNow ? 'subscription_update' : 'upcoming',
			collection_method: sub.collection_method ?? 'charge_automatically',
			status: 'draft',
			number: null,
			currency,
			subtotal: total,
			total,
			amount_due: due,
			amount_paid: 0,
			amount_remaining: due,
			starting_balance: 0,
			ending_balance: null,
			lines: { object: 'list', data: lines, has_more: false, url: '/v1/invoices/upcoming/lines' },
		};
	}

	private createInvoice(mode: Mode, params: Params): StripeObject {
		checkParams(params, [
			'customer',
			'subscription',
			'collection_method',
			'days_until_due',
			'description',
			'metadata',
			'auto_advance',
			'currency',
			'due_date',
			'pending_invoice_items_behavior',
			'footer',
			'expand',
		]);
		if (!params.customer) throw missingParameter('customer');
		const customer = this.mustGet('customer', mode, String(params.customer), 'customer');
		const behavior = params.pending_invoice_items_behavior ?? 'exclude';
		if (behavior !== 'include' && behavior !== 'exclude')
			throw invalid(
				'Invalid pending_invoice_items_behavior: must be one of exclude or include',
				'pending_invoice_items_behavior',
			);
		// Stripe's default is `exclude`: only `include` collects the customer's pending invoice items.
		const currency = String(params.currency ?? customer.currency ?? 'usd');
		const pending =
			behavior === 'include'
				? this.store
						.all('invoiceitem', mode)
						.filter((ii) => ii.customer === customer.id && !ii.invoice && ii.currency === currency)
				: [];
		const total = pending.reduce((sum, ii) => sum + Number(ii.amount), 0);
		const invoice = this.create(
			'invoice',
			mode,
			{
				...without(
					params,
					'days_until_due',
					'pending_invoice_items_behavior',
					'auto_advance',
					'subscription',
				),
				...(params.subscription ? { parent: subscriptionParent(String(params.subscription)) } : {}),
				status: 'draft',
				currency,
				customer_email: customer.email,
				customer_name: customer.name,
				total,
				subtotal: total,
				amount_due: total,
				amount_paid: 0,
				amount_remaining: total,
				number: null,
				lines: { object: 'list', data: [], has_more: false, url: '/v1/invoices/lines' },
			},
			[
				'customer',
				'parent',
				'collection_method',
				'description',
				'metadata',
				'currency',
				'due_date',
				'footer',
				'status',
				'customer_email',
				'customer_name',
				'total',
				'subtotal',
				'amount_due',
				'amount_paid',
				'amount_remaining',
				'number',
				'lines',
			],
			'invoice.created',
		);
		for (const ii of pending) ii.invoice = invoice.id;
		(invoice.lines as { data: StripeObject[]; total_count?: number }).data = pending.map((ii) => ({
			...template('line_item'),
			id: this.store.newId('il_', 24),
			invoice: invoice.id,
			amount: ii.amount,
			subtotal: ii.amount,
			currency: ii.currency,
			description: ii.description,
			livemode: invoice.livemode,
			parent: {
				type: 'invoice_item_details',
				invoice_item_details: {
					invoice_item: ii.id,
					proration: false,
					proration_details: null,
					subscription: null,
				},
				subscription_item_details: null,
			},
		}));
		return invoice;
	}

	private createRefund(mode: Mode, params: Params): StripeObject {
		checkParams(params, [
			'charge',
			'payment_intent',
			'amount',
			'reason',
			'metadata',
			'expand',
			'refund_application_fee',
			'reverse_transfer',
		]);
		let charge: StripeObject;
		if (params.charge) charge = this.mustGet('charge', mode, String(params.charge), 'charge');
		else if (params.payment_intent) {
			const pi = this.mustGet(
				'payment_intent',
				mode,
				String(params.payment_intent),
				'payment_intent',
			);
			if (!pi.latest_charge)
				throw invalid(
					`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
					'payment_intent',
					'charge_not_refundable',
				);
			charge = this.mustGet('charge', mode, String(pi.latest_charge), 'payment_intent');
		} else
			throw invalid(
				'One of the following params should be provided ' +
					'for this request: payment_intent or charge.',
				undefined,
				'parameter_missing',
			);
		const remaining = Number(charge.amount) - Number(charge.amount_refunded ?? 0);
		const amount = params.amount === undefined ? remaining : Number(params.amount);
		if (!Number.isInteger(amount) || amount <= 0)
			throw invalid('Invalid positive integer', 'amount', 'parameter_invalid_integer');
		if (amount > remaining) {
			throw invalid(
				`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
				'amount',
				'amount_too_large',
			);
		}
		const refund = this.store.create('refund', mode, {
			amount,
			currency: charge.currency,
			charge: charge.id,
			payment_intent: charge.payment_intent,
			reason: params.reason ?? null,
			metadata: (params.metadata as Params) ?? {},
			status: 'succeeded',
		});
		const txn = this.store.create('balance_transaction', mode, {
			amount: -amount,
			fee: 0,
			net: -amount,
			currency: charge.currency,
			type: 'refund',
			reporting_category: 'refund',
			source: refund.id,
		});
		refund.balance_transaction = txn.id;
		charge.amount_refunded = Number(charge.amount_refunded ?? 0) + amount;
		charge.refunded = charge.amount_refunded === charge.amount;
		this.event(mode, 'refund.created', refund);
		this.event(mode, 'charge.refunded', charge);
		return refund;
	}

	/**
	 * POST /v1/disputes/{id}: evidence (text, or the ID of a file) merged into what the dispute
	 * holds ('' clears a field), metadata, and `submit` (Stripe's default: true) sends all of it
	 * to the bank, which puts the dispute under review. Staged evidence (submit=false)
	 * stays on the dispute. Evidence and submitting need a dispute that awaits a response.
	 */
	private updateDispute(mode: Mode, id: string, params: Params): StripeObject {
		checkParams(params, ['evidence', 'metadata', 'submit', 'intended_submission_method', 'expand']);
		const dispute = this.mustGet('dispute', mode, id);
		const status = String(dispute.status);
		const next = OPEN_DISPUTES[status];
		const evidence = (params.evidence ?? {}) as Params;
		const submit = String(params.submit ?? 'true') !== 'false';
		if (!next && (Object.keys(evidence).length > 0 || submit))
			throw invalid(
				`This dispute has a status of ${status}: ` +
					'evidence can be given and submitted only while it needs a response.',
				'evidence',
			);
		// Enhanced evidence and appeals are objects the emulator does not model: refused, not lost.
		for (const [k, v] of Object.entries(evidence))
			if (typeof v !== 'string')
				throw invalid(`The emulator does not model evidence[${k}] objects.`, `evidence[${k}]`);
		const previous: Params = {};
		const held = dispute.evidence as Params;
		const heldBefore: Params = {};
		for (const [k, v] of Object.entries(evidence)) {
			heldBefore[k] = held[k] ?? null;
			held[k] = v === '' ? null : v;
		}
		if (Object.keys(heldBefore).length > 0) previous.evidence = heldBefore;
		if (params.metadata && typeof params.metadata === 'object') {
			const merged = { ...(dispute.metadata as Params) };
			const metadataBefore: Params = {};
			for (const [k, v] of Object.entries(params.metadata as Params)) {
				metadataBefore[k] = merged[k] ?? null;
				if (v === '') delete merged[k];
				else merged[k] = v;
			}
			previous.metadata = metadataBefore;
			dispute.metadata = merged;
		}
		if (params.intended_submission_method !== undefined)
			dispute.intended_submission_method = params.intended_submission_method;
		const details = dispute.evidence_details as Params;
		if (Object.keys(evidence).length > 0) details.has_evidence = true;
		if (submit && next) {
			previous.status = status;
			dispute.status = next.submitted;
			details.submission_count = Number(details.submission_count ?? 0) + 1;
			details.submission_method = 'manual';
		}
		this.event(mode, 'charge.dispute.updated', dispute, previous);
		return dispute;
	}

	/**
	 * POST /v1/disputes/{id}/close: accepts the dispute as lost (an inquiry closes as
	 * warning_closed); irreversible, and only for a dispute that awaits a response.
	 */
	private closeDispute(mode: Mode, id: string, params: Params): StripeObject {
		checkParams(params, ['expand']);
		const dispute = this.mustGet('dispute', mode, id);
		const status = String(dispute.status);
		const next = OPEN_DISPUTES[status];
		if (!next)
			throw invalid(
				`This dispute has a status of ${status}: ` +
					'only a dispute that needs a response can be closed.',
			);
		dispute.status = next.closed;
		this.event(mode, 'charge.dispute.closed', dispute, { status });
		return dispute;
	}

	private createSession(mode: Mode, params: Params): StripeObject {
		checkParams(params, [
			'mode',
			'line_items',
			'success_url',
			'cancel_url',
			'customer',
			'customer_email',
			'metadata',
			'client_reference_id',
			'expires_at',
			'allow_promotion_codes',
			'ui_mode',
			'expand',
		]);
		const sessionMode = String(params.mode ?? 'payment');
		if (!['payment', 'subscription', 'setup'].includes(sessionMode))
			throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
		if (!params.success_url && params.ui_mode !== 'embedded') throw missingParameter('success_url');
		const lines = asArray(params.line_items) as unknown as Params[];
		if (sessionMode !== 'setup' && lines.length === 0) throw missingParameter('line_items');
		let total = 0;
		let currency = 'usd';
		const prices = lines.map((line) =>
			this.mustGet('price', mode, String(line.price), 'line_items[0][price]'),
		);
		// The line items API reference: in subscription mode at most 20 with recurring prices and
		// 20 with one-time prices (the contract checker counts all 40; only here are prices known).
		for (const recurring of [true, false]) {
			const count = prices.filter((p) => Boolean(p.recurring) === recurring).length;
			if (sessionMode === 'subscription' && count > CHECKOUT_LINE_ITEMS.perKind)
				throw invalid(
					`A subscription-mode Checkout Session can have at most ${CHECKOUT_LINE_ITEMS.perKind} ` +
						`line items with ${recurring ? 'recurring' : 'one-time'} prices; it has ${count}.`,
					'line_items',
				);
		}
		const items: StripeObject[] = lines.map((line, i) => {
			const price = prices[i];
			const quantity = Number(line.quantity ?? 1);
			total += Number(price.unit_amount) * quantity;
			currency = String(price.currency);
			return {
				id: this.store.newId('li_'),
				object: 'item',
				price,
				quantity,
				currency,
				amount_total: Number(price.unit_amount) * quantity,
				amount_subtotal: Number(price.unit_amount) * quantity,
				description: null,
			} as StripeObject;
		});
		const session = this.create(
			'checkout_session',
			mode,
			{
				...without(params, 'line_items', 'ui_mode'),
				mode: sessionMode,
				amount_total: total,
				amount_subtotal: total,
				currency,
				status: 'open',
				payment_status: 'unpaid',
			},
			[
				'mode',
				'success_url',
				'cancel_url',
				'customer',
				'customer_email',
				'metadata',
				'client_reference_id',
				'expires_at',
				'allow_promotion_codes',
				'amount_total',
				'amount_subtotal',
				'currency',
				'status',
				'payment_status',
			],
			'checkout.session.created',
		);
		session.url = `https://checkout.stripe.com/c/pay/${session.id}`;
		this.sessionLines.set(session.id, items);
		return session;
	}
}

/**
 * The dispute statuses that await the merchant's response, and what submitting evidence or
 * closing makes of each (docs.stripe.com/disputes/how-disputes-work, /api/disputes/close).
 */
const OPEN_DISPUTES: Record<string, { submitted: string; closed: string }> = {
	needs_response: { submitted: 'under_review', closed: 'lost' },
	warning_needs_response: { submitted: 'warning_under_review', closed: 'warning_closed' },
};

function ok(body: unknown): ApiResponse {
	return { status: 200, body };
}

function unrecognized(method: string, path: string): StripeFailure {
	return new StripeFailure(
		404,
		'invalid_request_error',
		`Unrecognized request URL (${method}: ${path}). ` +
			'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
	);
}

function checkParams(params: Params, allowed: string[]): void {
	for (const name of Object.keys(params)) if (!allowed.includes(name)) throw unknownParameter(name);
}

function readLimit(params: Params): number {
	if (params.limit === undefined) return 10;
	const limit = Number(params.limit);
	if (!/^\d+$/.test(String(params.limit)))
		throw invalid(`Invalid integer: ${String(params.limit)}`, 'limit', 'parameter_invalid_integer');
	if (limit < 1)
		throw invalid(
			'This value must be greater than or equal to 1.',
			'limit',
			'parameter_invalid_integer',
		);
	if (limit > 100)
		throw invalid(
			'This value must be less than or equal to 100.',
			'limit',
			'parameter_invalid_integer',
		);
	return limit;
}

/** qs gives `expand[]=a` as an array and `expand[0]=a` as an array or object; both mean a list. */
export function asArray(value: unknown): string[] {
	if (value === undefined) return [];
	if (Array.isArray(value)) return value as string[];
	if (typeof value === 'object' && value !== null) return Object.values(value) as string[];
	return [String(value)];
}

function without(params: Params, ...names: string[]): Params {
	const copy = { ...params };
	for (const n of names) delete copy[n];
	return copy;
}

/** Form values arrive as strings: numbers and booleans become what Stripe stores. */
function coerce(params: Params): Params {
	const out: Params = {};
	for (const [k, v] of Object.entries(params ?? {})) {
		if (k === 'metadata' || typeof v !== 'string') out[k] = v;
		else if (v === 'true' || v === 'false') out[k] = v === 'true';
		else if (/^-?\d+$/.test(v) && /amount|quantity|count|_at$|_date$|days/.test(k))
			out[k] = Number(v);
		else out[k] = v;
	}
	return out;
}
