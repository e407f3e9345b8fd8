/**
 * Restricted-key permissions: their names as Stripe's Dashboard shows them, the read set this
 * package asks for, and the parser that turns Stripe's 403 messages back into permission codes.
 */

/** Dashboard names of Stripe's `rak_*` permission groups (Prices are "plan" in the API). */
const GROUP_NAMES: Record<string, string> = {
	customer: 'Customers',
	product: 'Products',
	plan: 'Prices',
	subscription: 'Subscriptions',
	invoice: 'Invoices',
	charge: 'Charges',
	refund: 'Refunds',
	payment_intent: 'PaymentIntents',
	checkout_session: 'Checkout Sessions',
	balance: 'Balance',
	balance_transaction_source: 'Balance Transaction Sources',
	payout: 'Payouts',
	event: 'Events',
	coupon: 'Coupons',
	dispute: 'Disputes',
};

/**
 * The read permissions Stripe Guard's read operations, reports and trigger use: the ones the
 * key-creation link chooses. A read resource declares its own as a `ReadPermission`, so a
 * permission missing here does not compile.
 */
export const READ_PERMISSIONS = [
	'rak_customer_read',
	'rak_product_read',
	'rak_plan_read',
	'rak_coupon_read',
	'rak_subscription_read',
	'rak_invoice_read',
	'rak_charge_read',
	'rak_dispute_read',
	'rak_payment_intent_read',
	'rak_checkout_session_read',
	'rak_balance_read',
	'rak_balance_transaction_source_read',
	'rak_payout_read',
	'rak_event_read',
] as const;

export type ReadPermission = (typeof READ_PERMISSIONS)[number];

export const KEY_CREATION_URL =
	'https://dashboard.stripe.com/apikeys/create?name=n8n%20Stripe%20Guard&' +
	READ_PERMISSIONS.map((p) => `permissions[]=${p}`).join('&');

/** "rak_subscription_read" (or Stripe's newer "subscription_read") → "Subscriptions: Read". */
export function describePermission(code: string): string {
	const match = /^(?:rak_)?([a-z_]+?)_(read|write)$/.exec(code);
	if (!match) return code;
	const [, group, access] = match;
	const name = GROUP_NAMES[group] ?? group.replace(/_/g, ' ');
	return `${name}: ${access === 'read' ? 'Read' : 'Write'}`;
}

/** A permission in words and as Stripe's code: "Customers: Read (rak_customer_read)". */
export const permissionText = (code: string) => `${describePermission(code)} (${code})`;

/**
 * Reads the missing permission codes out of a 403 message. Stripe words it two ways:
 * "Having the 'rak_subscription_read' permission would allow …" (one or several quoted codes) and
 * "Enabling \"Prices Read\" ('plan_read') permissions on this key would allow …" (no rak_ prefix).
 * Returns the codes normalised to `rak_…`, or an empty list when it is not a permission error.
 */
export function parseMissingPermissions(message: string): string[] {
	const clause =
		/Having the (.+?) permissions? would allow/.exec(message)?.[1] ??
		/Enabling (.+?) permissions? on this key would allow/.exec(message)?.[1];
	if (!clause) return [];
	const codes = [...clause.matchAll(/'([a-z_]+_(?:read|write))'/g)].map((m) =>
		m[1].startsWith('rak_') ? m[1] : `rak_${m[1]}`,
	);
	return [...new Set(codes)];
}

/** The sentence users see for a missing permission, naming it in words and as Stripe's code. */
export function missingPermissionMessage(codes: string[]): string {
	const named = codes.map(permissionText);
	const how = 'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.';
	if (named.length === 1) return `This key is missing ${named[0]}. ${how}`;
	return `This key is missing one of ${named.join(' or ')}. ${how}`;
}
