/**
 * The monthly recurring value of one subscription, as MRR and subscription movements count it.
 * The definition lives in ./subscription-value.ts (Stripe's: each item on its own interval, by
 * Stripe's pricing rules, without tax, forever discounts by default); this file keeps the names
 * the reports import and the list expansion they share.
 */
import type { Subscription } from '../../shared/transport';
import { monthlyValue, STRIPE_DEFAULTS, type CouponLookup, type Lookups, type UnpricedItem, type ValueOptions } from './subscription-value';

export { couponCache, priceCache, subscriptionValueAt, type CouponLookup, type Lookups, type PriceLookup, type UnpricedItem } from './subscription-value';

export interface RecurringValue {
	currency: string;
	/** Minor units per month, unrounded: rounding happens once per currency total. */
	monthly: number;
	unpriced: UnpricedItem[];
}

/**
 * The subscription's recurring value per month at `now` in its currency, with what could not be
 * priced, whether or not it pays at `now`. Takes a coupon lookup alone (tiered prices are then
 * listed apart) or lookups with a price lookup; Stripe's default settings unless told otherwise.
 */
export async function recurringValue(sub: Subscription, now: number, lookups: CouponLookup | Lookups, options: ValueOptions = STRIPE_DEFAULTS): Promise<RecurringValue> {
	return monthlyValue(sub, now, typeof lookups === 'function' ? { coupon: lookups } : lookups, options);
}

/** What to expand when listing subscriptions so that discounts arrive with them. */
export const SUBSCRIPTION_EXPANSION = ['data.discounts.source.coupon', 'data.items.data.discounts'];
