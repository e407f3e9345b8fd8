/**
 * The one test of an ID's shape: Stripe's prefix for the object type, then letters, digits and
 * underscores. Both the node's reads and the proposals' validation use it. An object type whose IDs
 * have no prefix (coupons: codes such as SUMMER25) is given as the prefix '': its IDs may also
 * have `-`, as Stripe allows in an ID chosen on creation.
 */
export function isStripeId(value: unknown, prefix: string): boolean {
	if (typeof value !== 'string') return false;
	if (prefix === '') return /^[A-Za-z0-9_-]+$/.test(value);
	return value.startsWith(prefix) && /^[A-Za-z0-9_]+$/.test(value);
}
