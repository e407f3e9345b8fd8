/**
 * What the emulator knows about each Stripe resource: ID prefix, API path, permission group,
 * list filters, search fields, expandable fields and the defaults of a new object.
 */
import { invalid } from './errors';
import { template } from './fixtures';
import type { ObjectType, PermissionGroup, StripeObject } from './types';

type Filter = (object: StripeObject, value: unknown) => boolean;

export interface ResourceInfo {
	type: ObjectType;
	prefix: string;
	/** API path of the collection, e.g. /v1/customers. */
	path: string;
	group: PermissionGroup;
	/** Word used in "No such …" messages. */
	noun: string;
	filters: Record<string, Filter>;
	/** Stripe search fields; undefined when Stripe has no search for the resource. */
	searchFields?: string[];
	/** Fields that can be expanded (property path → whether it points at another object). */
	expandable: string[];
	defaults(now: number): Record<string, unknown>;
	/**
	 * Fills what depends on the new object's ID (an
	 * invoice's lines, a subscription's items) unless given.
	 */
	finish?(
		object: StripeObject,
		fields: Record<string, unknown>,
		newId: (prefix: string) => string,
	): void;
}

/** `created[gte]=…` style ranges, or an exact integer. */
export function inRange(actual: unknown, range: unknown): boolean {
	if (typeof actual !== 'number') return false;
	if (typeof range === 'string' || typeof range === 'number') return actual === Number(range);
	const r = range as Record<string, string>;
	if (r.gt !== undefined && !(actual > Number(r.gt))) return false;
	if (r.gte !== undefined && !(actual >= Number(r.gte))) return false;
	if (r.lt !== undefined && !(actual < Number(r.lt))) return false;
	if (r.lte !== undefined && !(actual <= Number(r.lte))) return false;
	return true;
}

/**
 * Seconds outside which nothing can match a `created`
 * filter (wider, never narrower: the filter still decides).
 */
export function createdRange(range: unknown): { atLeast?: number; atMost?: number } | undefined {
	const n = (v: unknown) => (v === undefined ? undefined : Number(v));
	const finite = (...values: Array<number | undefined>) =>
		values.filter((v): v is number => v !== undefined && Number.isFinite(v));
	if (range === undefined) return undefined;
	if (typeof range === 'string' || typeof range === 'number') {
		const exact = finite(Number(range));
		return exact.length ? { atLeast: exact[0], atMost: exact[0] } : undefined;
	}
	if (!range || typeof range !== 'object') return undefined;
	const r = range as Record<string, unknown>;
	const lows = finite(n(r.gt), n(r.gte));
	const highs = finite(n(r.lt), n(r.lte));
	return {
		...(lows.length ? { atLeast: Math.max(...lows) } : {}),
		...(highs.length ? { atMost: Math.min(...highs) } : {}),
	};
}

const eq =
	(field: string): Filter =>
	(o, v) =>
		o[field] === v;
const oneOf =
	(field: string, values: string[]): Filter =>
	(o, v) => {
		if (!values.includes(String(v)))
			throw invalid(
				`Invalid ${field}: must be one of ${values.slice(0, -1).join(', ')} or ${values.at(-1)}`,
				field,
			);
		return o[field] === v;
	};
const bool =
	(field: string): Filter =>
	(o, v) =>
		o[field] === (v === 'true' || v === true);
const range =
	(field: string): Filter =>
	(o, v) =>
		inRange(o[field], v);
const created = range('created');
const asList = (v: unknown) =>
	(Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v]).map(String);
const idOf = (v: unknown) => (typeof v === 'object' && v !== null ? (v as StripeObject).id : v);

/** Since API version 2025-03-31 an invoice names its subscription under `parent`. */
const invoiceSubscription = (invoice: StripeObject) =>
	idOf(
		((invoice.parent as StripeObject | null)?.subscription_details as StripeObject | undefined)
			?.subscription ?? null,
	);

/** The `parent` of an invoice billed for a subscription. */
export const subscriptionParent = (subscription: string) => ({
	type: 'subscription_details',
	quote_details: null,
	subscription_details: { metadata: {}, subscription },
});

/** An embedded list (a subscription's items, an invoice's lines): Stripe gives no `total_count`. */
const list = (url: string) => ({ object: 'list', data: [], has_more: false, url });

/** The legacy `plan` Stripe still embeds in a subscription item: the item's price, as a Plan. */
function planOf(price: StripeObject): StripeObject {
	const recurring = (price.recurring ?? {}) as Record<string, unknown>;
	return {
		id: price.id,
		object: 'plan',
		active: price.active,
		amount: price.unit_amount,
		amount_decimal: price.unit_amount_decimal,
		billing_scheme: price.billing_scheme,
		created: price.created,
		currency: price.currency,
		interval: recurring.interval ?? 'month',
		interval_count: recurring.interval_count ?? 1,
		livemode: price.livemode,
		metadata: price.metadata,
		meter: recurring.meter ?? null,
		nickname: price.nickname,
		product: price.product,
		tiers_mode: price.tiers_mode,
		transform_usage: price.transform_quantity,
		trial_period_days: recurring.trial_period_days ?? null,
		usage_type: recurring.usage_type ?? 'licensed',
	};
}

/** A subscription item as Stripe embeds it in `subscription.items`, from Stripe's example item. */
export function subscriptionItem(fields: {
	id: string;
	subscription: string;
	price: StripeObject;
	quantity: number;
	created: number;
	periodEnd: number;
}): StripeObject {
	return {
		...template('subscription_item'),
		id: fields.id,
		subscription: fields.subscription,
		created: fields.created,
		price: fields.price,
		plan: planOf(fields.price),
		quantity: fields.quantity,
		current_period_start: fields.created,
		current_period_end: fields.periodEnd,
		billing_thresholds: null,
		current_trial: null,
		discounts: [],
		metadata: {},
		tax_rates: [],
	};
}

export const CATALOG: Record<ObjectType, ResourceInfo> = {
	customer: {
		type: 'customer',
		prefix: 'cus_',
		path: '/v1/customers',
		group: 'customer',
		noun: 'customer',
		filters: { created, email: eq('email'), test_clock: eq('test_clock') },
		searchFields: ['created', 'email', 'metadata', 'name', 'phone'],
		expandable: ['default_source', 'invoice_settings.default_payment_method', 'test_clock'],
		defaults: () => ({
			name: 'Jenny Rosen',
			email: 'jennyrosen@example.com',
			balance: 0,
			currency: 'usd',
			delinquent: false,
			metadata: {},
			test_clock: null,
		}),
	},
	product: {
		type: 'product',
		prefix: 'prod_',
		path: '/v1/products',
		group: 'product',
		noun: 'product',
		filters: {
			created,
			active: bool('active'),
			shippable: bool('shippable'),
			url: eq('url'),
			ids: (o, v) => asList(v).includes(o.id),
		},
		searchFields: ['active', 'created', 'description', 'metadata', 'name', 'shippable', 'url'],
		expandable: ['default_price'],
		defaults: (now) => ({
			name: 'Gold Plan',
			active: true,
			default_price: null,
			description: null,
			metadata: {},
			updated: now,
			shippable: null,
			url: null,
		}),
	},
	price: {
		type: 'price',
		prefix: 'price_',
		path: '/v1/prices',
		group: 'plan',
		noun: 'price',
		filters: {
			created,
			active: bool('active'),
			currency: eq('currency'),
			product: eq('product'),
			type: eq('type'),
			lookup_keys: (o, v) => asList(v).includes(String(o.lookup_key)),
			recurring: (o, v) => {
				const r = o.recurring as Record<string, unknown> | null;
				const want = v as Record<string, string>;
				return (
					!!r &&
					(!want.interval || r.interval === want.interval) &&
					(!want.usage_type || r.usage_type === want.usage_type)
				);
			},
		},
		searchFields: ['active', 'created', 'currency', 'lookup_key', 'metadata', 'product', 'type'],
		expandable: ['product', 'tiers', 'currency_options'],
		defaults: () => ({
			active: true,
			currency: 'usd',
			unit_amount: 2000,
			unit_amount_decimal: '2000',
			type: 'recurring',
			billing_scheme: 'per_unit',
			nickname: null,
			lookup_key: null,
			metadata: {},
			product: null,
			recurring: {
				interval: 'month',
				interval_count: 1,
				meter: null,
				trial_period_days: null,
				usage_type: 'licensed',
			},
			tiers_mode: null,
			transform_quantity: null,
			custom_unit_amount: null,
		}),
	},
	subscription: {
		type: 'subscription',
		prefix: 'sub_',
		path: '/v1/subscriptions',
		group: 'subscription',
		noun: 'subscription',
		filters: {
			created,
			customer: eq('customer'),
			collection_method: eq('collection_method'),
			price: (o, v) =>
				((o.items as { data: StripeObject[] }).data ?? []).some((i) => idOf(i.price) === v),
			status: (o, v) =>
				v === 'all'
					? true
					: v === 'ended'
						? o.status === 'canceled' || o.status === 'incomplete_expired'
						: o.status === v,
			test_clock: eq('test_clock'),
		},
		searchFields: ['canceled_at', 'created', 'metadata', 'status'],
		finish(sub, fields, newId) {
			if (fields.items) return;
			const created = sub.created as number;
			const id = newId('si_');
			const price = {
				...template('price'),
				...CATALOG.price.defaults(created),
				id: newId('price_'),
				product: newId('prod_'),
				livemode: sub.livemode,
				created,
			};
			const item = subscriptionItem({
				id,
				subscription: sub.id,
				price,
				quantity: 1,
				created,
				periodEnd: created + 30 * 86_400,
			});
			sub.items = {
				object: 'list',
				data: [item],
				has_more: false,
				url: `/v1/subscription_items?subscription=${sub.id}`,
			};
		},
		expandable: [
			'customer',
			'latest_invoice',
			'default_payment_method',
			'schedule',
			'items.data.price.product',
			'discounts',
			'discounts.source.coupon',
			'items.data.discounts',
		],
		defaults: (now) => ({
			status: 'active',
			customer: null,
			collection_method: 'charge_automatically',
			cancel_at: null,
			cancel_at_period_end: false,
			canceled_at: null,
			ended_at: null,
			trial_start: null,
			trial_end: null,
			start_date: now,
			billing_cycle_anchor: now,
			currency: 'usd',
			discounts: [],
			latest_invoice: null,
			default_payment_method: null,
			schedule: null,
			test_clock: null,
			metadata: {},
			items: list('/v1/subscription_items'),
			// Stripe's example subscription is paused, has a pending update and pays out to a
			// connected account (an abbreviated {id, object} stub); a normal one has none of these.
			pause_collection: null,
			pending_update: null,
			transfer_data: null,
		}),
	},
	invoice: {
		type: 'invoice',
		prefix: 'in_',
		path: '/v1/invoices',
		group: 'invoice',
		noun: 'invoice',
		filters: {
			created,
			customer: eq('customer'),
			subscription: (o, v) => invoiceSubscription(o) === v,
			status: eq('status'),
			collection_method: eq('collection_method'),
			due_date: range('due_date'),
		},
		searchFields: [
			'created',
			'currency',
			'customer',
			'metadata',
			'number',
			'receipt_number',
			'status',
			'subscription',
			'total',
		],
		finish(invoice, fields, newId) {
			if (fields.lines) return;
			const line = {
				...template('line_item'),
				id: newId('il_'),
				invoice: invoice.id,
				amount: invoice.total,
				subtotal: invoice.total,
				currency: invoice.currency,
				description: '1 × Subscription',
				livemode: invoice.livemode,
				period: { start: invoice.created, end: (invoice.created as number) + 30 * 86_400 },
				parent: null,
				// No price is known here; the seed gives subscription invoices their price (`price_details`
				// needs a price and its product, so a line without one has no `pricing`).
				pricing: null,
			};
			invoice.lines = {
				object: 'list',
				data: [line],
				has_more: false,
				url: `/v1/invoices/${invoice.id}/lines`,
			};
		},
		expandable: [
			'customer',
			'parent.subscription_details.subscription',
			'default_payment_method',
			// The discounts an invoice billed, with their coupons (Stripe's four levels from a list).
			'discounts',
			'discounts.source.coupon',
		],
		defaults: () => ({
			status: 'paid',
			customer: null,
			customer_email: null,
			customer_name: null,
			parent: null,
			collection_method: 'charge_automatically',
			currency: 'usd',
			total: 2000,
			subtotal: 2000,
			amount_due: 2000,
			amount_paid: 2000,
			amount_remaining: 0,
			due_date: null,
			number: null,
			metadata: {},
			discounts: [],
			test_clock: null,
		}),
	},
	invoiceitem: {
		type: 'invoiceitem',
		prefix: 'ii_',
		path: '/v1/invoiceitems',
		group: 'invoice',
		noun: 'invoiceitem',
		filters: { created, customer: eq('customer'), invoice: eq('invoice') },
		expandable: [],
		defaults: () => ({ metadata: {} }),
	},
	line_item: {
		type: 'line_item',
		prefix: 'il_',
		path: '/v1/line_items',
		group: 'invoice',
		noun: 'line_item',
		filters: {},
		expandable: [],
		defaults: () => ({ amount: 2000, currency: 'usd', quantity: 1, metadata: {} }),
	},
	payment_intent: {
		type: 'payment_intent',
		prefix: 'pi_',
		path: '/v1/payment_intents',
		group: 'payment_intent',
		noun: 'payment_intent',
		filters: { created, customer: eq('customer') },
		searchFields: ['amount', 'created', 'currency', 'customer', 'metadata', 'status'],
		expandable: ['customer', 'latest_charge', 'payment_method'],
		defaults: () => ({
			amount: 2000,
			amount_received: 2000,
			currency: 'usd',
			status: 'succeeded',
			customer: null,
			latest_charge: null,
			last_payment_error: null,
			canceled_at: null,
			cancellation_reason: null,
			description: null,
			metadata: {},
			// Not a Connect destination charge (Stripe's example has an abbreviated account stub).
			transfer_data: null,
		}),
	},
	charge: {
		type: 'charge',
		prefix: 'ch_',
		path: '/v1/charges',
		group: 'charge',
		noun: 'charge',
		filters: {
			created,
			customer: eq('customer'),
			payment_intent: eq('payment_intent'),
			transfer_group: eq('transfer_group'),
		},
		searchFields: [
			'amount',
			'billing_details.address.postal_code',
			'created',
			'currency',
			'customer',
			'disputed',
			'metadata',
			'payment_method_details.card.last4',
			'refunded',
			'status',
		],
		expandable: ['customer', 'payment_intent', 'balance_transaction'],
		defaults: () => ({
			amount: 2000,
			amount_captured: 2000,
			amount_refunded: 0,
			currency: 'usd',
			status: 'succeeded',
			paid: true,
			captured: true,
			refunded: false,
			disputed: false,
			customer: null,
			payment_intent: null,
			balance_transaction: null,
			failure_code: null,
			failure_message: null,
			description: null,
			metadata: {},
			refunds: list('/v1/refunds'),
			// Not a Connect destination charge (Stripe's example has an abbreviated account stub).
			transfer_data: null,
		}),
	},
	refund: {
		type: 'refund',
		prefix: 're_',
		path: '/v1/refunds',
		group: 'charge',
		noun: 'refund',
		filters: { created, charge: eq('charge'), payment_intent: eq('payment_intent') },
		expandable: ['charge', 'payment_intent', 'balance_transaction'],
		defaults: () => ({
			amount: 1000,
			currency: 'usd',
			status: 'succeeded',
			reason: null,
			charge: null,
			payment_intent: null,
			balance_transaction: null,
			metadata: {},
		}),
	},
	balance_transaction: {
		type: 'balance_transaction',
		prefix: 'txn_',
		path: '/v1/balance_transactions',
		group: 'balance_transaction_source',
		noun: 'balance transaction',
		filters: {
			created,
			type: eq('type'),
			currency: eq('currency'),
			source: (o, v) => idOf(o.source) === v,
			payout: (o, v) => o._payout === v,
		},
		expandable: ['source'],
		defaults: (now) => ({
			amount: 2000,
			fee: 88,
			net: 1912,
			currency: 'usd',
			type: 'charge',
			reporting_category: 'charge',
			status: 'available',
			available_on: now,
			source: null,
			description: null,
			fee_details: [],
		}),
	},
	payout: {
		type: 'payout',
		prefix: 'po_',
		path: '/v1/payouts',
		group: 'payout',
		noun: 'payout',
		// Stripe documents the list's status filter as pending,
		// paid, failed or canceled (the types say string).
		filters: {
			created,
			status: oneOf('status', ['pending', 'paid', 'failed', 'canceled']),
			arrival_date: range('arrival_date'),
			destination: eq('destination'),
		},
		expandable: ['destination', 'balance_transaction'],
		defaults: (now) => ({
			amount: 10000,
			currency: 'usd',
			status: 'paid',
			arrival_date: now,
			automatic: true,
			method: 'standard',
			type: 'bank_account',
			destination: null,
			balance_transaction: null,
			failure_code: null,
			failure_message: null,
			description: 'STRIPE PAYOUT',
			metadata: {},
		}),
	},
	checkout_session: {
		type: 'checkout_session',
		prefix: 'cs_',
		path: '/v1/checkout/sessions',
		group: 'checkout_session',
		noun: 'checkout.session',
		filters: {
			created,
			customer: eq('customer'),
			payment_intent: eq('payment_intent'),
			subscription: eq('subscription'),
			status: eq('status'),
			payment_link: eq('payment_link'),
		},
		expandable: ['customer', 'payment_intent', 'subscription', 'invoice', 'line_items'],
		defaults: (now) => ({
			status: 'open',
			payment_status: 'unpaid',
			mode: 'payment',
			amount_total: 2000,
			amount_subtotal: 2000,
			currency: 'usd',
			customer: null,
			customer_email: null,
			customer_details: null,
			payment_intent: null,
			subscription: null,
			invoice: null,
			expires_at: now + 86_400,
			success_url: 'https://example.com/success',
			cancel_url: null,
			metadata: {},
		}),
	},
	event: {
		type: 'event',
		prefix: 'evt_',
		path: '/v1/events',
		group: 'event',
		noun: 'event',
		filters: {
			created,
			type: (o, v) =>
				String(v).endsWith('*') ? String(o.type).startsWith(String(v).slice(0, -1)) : o.type === v,
			types: (o, v) => asList(v).includes(String(o.type)),
			delivery_success: () => true,
		},
		expandable: [],
		defaults: () => ({
			type: 'customer.created',
			data: { object: {} },
			pending_webhooks: 0,
			request: { id: null, idempotency_key: null },
			api_version: '2026-10-28.endive',
		}),
	},
	coupon: {
		type: 'coupon',
		// Coupon IDs have no prefix of their own (often a code such as SUMMER25).
		prefix: '',
		path: '/v1/coupons',
		group: 'coupon',
		noun: 'coupon',
		filters: { created },
		expandable: ['currency_options', 'applies_to'],
		defaults: () => ({
			amount_off: null,
			percent_off: null,
			currency: null,
			duration: 'forever',
			duration_in_months: null,
			max_redemptions: null,
			metadata: {},
			name: null,
			redeem_by: null,
			times_redeemed: 1,
			valid: true,
		}),
	},
	discount: {
		type: 'discount',
		prefix: 'di_',
		// Discounts have no endpoint of their own: they live on subscriptions, items and invoices.
		path: '',
		group: 'subscription',
		noun: 'discount',
		filters: {},
		expandable: [],
		defaults: (now) => ({
			source: { coupon: null, type: 'coupon' },
			start: now,
			end: null,
			customer: null,
			subscription: null,
			subscription_item: null,
			invoice: null,
			invoice_item: null,
			promotion_code: null,
			checkout_session: null,
			customer_account: null,
		}),
	},
	invoice_payment: {
		type: 'invoice_payment',
		prefix: 'inpay_',
		path: '/v1/invoice_payments',
		group: 'invoice',
		noun: 'invoice payment',
		filters: {
			created,
			invoice: eq('invoice'),
			status: eq('status'),
			payment: (o, v) => {
				const want = v as Record<string, string>;
				const payment = o.payment as Record<string, string>;
				return (
					(!want.type || payment.type === want.type) &&
					(!want.payment_intent || payment.payment_intent === want.payment_intent)
				);
			},
		},
		expandable: ['invoice'],
		defaults: () => ({
			amount_paid: null,
			amount_requested: 2000,
			currency: 'usd',
			invoice: null,
			is_default: true,
			payment: { type: 'payment_intent', payment_intent: null },
			status: 'open',
			status_transitions: { canceled_at: null, paid_at: null },
		}),
	},
	dispute: {
		type: 'dispute',
		// Stripe's example dispute is dp_…; its API reference shows du_…: the node takes both.
		prefix: 'dp_',
		path: '/v1/disputes',
		// Disputes are a permission group of their own (rak_dispute_read, rak_dispute_write).
		group: 'dispute',
		noun: 'dispute',
		// Stripe's list has no status filter (DisputeListParams): charge, payment intent, created.
		filters: { created, charge: eq('charge'), payment_intent: eq('payment_intent') },
		expandable: ['charge', 'payment_intent'],
		defaults: (now) => ({
			amount: 2000,
			currency: 'usd',
			status: 'needs_response',
			reason: 'fraudulent',
			charge: null,
			payment_intent: null,
			metadata: {},
			// A chargeback with evidence due in a week (Stripe's example is a closed 2024 inquiry).
			evidence_details: {
				due_by: now + 7 * 86_400,
				enhanced_eligibility: {},
				has_evidence: false,
				past_due: false,
				submission_count: 0,
				submission_method: 'not_submitted',
			},
			enhanced_eligibility_types: [],
			is_charge_refundable: false,
			payment_method_details: {
				card: {
					brand: 'visa',
					case_type: 'chargeback',
					network_reason_code: '10.4',
					network: 'visa',
				},
				type: 'card',
			},
		}),
	},
};

/** The resource an ID belongs to, from its prefix. */
export function typeOfId(id: string): ObjectType | undefined {
	const prefix = /^[a-z]+_/.exec(id)?.[0];
	return prefix ? Object.values(CATALOG).find((r) => r.prefix === prefix)?.type : undefined;
}
