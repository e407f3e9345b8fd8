/**
 * The Stripe client the package's code reads through: resources named as Stripe's own client
 * names them (`customers.retrieve/list/search`, `checkout.sessions`, `invoicePayments.list`, …),
 * each a thin description of its endpoint over the one transport; and any collection by its path
 * (`readable('/v1/coupons')`), which is how the node's read resources reach the endpoints their
 * declarations name.
 */
import type { StripeParams } from './encoding';
import { ListRequest, type StripeList, type StripeSearchResult } from './paging';
import type { RequestOptions, StripeMethod, Transport, WithLastResponse } from './request';
import { WINDOWED_LISTS } from './windows';
import type {
	Account,
	BalanceTransaction,
	Charge,
	Coupon,
	Customer,
	InvoicePayment,
	Payout,
	Price,
	StripeEvent,
	StripeObject,
	Subscription,
} from './types';

export interface RetrieveParams {
	expand?: string[];
}

export interface Retrievable<T> {
	retrieve(id: string, params?: RetrieveParams): Promise<WithLastResponse<T>>;
}

export interface Listable<T> {
	list(params?: StripeParams): ListRequest<T>;
}

export interface Searchable<T> {
	search(params: {
		query: string;
		limit?: number;
		expand?: string[];
		page?: string;
	}): ListRequest<T, StripeSearchResult<T>>;
}

export type ReadEndpoints<T> = Retrievable<T> & Listable<T>;
export type SearchableEndpoints<T> = ReadEndpoints<T> & Searchable<T>;

export interface StripeClient {
	accounts: { retrieveCurrent(): Promise<WithLastResponse<Account>> };
	balance: { retrieve(): Promise<WithLastResponse<StripeObject>> };
	balanceTransactions: ReadEndpoints<BalanceTransaction>;
	charges: SearchableEndpoints<Charge>;
	checkout: {
		sessions: ReadEndpoints<StripeObject> & {
			listLineItems(id: string, params?: StripeParams): ListRequest<StripeObject>;
		};
	};
	coupons: Retrievable<Coupon>;
	customers: SearchableEndpoints<Customer>;
	events: ReadEndpoints<StripeEvent>;
	invoicePayments: Listable<InvoicePayment>;
	invoices: SearchableEndpoints<StripeObject> & {
		listLineItems(id: string, params?: StripeParams): ListRequest<StripeObject>;
		/** The invoice a change would make, computed by Stripe: it creates nothing. */
		createPreview(params: StripeParams): Promise<WithLastResponse<StripeObject>>;
	};
	payouts: ReadEndpoints<Payout>;
	prices: SearchableEndpoints<Price>;
	products: SearchableEndpoints<StripeObject>;
	subscriptions: SearchableEndpoints<Subscription>;
	/** Retrieve and list of the collection at `path` ("/v1/coupons"): `{path}/{id}` and `{path}`. */
	readable<T extends object = StripeObject>(path: string): ReadEndpoints<T>;
	/** The same, and Stripe's search of it: `{path}/search`. */
	searchable<T extends object = StripeObject>(path: string): SearchableEndpoints<T>;
	/**
	 * Any endpoint: used for the approved writes (exactly the proposed request) and the credential
	 * test's probes.
	 */
	rawRequest<T extends object = StripeObject>(
		method: StripeMethod,
		path: string,
		params?: StripeParams | null,
		options?: RequestOptions,
	): Promise<WithLastResponse<T>>;
}

/** An ID in a path: encoded, as the SDK encodes it. */
const segment = (id: string) => encodeURIComponent(id);

export interface ClientSettings {
	/**
	 * Read long lists in windows of `created`, several pages at once (default); off: one page after
	 * another.
	 */
	parallelReading?: boolean;
}

export function createClient(transport: Transport, settings: ClientSettings = {}): StripeClient {
	const parallel = settings.parallelReading ?? true;
	const get = <T extends object>(path: string, params?: StripeParams) =>
		transport.request<T>('GET', path, params);
	const list = <T>(path: string, params: StripeParams = {}) =>
		new ListRequest<T>(
			(p, options) => transport.request<StripeList<T>>('GET', path, p, options),
			params,
			'list',
			parallel && WINDOWED_LISTS.has(path),
		);
	const search = <T>(path: string, params: StripeParams) =>
		new ListRequest<T, StripeSearchResult<T>>(
			(p) => get<StripeSearchResult<T>>(path, p),
			params,
			'search',
		);
	const retrievable = <T extends object>(base: string): Retrievable<T> => ({
		retrieve: (id, params) => get<T>(`${base}/${segment(id)}`, params ? { ...params } : undefined),
	});
	const readable = <T extends object>(base: string): ReadEndpoints<T> => ({
		...retrievable<T>(base),
		list: (params) => list<T>(base, params),
	});
	const searchable = <T extends object>(base: string): SearchableEndpoints<T> => ({
		...readable<T>(base),
		search: (params) => search<T>(`${base}/search`, { ...params }),
	});
	const lineItems = (base: string, sub: string) => ({
		listLineItems: (id: string, params?: StripeParams) =>
			list<StripeObject>(`${base}/${segment(id)}/${sub}`, params),
	});

	return {
		accounts: { retrieveCurrent: () => get<Account>('/v1/account') },
		balance: { retrieve: () => get<StripeObject>('/v1/balance') },
		balanceTransactions: readable('/v1/balance_transactions'),
		charges: searchable('/v1/charges'),
		checkout: {
			sessions: {
				...readable<StripeObject>('/v1/checkout/sessions'),
				...lineItems('/v1/checkout/sessions', 'line_items'),
			},
		},
		coupons: retrievable('/v1/coupons'),
		customers: searchable('/v1/customers'),
		events: readable('/v1/events'),
		invoicePayments: { list: (params) => list<InvoicePayment>('/v1/invoice_payments', params) },
		invoices: {
			...searchable<StripeObject>('/v1/invoices'),
			...lineItems('/v1/invoices', 'lines'),
			createPreview: (params) =>
				transport.request<StripeObject>('POST', '/v1/invoices/create_preview', params),
		},
		payouts: readable('/v1/payouts'),
		prices: searchable('/v1/prices'),
		products: searchable('/v1/products'),
		subscriptions: searchable('/v1/subscriptions'),
		readable,
		searchable,
		rawRequest: (method, path, params, options) => transport.request(method, path, params, options),
	};
}
