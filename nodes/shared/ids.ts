/**
 * Stripe's ID prefix of an object type: 'cus_'; several where Stripe gives the type's IDs more than
 * one (disputes: ['du_', 'dp_'], the first the one examples show); '' where IDs have none.
 */
export type IdPrefix = string | readonly [string, ...string[]];

/** Every prefix an ID of the type may start with ([''] where IDs have none). */
export const prefixesOf = (prefix: IdPrefix): readonly string[] =>
	typeof prefix === 'string' ? [prefix] : prefix;

/**
 * The one test of an ID's shape: one of Stripe's prefixes for the object type, then letters, digits
 * and underscores. Both the node's reads and the proposals' validation use it. An object type whose
 * IDs have no prefix (coupons: codes such as SUMMER25) is given as the prefix '': its IDs may also
 * have `-`, as Stripe allows in an ID chosen on creation.
 */
export function isStripeId(value: unknown, prefix: IdPrefix): boolean {
	if (typeof value !== 'string') return false;
	if (prefix === '') return /^[A-Za-z0-9_-]+$/.test(value);
	return prefixesOf(prefix).some((p) => value.startsWith(p)) && /^[A-Za-z0-9_]+$/.test(value);
}
