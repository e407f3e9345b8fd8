/**
 * The one test of an ID's shape: Stripe's prefix for the object type, then letters, digits and
 * underscores. Both the node's reads and the proposals' validation use it.
 */
export function isStripeId(value: unknown, prefix: string): boolean {
	return typeof value === 'string' && value.startsWith(prefix) && /^[A-Za-z0-9_]+$/.test(value);
}
