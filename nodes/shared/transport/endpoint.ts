/**
 * Stripe limits requests per endpoint (25/s by default), where an endpoint is an operation:
 * `GET /v1/customers/{id}` for any ID is one endpoint, `GET /v1/customers` another. Stripe's
 * paths alternate collection and ID after an optional namespace
 * (`/v1/checkout/sessions/{id}/line_items`), so the template follows from the path alone. The tests
 * compare this with Stripe's own endpoint table (the stripe package's) for every endpoint it lists.
 */

/**
 * Path prefixes that group collections: `/v1/checkout/sessions`, `/v1/test_helpers/issuing/cards`.
 */
const NAMESPACES = new Set([
	'apple_pay',
	'apps',
	'billing',
	'billing_portal',
	'checkout',
	'climate',
	'entitlements',
	'financial_connections',
	'forwarding',
	'identity',
	'issuing',
	'product_catalog',
	'radar',
	'reporting',
	'sigma',
	'tax',
	'terminal',
	'test_helpers',
	'three_d_secure',
	'treasury',
]);

/**
 * Words Stripe puts where an ID would be: `/v1/customers/search`, `/v1/invoices/create_preview`,
 * and actions on a sub-object that has no ID (`…/cards/{id}/shipping/deliver`).
 */
const ACTIONS_IN_ID_PLACE = new Set([
	'create_force_capture',
	'create_from_calculation',
	'create_preview',
	'create_reversal',
	'create_unlinked_refund',
	'delete',
	'deliver',
	'fail',
	'find',
	'preview',
	'report_payment',
	'respond',
	'return',
	'search',
	'ship',
	'submit',
	'upcoming',
]);

/** `GET /v1/customers/{id}` for `GET /v1/customers/cus_123`. */
export function endpointOf(method: string, path: string): string {
	const segments = path.split('?')[0].split('/').filter(Boolean);
	const template = segments.slice(0, 1);
	let i = 1;
	while (i < segments.length - 1 && NAMESPACES.has(segments[i])) template.push(segments[i++]);
	for (let idPlace = false; i < segments.length; i++, idPlace = !idPlace) {
		template.push(idPlace && !ACTIONS_IN_ID_PLACE.has(segments[i]) ? '{id}' : segments[i]);
	}
	return `${method.toUpperCase()} /${template.join('/')}`;
}
