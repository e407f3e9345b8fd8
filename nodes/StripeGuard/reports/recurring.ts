/**
 * The monthly recurring value of one subscription, as MRR and subscription movements count it:
 * licensed per-unit prices normalised to a month, discounts still in effect applied. What cannot
 * be known from the subscription alone (metered usage, tiered prices) is reported apart, never guessed.
 */
import type { Coupon, Discount, Price, StripeClient, Subscription } from '../../shared/transport';

/** Months per billing interval: a year is 12, a week 12/52 of a month, a day 12/365. */
const MONTHS_PER: Record<string, number> = { month: 1, year: 12, week: 12 / 52, day: 12 / 365 };

export interface UnpricedItem {
	subscription: string;
	item: string;
	price: string;
	currency: string;
	reason: 'metered' | 'tiered' | 'custom';
}

export interface RecurringValue {
	currency: string;
	/** Minor units per month, unrounded: rounding happens once per currency total. */
	monthly: number;
	unpriced: UnpricedItem[];
}

/** Finds the coupon behind a discount whose coupon Stripe returned as an ID. */
export type CouponLookup = (id: string) => Promise<Coupon>;

type DiscountLike = string | Discount | null | undefined;

/** Months covered by one billing period of the price (a 3-monthly price covers 3). */
function monthsPerPeriod(recurring: NonNullable<Price['recurring']>): number {
	return (MONTHS_PER[recurring.interval] ?? 1) * (recurring.interval_count || 1);
}

function unitAmount(price: Price): number | null {
	if (typeof price.unit_amount === 'number') return price.unit_amount;
	if (price.unit_amount_decimal) return Number(price.unit_amount_decimal);
	return null;
}

/**
 * Applies the discounts in effect at `now` to an amount billed per period: a percentage scales it,
 * an amount off (per invoice, so per period) is taken off. "Once" coupons do not recur, so they
 * do not lower recurring revenue; discounts that ended or have not started are ignored.
 */
async function discounted(amount: number, discounts: DiscountLike[], currency: string, now: number, coupons: CouponLookup): Promise<number> {
	let value = amount;
	for (const d of discounts) {
		if (!d || typeof d === 'string') continue;
		if (d.start > now || (d.end !== null && d.end <= now)) continue;
		const source = d.source.coupon;
		if (!source) continue;
		let coupon = typeof source === 'string' ? await coupons(source) : source;
		// An amount off in another currency is in `currency_options`, which Stripe returns only when
		// the coupon is expanded with it; from a subscription list that would be a fifth level.
		if (coupon.amount_off && coupon.currency !== currency && !coupon.currency_options) coupon = await coupons(coupon.id);
		if (coupon.duration === 'once') continue;
		if (coupon.percent_off) value *= 1 - coupon.percent_off / 100;
		const off = coupon.currency === currency ? coupon.amount_off : coupon.currency_options?.[currency]?.amount_off;
		if (off) value -= off;
	}
	return Math.max(0, value);
}

/** The subscription's recurring value per month in its currency, with what could not be priced. */
export async function recurringValue(sub: Subscription, now: number, coupons: CouponLookup): Promise<RecurringValue> {
	const currency = sub.currency;
	const unpriced: UnpricedItem[] = [];
	let perPeriod = 0;
	let months = 1;
	for (const item of sub.items.data) {
		const price = item.price;
		const recurring = price.recurring;
		if (!recurring) continue;
		const amount = unitAmount(price);
		const reason = recurring.usage_type === 'metered' ? 'metered' : price.billing_scheme === 'tiered' ? 'tiered' : amount === null ? 'custom' : null;
		if (reason) {
			unpriced.push({ subscription: sub.id, item: item.id, price: price.id, currency, reason });
			continue;
		}
		// Stripe bills all items of a subscription on one interval; amounts stay per period until
		// the subscription-level amount-off coupon (which is per invoice) has been taken off.
		months = monthsPerPeriod(recurring);
		perPeriod += await discounted(amount! * (item.quantity ?? 1), item.discounts, currency, now, coupons);
	}
	const afterDiscounts = perPeriod > 0 ? await discounted(perPeriod, sub.discounts, currency, now, coupons) : 0;
	return { currency, monthly: afterDiscounts / months, unpriced };
}

/** What to expand when listing subscriptions so that discounts arrive with them. */
export const SUBSCRIPTION_EXPANSION = ['data.discounts.source.coupon', 'data.items.data.discounts'];

/**
 * Looks each coupon up once per run, with its amounts in every currency: for item-level discounts
 * and amount-off coupons in another currency, which a subscription list cannot expand that deep.
 */
export function couponCache(stripe: StripeClient): CouponLookup {
	const seen = new Map<string, Promise<Coupon>>();
	return (id) => {
		let found = seen.get(id);
		if (!found) {
			found = stripe.coupons.retrieve(id, { expand: ['currency_options'] });
			seen.set(id, found);
		}
		return found;
	};
}
