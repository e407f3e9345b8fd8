/**
 * The parts of Stripe's objects this package reads, in the pinned API version, as they arrive on
 * the wire, written out here so that no code under nodes/ depends on the stripe package. Its
 * generated types stay the reference: a test checks that every field named here exists on the
 * stripe package's type of the same object. Objects carry more fields than listed.
 */

/** Any Stripe object: its `id` and `object`. */
export interface StripeObject {
	id: string;
	object: string;
}

/** A related object: its ID, or the object itself when expanded. */
export type Expandable<T> = string | T;

export interface Customer extends StripeObject {
	object: 'customer';
	livemode: boolean;
	name?: string | null;
	email?: string | null;
}

export interface Account extends StripeObject {
	object: 'account';
}

export interface Coupon extends StripeObject {
	object: 'coupon';
	duration: string;
	percent_off: number | null;
	amount_off: number | null;
	currency: string | null;
	currency_options?: Record<string, { amount_off: number }>;
}

export interface Discount extends StripeObject {
	object: 'discount';
	start: number;
	end: number | null;
	source: { coupon: Expandable<Coupon> | null };
}

export interface PriceTier {
	up_to: number | null;
	unit_amount: number | null;
	unit_amount_decimal: string | null;
	flat_amount: number | null;
}

export interface Price extends StripeObject {
	object: 'price';
	currency: string;
	unit_amount: number | null;
	unit_amount_decimal: string | null;
	billing_scheme: string;
	tiers_mode: string | null;
	/** Only when expanded. */
	tiers?: PriceTier[];
	transform_quantity: { divide_by: number; round: string } | null;
	custom_unit_amount: unknown;
	recurring: { interval: string; interval_count: number; usage_type: string } | null;
	/**
	 * inclusive, exclusive or unspecified; what Stripe
	 * Tax reads (manual tax rates say it themselves).
	 */
	tax_behavior?: string | null;
}

export interface SubscriptionItem extends StripeObject {
	object: 'subscription_item';
	price: Price;
	quantity?: number;
	discounts: Array<Expandable<Discount>>;
	/** Manual tax rates of this item; when set they replace the subscription's default_tax_rates. */
	tax_rates?: Array<{
		id: string;
		percentage: number;
		inclusive: boolean;
		rate_type?: string | null;
	}> | null;
}

export interface Subscription extends StripeObject {
	object: 'subscription';
	status: string;
	currency: string;
	created: number;
	customer: Expandable<Customer>;
	canceled_at: number | null;
	ended_at: number | null;
	trial_start: number | null;
	trial_end: number | null;
	discounts: Array<Expandable<Discount>>;
	items: { data: SubscriptionItem[] };
	/**
	 * A scheduled cancellation: at the end of the period, or
	 * at `cancel_at`; `canceled_at` is when it was asked for.
	 */
	cancel_at?: number | null;
	cancel_at_period_end?: boolean;
	/** Collection paused (keep_as_draft, mark_uncollectible or void), until resumes_at if set. */
	pause_collection?: { behavior: string; resumes_at: number | null } | null;
	/**
	 * Manual tax rates for items that have none of their
	 * own (Stripe's TaxRate objects, always embedded).
	 */
	default_tax_rates?: Array<{
		id: string;
		percentage: number;
		inclusive: boolean;
		rate_type?: string | null;
	}> | null;
	/** Stripe Tax: the rates are computed per invoice and are not on the subscription. */
	automatic_tax?: { enabled: boolean } | null;
	/** A sandbox simulation: the subscription lives in the clock's time, not the real one. */
	test_clock?: Expandable<StripeObject> | null;
}

export interface Charge extends StripeObject {
	object: 'charge';
	amount: number;
	amount_refunded: number;
	currency: string;
	created: number;
	status: string;
	customer: Expandable<Customer> | null;
	payment_intent: Expandable<StripeObject> | null;
	billing_details?: { email?: string | null; name?: string | null } | null;
	receipt_email: string | null;
	failure_code: string | null;
	failure_message: string | null;
	outcome?: { reason?: string | null } | null;
}

export interface InvoicePayment extends StripeObject {
	object: 'invoice_payment';
	invoice: Expandable<StripeObject>;
}

export interface BalanceTransaction extends StripeObject {
	object: 'balance_transaction';
	amount: number;
	fee: number;
	net: number;
	currency: string;
	created: number;
	reporting_category: string;
}

export interface Payout extends StripeObject {
	object: 'payout';
	amount: number;
	currency: string;
	created: number;
	arrival_date: number;
	status: string;
	failure_code: string | null;
	failure_message: string | null;
}

export interface StripeEvent extends StripeObject {
	object: 'event';
	type: string;
	created: number;
	data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
}
