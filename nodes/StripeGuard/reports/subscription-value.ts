/**
 * One definition of recurring revenue, Stripe's (Billing analytics: "Billing metric definitions"
 * at docs.stripe.com/billing/subscriptions/analytics/glossary, and the support articles on how
 * discounts, cancellations, taxes, trials and delinquency affect MRR):
 *
 * - Paying: `active` and `past_due` subscriptions ("the sum of the monthly-normalized value of all
 *   your active and past_due subscriptions"). Trials never pay (the legacy Include Trialing switch
 *   still counts them on request), `unpaid` is churn, `paused` brings nothing in, incomplete ones
 *   have not started, canceled ones ended. A paused collection (`pause_collection`) leaves the
 *   status `active` (docs.stripe.com/billing/subscriptions/pause: "the subscription's status
 *   remains unchanged"), so it counts by default; that page only warns that pausing "can affect"
 *   MRR, and the Paused Collection switch leaves such subscriptions out instead.
 * - Free is not paying: MRR excludes "any subscribers on free plans", and a subscriber churns when
 *   it "goes from non-zero MRR to zero MRR" (support.stripe.com/questions/
 *   calculating-subscriber-churn-rate-in-billing). A subscription worth 0 a month (a $0 price, a
 *   100 % coupon) is no subscriber: `isPaying`.
 * - A scheduled cancellation (`cancel_at_period_end` or a future `cancel_at`) stops counting when
 *   it was asked for (`canceled_at`, Stripe's default) or, as Stripe's setting allows, when it
 *   takes effect.
 * - Value per month: each item on its own interval (mixed-interval subscriptions bill a monthly and
 *   a yearly item side by side), priced by Stripe's pricing rules (per unit, transform_quantity,
 *   volume and graduated tiers with flat fees: ../framework/price-amount.ts), without tax.
 * - Discounts: coupons with `duration: forever` by default; Stripe's settings can also subtract
 *   repeating and/or one-time discounts while they are on the subscription.
 * - Metered usage, customer-chosen amounts and inclusive taxes whose rate is not on the
 *   subscription (Stripe Tax) are listed apart, never guessed.
 *
 * `subscriptionValueAt` answers both questions for a time t; MRR uses it for now, and Subscription
 * Movements can use it for the start of a period. States Stripe records without a date (unpaid,
 * paused, collection paused) are known only as they are now.
 */
import { amountForQuantity, type PriceTerms } from '../framework/price-amount';
import type {
	Coupon,
	Discount,
	Price,
	StripeClient,
	Subscription,
	SubscriptionItem,
} from '../../shared/transport';

/** Months per billing interval: a year is 12, a week 12/52 of a month, a day 12/365. */
const MONTHS_PER: Record<string, number> = { month: 1, year: 12, week: 12 / 52, day: 12 / 365 };

export interface UnpricedItem {
	subscription: string;
	item: string;
	price: string;
	currency: string;
	/**
	 * metered: usage-based; tiered: tiers not available (no price lookup); custom: customer-chosen
	 * amount; inclusive_tax_unknown: the amount may include a tax whose rate Stripe Tax computes per
	 * invoice, so the revenue in it is not known from the subscription.
	 */
	reason: 'metered' | 'tiered' | 'custom' | 'inclusive_tax_unknown';
}

/** Finds the coupon behind a discount whose coupon Stripe returned as an ID. */
export type CouponLookup = (id: string) => Promise<Coupon>;
/** Finds a price with its tiers (Stripe returns `tiers` only when expanded). */
export type PriceLookup = (id: string) => Promise<Price>;

export interface Lookups {
	coupon: CouponLookup;
	/** Without it, tiered prices are listed apart as `tiered`. */
	price?: PriceLookup;
}

/**
 * Which coupon durations lower MRR (Stripe: "subtract recurring discounts, one-time
 * discounts, or both").
 */
export type DiscountRule = 'forever' | 'foreverAndRepeating' | 'foreverAndOnce' | 'all';
/** When a scheduled cancellation stops a subscription counting. */
export type CancellationRule = 'atRequest' | 'atPeriodEnd';
/** Whether a subscription whose payment collection is paused counts (its status stays active). */
export type PausedCollectionRule = 'count' | 'exclude';

export interface ValueOptions {
	discounts: DiscountRule;
	cancellations: CancellationRule;
	/** Absent: `count`, as Stripe counts by status. */
	pausedCollection?: PausedCollectionRule;
	/** Legacy switch of saved workflows: Stripe never counts trials. */
	includeTrialing?: boolean;
}

/** Stripe's own defaults in Billing analytics. */
export const STRIPE_DEFAULTS: ValueOptions = {
	discounts: 'forever',
	cancellations: 'atRequest',
	pausedCollection: 'count',
	includeTrialing: false,
};

export const DISCOUNT_RULES: readonly DiscountRule[] = [
	'forever',
	'foreverAndRepeating',
	'foreverAndOnce',
	'all',
];
export const CANCELLATION_RULES: readonly CancellationRule[] = ['atRequest', 'atPeriodEnd'];
export const PAUSED_COLLECTION_RULES: readonly PausedCollectionRule[] = ['count', 'exclude'];

/**
 * Below this (minor units a month) a value is zero: sums of fractions of a cent can leave
 * 1e-13 where there is nothing, and that must not make a subscriber.
 */
export const ZERO = 1e-6;

const DURATIONS: Record<DiscountRule, ReadonlySet<string>> = {
	forever: new Set(['forever']),
	foreverAndRepeating: new Set(['forever', 'repeating']),
	foreverAndOnce: new Set(['forever', 'once']),
	all: new Set(['forever', 'repeating', 'once']),
};

/** Why a subscription does not count at t. */
export type NotPaying =
	| 'not_started'
	| 'ended'
	| 'trialing'
	| 'unpaid'
	| 'paused'
	| 'collection_paused'
	| 'cancellation_requested'
	| 'test_clock';

export interface SubscriptionValue {
	paying: boolean;
	/** Null when paying. */
	reason: NotPaying | null;
	currency: string;
	/** Minor units per month, unrounded: rounding happens once per total. 0 when not paying. */
	monthly: number;
	unpriced: UnpricedItem[];
}

const NEVER_STARTED = new Set(['incomplete', 'incomplete_expired']);

/** Whether the subscription pays at `t`; if not, why. */
export function notPayingAt(
	sub: Subscription,
	t: number,
	options: ValueOptions = STRIPE_DEFAULTS,
): NotPaying | null {
	// A simulation runs on its clock's time, which no real moment values; Stripe's Dashboard keeps
	// simulations apart (Subscriptions → Test clocks).
	if (sub.test_clock) return 'test_clock';
	if (NEVER_STARTED.has(sub.status) || sub.created > t) return 'not_started';
	// A canceled subscription ended at ended_at; canceled_at is when the cancellation was asked for
	// (for one canceled at once, the same moment).
	if (sub.status === 'canceled') {
		const ended = sub.ended_at ?? sub.canceled_at;
		if (ended === null || ended <= t) return 'ended';
	}
	const scheduled =
		sub.status === 'canceled' ||
		sub.cancel_at_period_end === true ||
		(sub.cancel_at ?? null) !== null;
	if (scheduled) {
		if (options.cancellations === 'atRequest') {
			// Stripe: "no longer counts towards your MRR after the time of the API call". Without a
			// request time the request is only known to have happened by now.
			if (sub.canceled_at === null || sub.canceled_at <= t) return 'cancellation_requested';
		} else if (sub.cancel_at !== undefined && sub.cancel_at !== null && sub.cancel_at <= t) {
			return 'ended';
		}
	}
	const inTrialWindow =
		sub.trial_end !== null && sub.trial_end > t && (sub.trial_start ?? sub.created) <= t;
	if ((inTrialWindow || sub.status === 'trialing') && !options.includeTrialing) return 'trialing';
	if (sub.status === 'unpaid') return 'unpaid';
	if (sub.status === 'paused') return 'paused';
	const pause = sub.pause_collection;
	const paused = pause && (pause.resumes_at === null || pause.resumes_at > t);
	if (paused && options.pausedCollection === 'exclude') return 'collection_paused';
	return null;
}

/** Months covered by one billing period of the price (a 3-monthly price covers 3). */
function monthsPerPeriod(recurring: NonNullable<Price['recurring']>): number {
	return (MONTHS_PER[recurring.interval] ?? 1) * (recurring.interval_count || 1);
}

function terms(price: Price): PriceTerms {
	const decimal = price.unit_amount_decimal ? Number(price.unit_amount_decimal) : null;
	return {
		unit_amount:
			price.unit_amount ?? (decimal !== null && Number.isFinite(decimal) ? decimal : null),
		currency: price.currency,
		billing_scheme: price.billing_scheme,
		tiers_mode: price.tiers_mode,
		tiers: price.tiers,
		transform_quantity: price.transform_quantity,
		custom_unit_amount: price.custom_unit_amount,
		usage_type: price.recurring?.usage_type,
	};
}

/**
 * What the item's amount must be divided by to leave it without tax, or null when that cannot be
 * known. Manual tax rates (the item's own, else the subscription's defaults) say themselves whether
 * they are inclusive; several inclusive rates are taken out together (amount ÷ (1 + Σ rates)).
 * With Stripe Tax the rate is computed per invoice and is not on the subscription: a price whose
 * tax behaviour is inclusive, or unspecified (then the account's default decides, which a
 * subscriptions key cannot read), may hide tax in its amount and is listed apart.
 */
function taxDivisor(sub: Subscription, item: SubscriptionItem): number | null {
	if (sub.automatic_tax?.enabled) return item.price.tax_behavior === 'exclusive' ? 1 : null;
	const rates =
		item.tax_rates && item.tax_rates.length > 0 ? item.tax_rates : (sub.default_tax_rates ?? []);
	let inclusive = 0;
	for (const rate of rates) {
		if (!rate.inclusive) continue;
		if (rate.rate_type === 'flat_amount') return null;
		inclusive += rate.percentage;
	}
	return 1 + inclusive / 100;
}

type DiscountLike = string | Discount | null | undefined;

/**
 * The coupon of a discount that lowers MRR at t under the rule: in effect (started, not ended) and
 * of a counted duration. An amount off in another currency needs the coupon's `currency_options`,
 * which Stripe returns only when the coupon is expanded with them (a fifth level from a list).
 */
async function countedCoupon(
	d: DiscountLike,
	t: number,
	currency: string,
	rule: DiscountRule,
	lookups: Lookups,
): Promise<Coupon | null> {
	if (!d || typeof d === 'string') return null;
	if (d.start > t || (d.end !== null && d.end <= t)) return null;
	const source = d.source.coupon;
	if (!source) return null;
	let coupon = typeof source === 'string' ? await lookups.coupon(source) : source;
	if (!DURATIONS[rule].has(coupon.duration)) return null;
	if (coupon.amount_off && coupon.currency !== currency && !coupon.currency_options)
		coupon = await lookups.coupon(coupon.id);
	return coupon;
}

function amountOff(coupon: Coupon, currency: string): number {
	return (
		(coupon.currency === currency
			? coupon.amount_off
			: coupon.currency_options?.[currency]?.amount_off) ?? 0
	);
}

interface ItemValue {
	/** Per month after the item's own discounts, tax still in where the price includes it. */
	monthly: number;
	months: number;
	taxDivisor: number;
}

/**
 * The subscription's recurring value per month in its currency at t (whether or not it pays then),
 * with what could not be priced.
 *
 * Discounts: item-level ones apply to their item per its own billing period. Subscription-level
 * percentages apply to every item. A subscription-level amount off is taken off each invoice;
 * with mixed intervals the subscription invoices at its shortest item interval (the longer items
 * join every n-th invoice), so an amount off per invoice is worth `amount ÷ months of the shortest
 * interval` a month, shared among the items in proportion to their value (as Stripe spreads an
 * invoice's discount over its lines), never below zero. Taxes come out after discounts, since
 * Stripe computes an inclusive tax on the discounted amount.
 */
export async function monthlyValue(
	sub: Subscription,
	t: number,
	lookups: Lookups,
	options: ValueOptions = STRIPE_DEFAULTS,
): Promise<{ currency: string; monthly: number; unpriced: UnpricedItem[] }> {
	const currency = sub.currency;
	const unpriced: UnpricedItem[] = [];
	const items: ItemValue[] = [];
	for (const item of sub.items.data) {
		let price = item.price;
		const recurring = price.recurring;
		if (!recurring) continue;
		const apart = (reason: UnpricedItem['reason']) =>
			unpriced.push({ subscription: sub.id, item: item.id, price: price.id, currency, reason });
		if (recurring.usage_type === 'metered') {
			apart('metered');
			continue;
		}
		if (price.custom_unit_amount) {
			apart('custom');
			continue;
		}
		if (price.billing_scheme === 'tiered' && !price.tiers) {
			if (!lookups.price) {
				apart('tiered');
				continue;
			}
			price = { ...price, tiers: (await lookups.price(price.id)).tiers };
		}
		const amount = amountForQuantity(terms(price), item.quantity ?? 1);
		if (amount === undefined) {
			apart(price.billing_scheme === 'tiered' ? 'tiered' : 'custom');
			continue;
		}
		const divisor = taxDivisor(sub, item);
		if (divisor === null) {
			apart('inclusive_tax_unknown');
			continue;
		}
		let perPeriod = amount;
		for (const d of item.discounts ?? []) {
			const coupon = await countedCoupon(d, t, currency, options.discounts, lookups);
			if (!coupon) continue;
			if (coupon.percent_off) perPeriod *= 1 - coupon.percent_off / 100;
			perPeriod = Math.max(0, perPeriod - amountOff(coupon, currency));
		}
		const months = monthsPerPeriod(recurring);
		items.push({ monthly: perPeriod / months, months, taxDivisor: divisor });
	}
	if (items.length > 0) {
		const invoiceMonths = Math.min(...items.map((i) => i.months));
		for (const d of sub.discounts ?? []) {
			const coupon = await countedCoupon(d, t, currency, options.discounts, lookups);
			if (!coupon) continue;
			if (coupon.percent_off) for (const i of items) i.monthly *= 1 - coupon.percent_off / 100;
			const total = items.reduce((sum, i) => sum + i.monthly, 0);
			const off = amountOff(coupon, currency) / invoiceMonths;
			if (off > 0 && total > 0) {
				const share = Math.min(off, total) / total;
				for (const i of items) i.monthly -= i.monthly * share;
			}
		}
	}
	const monthly = items.reduce((sum, i) => sum + Math.max(0, i.monthly) / i.taxDivisor, 0);
	return { currency, monthly, unpriced };
}

/**
 * Is this subscription paying at t, and for how much a month: the one definition MRR and
 * subscription movements share. A subscription that does not pay is worth 0 and costs no lookups.
 */
export async function subscriptionValueAt(
	sub: Subscription,
	t: number,
	lookups: Lookups,
	options: ValueOptions = STRIPE_DEFAULTS,
): Promise<SubscriptionValue> {
	const reason = notPayingAt(sub, t, options);
	if (reason) return { paying: false, reason, currency: sub.currency, monthly: 0, unpriced: [] };
	return { paying: true, reason: null, ...(await monthlyValue(sub, t, lookups, options)) };
}

/** Paying means worth more than nothing a month: a free subscription is no subscriber. */
export const isPaying = (value: SubscriptionValue) => value.paying && value.monthly > ZERO;

/** Answers each ID once per run: the first request's promise serves every later ask. */
function oncePerId<T>(retrieve: (id: string) => Promise<T>): (id: string) => Promise<T> {
	const seen = new Map<string, Promise<T>>();
	return (id) => {
		let found = seen.get(id);
		if (!found) seen.set(id, (found = retrieve(id)));
		return found;
	};
}

/**
 * The lookups of one report run, each object fetched once. Coupons come with their amounts in
 * every currency (item-level discounts and amount-off coupons in another currency), prices with
 * their tiers: from a subscription list those would be five levels of expansion, and Stripe
 * expands at most four.
 */
export function lookupsFor(stripe: StripeClient): Required<Lookups> {
	return {
		coupon: oncePerId((id) => stripe.coupons.retrieve(id, { expand: ['currency_options'] })),
		price: oncePerId((id) => stripe.prices.retrieve(id, { expand: ['tiers'] })),
	};
}

/** What to expand when listing subscriptions so that discounts arrive with them. */
export const SUBSCRIPTION_EXPANSION = ['data.discounts.source.coupon', 'data.items.data.discounts'];
