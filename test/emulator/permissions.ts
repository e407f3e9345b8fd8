/** Restricted-key permissions and the 403s Stripe answers when one is missing, in both wordings. */
import type { Access, KeyOptions, Mode, PermissionGroup } from './types';

export interface EmulatedKey {
	key: string;
	mode: Mode;
	accountId: string;
	secret: boolean;
	permissions: Partial<Record<PermissionGroup, Access>>;
	style: 'legacy' | 'modern';
	rateLimitPerSecond?: number;
	revoked: boolean;
}

const GROUPS: PermissionGroup[] = [
	'customer',
	'product',
	'plan',
	'subscription',
	'invoice',
	'charge',
	'refund',
	'payment_intent',
	'checkout_session',
	'balance',
	'balance_transaction_source',
	'payout',
	'event',
	'coupon',
	'dispute',
];

/** Dashboard names used by the modern wording ("Prices Read"). */
const DASHBOARD_NAMES: Record<PermissionGroup, string> = {
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

export function makeKey(
	options: KeyOptions,
	defaults: { accountId: string; newSecret: () => string },
): EmulatedKey {
	const key = options.key ?? `rk_${options.mode ?? 'test'}_${defaults.newSecret()}`;
	const mode = options.mode ?? (/_live_/.test(key) ? 'live' : 'test');
	const secret = key.startsWith('sk_');
	const p = options.permissions ?? 'read';
	const permissions =
		typeof p === 'string'
			? (Object.fromEntries(GROUPS.map((g) => [g, p])) as Record<PermissionGroup, Access>)
			: { ...p };
	return {
		key,
		mode,
		accountId: options.accountId ?? defaults.accountId,
		secret,
		permissions,
		style: options.permissionErrorStyle ?? 'legacy',
		rateLimitPerSecond: options.rateLimitPerSecond,
		revoked: false,
	};
}

export function allows(
	key: EmulatedKey,
	group: PermissionGroup,
	access: 'read' | 'write',
): boolean {
	if (key.secret) return true;
	const granted = key.permissions[group] ?? 'none';
	return access === 'read' ? granted !== 'none' : granted === 'write';
}

/**
 * Stripe's own way of naming a key: prefix, *** and the last four (the legacy wording shows six).
 */
export function keyHint(key: string, tail = 4): string {
	const prefix = /^[a-z]+_(?:test_|live_)?/.exec(key)?.[0] ?? '';
	return `${prefix}***${key.slice(-tail)}`;
}

export function permissionDenied(
	key: EmulatedKey,
	group: PermissionGroup,
	access: 'read' | 'write',
): { message: string; code?: string } {
	const codes = [`${group}_${access}`];
	if (key.style === 'modern') {
		const names = codes
			.map((c) => `"${DASHBOARD_NAMES[group]} ${access === 'read' ? 'Read' : 'Write'}" ('${c}')`)
			.join(' or ');
		return {
			code: 'more_permissions_required',
			message:
				`Permission denied. The provided key '${keyHint(key.key, 6)}' does not have the ` +
				`required permissions for this endpoint on account '${key.accountId}'. ` +
				`Enabling ${names} permissions on this key would allow this request to continue. ` +
				`You can edit permissions at https://dashboard.stripe.com/${key.accountId}/apikeys.`,
		};
	}
	const quoted = codes.map((c) => `'rak_${c}'`);
	const plural = quoted.length > 1;
	return {
		message:
			`The provided key '${keyHint(key.key, 6)}' does not have the required permissions ` +
			`for this endpoint on account '${key.accountId}'. Having the ${quoted.join(' or ')} ` +
			`permission${plural ? 's' : ''} would allow this request to continue.`,
	};
}
