/**
 * Resource locators: every field that names a Stripe object offers From List (searchable, paged),
 * By ID (prefix checked in the editor) and By URL (a Stripe Dashboard link, live or test).
 *
 * Compatible parameters: the fields keep their names, and the value may be a plain string (what
 * workflows saved before the locators, or an expression that gives an ID) or n8n's
 * `{__rl: true, mode, value}`. So old workflows run unchanged, with no node version bump.
 */
import { NodeOperationError, type INodeProperties } from 'n8n-workflow';

import type { StripeMode } from '../../shared/credentials/credentials';
import { capitalize, withArticle } from './words';
import type { OperationContext } from './operation';

/** The objects a field can name, by ID prefix: the editor look-up behind From List and the Dashboard path. */
export const LOCATOR_TARGETS = {
	cus_: { method: 'searchCustomers', dashboard: 'customers' },
	prod_: { method: 'searchProducts', dashboard: 'products' },
	price_: { method: 'searchPrices', dashboard: 'prices' },
	sub_: { method: 'searchSubscriptions', dashboard: 'subscriptions' },
	in_: { method: 'searchInvoices', dashboard: 'invoices' },
	pi_: { method: 'searchPaymentIntents', dashboard: 'payments' },
	ch_: { method: 'searchCharges', dashboard: 'payments' },
	re_: { method: 'searchRefunds', dashboard: 'refunds' },
	cs_: { method: 'searchCheckoutSessions', dashboard: 'checkout/sessions' },
	po_: { method: 'searchPayouts', dashboard: 'payouts' },
	txn_: { method: 'searchBalanceTransactions', dashboard: 'balance_transactions' },
	evt_: { method: 'searchEvents', dashboard: 'events' },
} as const;

export type LocatorPrefix = keyof typeof LOCATOR_TARGETS;

/** What n8n stores for a resource locator. */
export interface LocatorValue {
	__rl: true;
	mode: string;
	value: unknown;
}

/** The By ID pattern (n8n anchors it: `^…$`): the prefix, then Stripe's ID characters. */
export const idPattern = (prefix: string) => `${prefix}[A-Za-z0-9_]+`;

const DASHBOARD = String.raw`https?://dashboard\.stripe\.com/`;
const ACCOUNT = String.raw`(?:acct_[A-Za-z0-9]+/)?`;

/**
 * The By URL pattern: a Dashboard link, live (`/customers/cus_…`) or test (`/test/customers/cus_…`),
 * optionally account-scoped (`/acct_…/…`), whatever page path leads to the ID; its one group is the ID
 * (n8n's extractValue takes exactly one group).
 */
export const urlPattern = (prefix: string) =>
	String.raw`${DASHBOARD}${ACCOUNT}(?:[a-z_-]+/)*(${idPattern(prefix)})(?:[/?#].*)?`;

/** Whether a Dashboard link is of test mode (`/test/…`); undefined for anything that is not a Dashboard link. */
export function dashboardMode(url: string): StripeMode | undefined {
	const m = new RegExp(String.raw`^${DASHBOARD}${ACCOUNT}(test/)?`).exec(url);
	if (!m) return undefined;
	return m[1] ? 'test' : 'live';
}

/** The ID a Dashboard link points at, or undefined when it is not a link to an object with this prefix. */
export function idFromDashboardUrl(url: string, prefix: string): string | undefined {
	return new RegExp(`^${urlPattern(prefix)}$`).exec(url.trim())?.[1];
}

/** The Dashboard link of an object in this mode, for list results. */
export function dashboardUrl(prefix: LocatorPrefix, id: string, mode: StripeMode): string {
	return `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}${LOCATOR_TARGETS[prefix].dashboard}/${id}`;
}

/** What each locator field names, by field name (`customerId` always names a customer), for reading its value back. */
const TARGET_BY_NAME = new Map<string, { label: string; prefix: LocatorPrefix }>();

/** The label and prefix of a locator field made by locatorField. */
export const locatorTarget = (property: INodeProperties) => TARGET_BY_NAME.get(property.name);

/** A field naming one Stripe object, as a resource locator with From List, By ID and By URL. */
export function locatorField(
	name: string,
	label: string,
	prefix: LocatorPrefix,
	extra: Partial<INodeProperties> = {},
): INodeProperties {
	const Label = capitalize(label);
	const field: INodeProperties = {
		displayName: Label,
		name,
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: `The ${label}: pick it from the list, or give its ID (${prefix}…) or its Stripe Dashboard URL`,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select ${withArticle(label)}…`,
				typeOptions: { searchListMethod: LOCATOR_TARGETS[prefix].method, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `${prefix}…`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: idPattern(prefix),
							errorMessage: `Not ${withArticle(label)} ID: ${Label} IDs start with ${prefix}`,
						},
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: `https://dashboard.stripe.com/test/${LOCATOR_TARGETS[prefix].dashboard}/${prefix}…`,
				extractValue: { type: 'regex', regex: urlPattern(prefix) },
				validation: [
					{
						type: 'regex',
						properties: {
							regex: urlPattern(prefix),
							errorMessage: `Not a Stripe Dashboard URL of ${withArticle(label)} (…/${prefix}…)`,
						},
					},
				],
			},
		],
		...extra,
	};
	TARGET_BY_NAME.set(name, { label, prefix });
	return field;
}

export const isLocatorValue = (value: unknown): value is LocatorValue =>
	typeof value === 'object' && value !== null && (value as { __rl?: unknown }).__rl === true;

/**
 * The ID in a field's value, whichever form it has: a plain string (old workflows, expressions),
 * By ID / From List, or By URL (the ID extracted, the link's test/live checked against the
 * credential's environment). The prefix itself is checked by the caller, as before the locators.
 */
export function locatorId(
	ctx: OperationContext,
	raw: unknown,
	label: string,
	prefix: string,
): unknown {
	let value = raw;
	let fromUrl = false;
	if (isLocatorValue(raw)) {
		value = raw.value;
		fromUrl = raw.mode === 'url';
	}
	if (typeof value !== 'string') return value;
	const text = value.trim();
	// A pasted Dashboard link is read as By URL in any mode, so an expression can give one too.
	if (!fromUrl && !dashboardMode(text)) return text;
	const id = idFromDashboardUrl(text, prefix);
	if (!id) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`"${text.slice(0, 100)}" is not a Stripe Dashboard URL of ${withArticle(label)} (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description: `Open the ${label} in the Stripe Dashboard and copy the address, e.g. https://dashboard.stripe.com/test/${LOCATOR_TARGETS[prefix as LocatorPrefix]?.dashboard ?? 'customers'}/${prefix}NffrFeUfNV2Hib, or choose By ID.`,
			},
		);
	}
	const urlMode = dashboardMode(text);
	if (urlMode !== ctx.credentials.mode) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`The ${label} URL is from the Stripe Dashboard's ${urlMode} mode, but the credential is for ${ctx.credentials.mode} mode (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description:
					urlMode === 'test'
						? `The link has /test/ in it: that ${label} exists only in test mode. Use a live-mode link (without /test/) or a credential with a test key.`
						: `The link has no /test/ in it: that ${label} exists only in live mode. Use a test-mode link (…/test/…) or a credential with a live key.`,
			},
		);
	}
	return id;
}
