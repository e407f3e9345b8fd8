/**
 * From List of every resource locator: search text in, one page of `{name, value, url}` and a
 * pagination token out. Stripe's search where Stripe has it (customers, products, prices,
 * subscriptions, invoices, payment intents, charges) when the text asks for it; otherwise the list
 * endpoint, newest first, filtered here by what the person reads. An ID with the right prefix is
 * looked up directly. Requests go through the transport, so a missing permission is named.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { readCredentials, type StripeMode } from '../../shared/credentials/credentials';
import { toNodeError } from '../../shared/errors';
import { isStripeId } from '../../shared/ids';
import { dashboardUrl, LOCATOR_TARGETS, type LocatorPrefix } from '../framework/locator';
import { SUBSCRIPTION_STATUSES } from '../resources/subscription';
import {
	createStripeClient,
	isStripeApiError,
	type StripeClient,
	type StripeParams,
} from '../../shared/transport';

/** Rows per page of the list the editor shows. */
export const LIST_PAGE_SIZE = 25;
/** Rows read per page when the list is filtered here, so that a page has matches to show. */
const FILTERED_PAGE_SIZE = 100;

type Page = { data: IDataObject[]; has_more: boolean; next_page?: string | null };
interface Endpoints {
	retrieve(id: string, params: StripeParams): PromiseLike<unknown>;
	list(params: StripeParams): PromiseLike<unknown>;
	search?(params: StripeParams & { query: string }): PromiseLike<unknown>;
}

interface Lookup {
	/** What the person recognises: "Ada Lovelace — ada@example.com". The ID is added after it. */
	describe(o: IDataObject): string;
	/** The client's endpoints of this resource. */
	api(stripe: StripeClient): Endpoints;
	/** Stripe's search for this text, when Stripe has one that fits it; the list is filtered otherwise. */
	query?(text: string, stripe: StripeClient): Promise<string | undefined> | string | undefined;
	/** Expansions that the description needs (paths inside one object). */
	expand?: string[];
	/** List filters every page gets (subscriptions: all statuses). */
	listParams?: StripeParams;
}

/** A quoted value for Stripe's search language. */
const quoted = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** `field~'text'` (contains) when Stripe allows it (3 characters and more), else `field:'text'`. */
const contains = (field: string, text: string) =>
	`${field}${text.length >= 3 ? '~' : ':'}${quoted(text)}`;

const money = (amount: unknown, currency: unknown) =>
	typeof amount === 'number' && typeof currency === 'string'
		? formatAmount(amount, currency)
		: undefined;
const joined = (...parts: Array<unknown>) =>
	parts.filter((p) => typeof p === 'string' && p !== '').join(' — ');
const dateOf = (seconds: unknown) =>
	typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().slice(0, 10) : undefined;
const idOf = (value: unknown) =>
	typeof value === 'string' ? value : ((value as IDataObject | null)?.id as string | undefined);

/** "$49.00 / month", "$120.00 every 3 months", "$5.00 one-time"; tiered and customer-chosen amounts say so. */
export function describePriceTerms(p: IDataObject): string {
	const recurring = p.recurring as IDataObject | null;
	const amount =
		money(p.unit_amount, p.currency) ??
		(p.billing_scheme === 'tiered'
			? `tiered (${String(p.currency).toUpperCase()})`
			: p.custom_unit_amount
				? 'customer chooses'
				: String(p.currency ?? '').toUpperCase());
	if (!recurring) return `${amount} one-time`;
	const count = Number(recurring.interval_count ?? 1);
	return count === 1
		? `${amount} / ${String(recurring.interval)}`
		: `${amount} every ${count} ${String(recurring.interval)}s`;
}

/** "Pro — $49.00 / month": the product's name (when expanded), else the nickname, then the terms. */
export function describePrice(p: IDataObject): string {
	const product = p.product as IDataObject | string | null;
	const name =
		(typeof product === 'object' && product ? (product.name as string) : undefined) ??
		(p.nickname as string | null) ??
		idOf(product);
	return joined(name, describePriceTerms(p), p.active === false ? 'archived' : '');
}

const personOf = (customer: unknown, email?: unknown) => {
	const c = customer as IDataObject | string | null;
	if (c && typeof c === 'object') return joined(c.name, c.email) || (c.id as string);
	return (email as string | undefined) ?? c ?? undefined;
};

const STATUS_VALUES = new Set(SUBSCRIPTION_STATUSES.map((s) => s.value));
const INVOICE_STATUSES = new Set(['draft', 'open', 'paid', 'uncollectible', 'void']);
const PAYMENT_STATUSES = new Set([
	'canceled',
	'processing',
	'requires_action',
	'requires_capture',
	'requires_confirmation',
	'requires_payment_method',
	'succeeded',
]);
const CHARGE_STATUSES = new Set(['failed', 'pending', 'succeeded']);

/** Customers whose name or email contains the text, as a search clause on `customer` (at most 9, Stripe's clause limit is 10). */
async function customerClause(stripe: StripeClient, text: string): Promise<string | undefined> {
	const found = await stripe.customers.search({
		query: `${contains('name', text)} OR ${contains('email', text)}`,
		limit: 9,
	});
	const ids = found.data.map((c) => c.id);
	return ids.length ? ids.map((id) => `customer:${quoted(id)}`).join(' OR ') : undefined;
}

/** A status word searches by status; other text by `special` (an invoice number, card digits) when it fits, else by the customers it names. */
const statusOrCustomer =
	(statuses: Set<string>, special?: (text: string) => string | undefined) =>
	async (text: string, stripe: StripeClient): Promise<string | undefined> => {
		const lower = text.toLowerCase();
		if (statuses.has(lower)) return `status:${quoted(lower)}`;
		return special?.(text) ?? (await customerClause(stripe, text));
	};

/** Each look-up's method name, as the locator fields name it (LOCATOR_TARGETS), with the prefix of what it finds. */
const PREFIX_OF = Object.fromEntries(
	Object.entries(LOCATOR_TARGETS).map(([prefix, target]) => [
		target.method,
		prefix as LocatorPrefix,
	]),
);

export const LOOKUPS: Record<(typeof LOCATOR_TARGETS)[LocatorPrefix]['method'], Lookup> = {
	searchCustomers: {
		describe: (c) => joined(c.name, c.email) || '(no name or email)',
		api: (s) => s.customers,
		query: (text) => `${contains('name', text)} OR ${contains('email', text)}`,
	},
	searchProducts: {
		describe: (p) => joined(p.name, p.active === false ? 'archived' : ''),
		api: (s) => s.products,
		query: (text) => contains('name', text),
	},
	searchPrices: {
		describe: describePrice,
		expand: ['product'],
		api: (s) => s.prices,
		// Prices are found by their product's name (or their lookup key).
		async query(text, stripe) {
			const products = await stripe.products.search({ query: contains('name', text), limit: 9 });
			return [
				...products.data.map((p) => `product:${quoted(p.id as string)}`),
				`lookup_key:${quoted(text)}`,
			].join(' OR ');
		},
	},
	searchSubscriptions: {
		// Customer, plan and status: "Ada Lovelace — ada@… — Pro $49.00 / month — active".
		describe: (s) => {
			const items = ((s.items as IDataObject | undefined)?.data as IDataObject[] | undefined) ?? [];
			const first = items[0]?.price as IDataObject | undefined;
			const plan = first
				? joined(first.nickname, describePriceTerms(first)) +
					(items.length > 1 ? ` (+${items.length - 1} more)` : '')
				: '';
			return joined(personOf(s.customer), plan, s.status);
		},
		expand: ['customer'],
		listParams: { status: 'all' },
		api: (s) => s.subscriptions,
		query: (text) =>
			STATUS_VALUES.has(text.toLowerCase()) && text.toLowerCase() !== 'all'
				? `status:${quoted(text.toLowerCase())}`
				: undefined,
	},
	searchInvoices: {
		// Number, amount, status: "INV-0001 — $49.00 — paid — ada@…".
		describe: (i) =>
			joined(
				(i.number as string | null) ?? 'draft',
				money(i.total, i.currency),
				i.status,
				(i.customer_name as string | null) ?? i.customer_email,
			),
		api: (s) => s.invoices,
		query: statusOrCustomer(INVOICE_STATUSES, (text) =>
			/^[A-Z0-9]+-[0-9]+$/i.test(text) ? `number:${quoted(text.toUpperCase())}` : undefined,
		),
	},
	searchPaymentIntents: {
		describe: (p) =>
			joined(money(p.amount, p.currency), p.status, personOf(p.customer), p.description),
		expand: ['customer'],
		api: (s) => s.paymentIntents,
		query: statusOrCustomer(PAYMENT_STATUSES),
	},
	searchCharges: {
		describe: (c) => {
			const billing = c.billing_details as IDataObject | null;
			return joined(
				money(c.amount, c.currency),
				c.refunded ? 'refunded' : c.status,
				billing?.name ?? billing?.email ?? c.receipt_email,
				c.description,
			);
		},
		api: (s) => s.charges,
		query: statusOrCustomer(CHARGE_STATUSES, (text) =>
			/^[0-9]{4}$/.test(text) ? `payment_method_details.card.last4:${quoted(text)}` : undefined,
		),
	},
	searchRefunds: {
		describe: (r) =>
			joined(
				money(r.amount, r.currency),
				r.status,
				r.reason,
				idOf(r.charge) ? `of ${idOf(r.charge)}` : '',
			),
		api: (s) => s.refunds,
	},
	searchCheckoutSessions: {
		describe: (c) =>
			joined(
				money(c.amount_total, c.currency),
				c.status,
				c.mode,
				(c.customer_details as IDataObject | null)?.email ?? c.customer_email,
			),
		api: (s) => s.checkout.sessions,
	},
	searchPayouts: {
		describe: (p) =>
			joined(
				money(p.amount, p.currency),
				p.status,
				dateOf(p.arrival_date) ? `arrives ${dateOf(p.arrival_date)}` : '',
			),
		api: (s) => s.payouts,
	},
	searchBalanceTransactions: {
		describe: (t) => joined(t.type, money(t.amount, t.currency), t.description, dateOf(t.created)),
		api: (s) => s.balanceTransactions,
	},
	searchEvents: {
		describe: (e) =>
			joined(
				e.type,
				typeof e.created === 'number'
					? new Date(e.created * 1000).toISOString().replace('.000Z', 'Z')
					: '',
			),
		api: (s) => s.events,
	},
};

function result(
	lookup: Lookup,
	prefix: LocatorPrefix,
	mode: StripeMode,
	o: IDataObject,
): INodeListSearchItems {
	const id = o.id as string;
	return { name: `${lookup.describe(o)} (${id})`, value: id, url: dashboardUrl(prefix, id, mode) };
}

async function lookUp(
	fn: ILoadOptionsFunctions,
	prefix: LocatorPrefix,
	lookup: Lookup,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentials = await readCredentials(fn);
	const stripe = createStripeClient(fn, credentials);
	const text = (filter ?? '').trim();
	const expand = lookup.expand ?? [];
	const show = (objects: IDataObject[]) =>
		objects.map((o) => result(lookup, prefix, credentials.mode, o));

	// An ID (or a pasted one) is looked up directly: one result, or none in this account and mode.
	if (isStripeId(text, prefix)) {
		try {
			const object = (await lookup
				.api(stripe)
				.retrieve(text, expand.length ? { expand } : {})) as IDataObject;
			return { results: show([object]) };
		} catch (error) {
			if (isStripeApiError(error) && error.statusCode === 404) return { results: [] };
			throw toNodeError(fn.getNode(), error, 0);
		}
	}
	const listExpand = expand.length ? { expand: expand.map((e) => `data.${e}`) } : {};
	const api = lookup.api(stripe);
	const query = text && api.search && lookup.query ? await lookup.query(text, stripe) : undefined;
	if (query) {
		const page = (await api.search!({
			query,
			limit: LIST_PAGE_SIZE,
			...listExpand,
			...(paginationToken ? { page: paginationToken } : {}),
		})) as Page;
		return {
			results: show(page.data),
			paginationToken: page.has_more && page.next_page ? page.next_page : undefined,
		};
	}
	// The list, newest first; with text, the rows whose description contains it.
	const params: StripeParams = {
		...lookup.listParams,
		limit: text ? FILTERED_PAGE_SIZE : LIST_PAGE_SIZE,
		...listExpand,
	};
	if (paginationToken) params.starting_after = paginationToken;
	const page = (await api.list(params)) as Page;
	const needle = text.toLowerCase();
	const rows = text
		? page.data.filter((o) => lookup.describe(o).toLowerCase().includes(needle))
		: page.data;
	const last = page.data.at(-1)?.id as string | undefined;
	return { results: show(rows), paginationToken: page.has_more && last ? last : undefined };
}

/** Each look-up as n8n calls it: `this` is the load-options context; errors are the node's, naming a missing permission. */
export const listSearch = Object.fromEntries(
	Object.entries(LOOKUPS).map(([name, lookup]) => [
		name,
		async function (
			this: ILoadOptionsFunctions,
			filter?: string,
			paginationToken?: string,
		): Promise<INodeListSearchResult> {
			try {
				return await lookUp(this, PREFIX_OF[name], lookup, filter, paginationToken);
			} catch (error) {
				throw toNodeError(this.getNode(), error, 0);
			}
		},
	]),
) as Record<
	keyof typeof LOOKUPS,
	(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	) => Promise<INodeListSearchResult>
>;
