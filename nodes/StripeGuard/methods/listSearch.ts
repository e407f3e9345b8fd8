/**
 * From List of every resource locator: search text in, one page of `{name, value, url}` and a
 * pagination token out, one method per read resource, named from it (searchCustomers) and run
 * from its declaration's look-up. Stripe's search where the resource has it and the look-up makes
 * one of the text; otherwise the list endpoint, newest first, filtered here by what the person
 * reads (the row and its ID), over a bounded number of pages. An ID with the resource's prefix is
 * looked up directly; where IDs have none (coupons), the text is also tried as an ID. Requests go
 * through the transport, so a missing permission is named.
 */
import {
	NodeOperationError,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { readCredentials } from '../../shared/credentials/credentials';
import { toNodeError } from '../../shared/errors';
import { isStripeId } from '../../shared/ids';
import { dashboardUrl, searchMethodOf } from '../framework/locator';
import { endpointsOf, listExpansion, type ReadResourceSpec } from '../framework/read-resource';
import { querySpecs } from '../resources';
import { createStripeClient, isStripeApiError } from '../../shared/transport';
import { SEARCH_AUDIT_TABLES } from '../../shared/audit/fields';
import { listDataTables } from '../../shared/audit/table';

/** Rows per page of the list the editor shows. */
export const LIST_PAGE_SIZE = 25;
/** Rows read per page when the list is filtered here, so that a page has matches to show. */
const FILTERED_PAGE_SIZE = 100;
/** Pages a filtered list reads at most for one page of matches: 500 objects, newest first. */
export const FILTERED_PAGES = 5;

type Page = { data: IDataObject[]; has_more: boolean; next_page?: string | null };

async function lookUp(
	fn: ILoadOptionsFunctions,
	spec: ReadResourceSpec,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { lookup, idPrefix: prefix } = spec;
	const credentials = await readCredentials(fn);
	const stripe = createStripeClient(fn, credentials);
	const api = endpointsOf(stripe, spec);
	const text = (filter ?? '').trim();
	const expand = lookup.expand ?? [];
	const nameOf = (o: IDataObject) => `${lookup.describe(o)} (${o.id as string})`;
	const show = (objects: IDataObject[]): INodeListSearchItems[] =>
		objects.map((o) => ({
			name: nameOf(o),
			value: o.id as string,
			url: dashboardUrl(spec.dashboard, o.id as string, credentials.mode),
		}));
	/** The object with this ID, or none in this account and mode. */
	const retrieve = async (id: string): Promise<IDataObject[]> => {
		try {
			return [(await api.retrieve(id, expand.length ? { expand } : {})) as IDataObject];
		} catch (error) {
			if (isStripeApiError(error) && error.statusCode === 404) return [];
			throw toNodeError(fn.getNode(), error, 0);
		}
	};

	// An ID (or a pasted one) is looked up directly: one result, or none.
	if (prefix && isStripeId(text, prefix)) return { results: show(await retrieve(text)) };
	const listExpand = listExpansion(expand);
	const query = text && spec.search && lookup.query ? await lookup.query(text, stripe) : undefined;
	if (query) {
		const page = (await stripe.searchable<IDataObject>(spec.path).search({
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
	// Text that could be an ID without a prefix (a coupon's code) is tried as one, ahead of the list.
	const exact =
		!prefix && text && !paginationToken && isStripeId(text, prefix) ? await retrieve(text) : [];
	// The list, newest first; with text, the rows whose name or ID contains it, page after page
	// until a page of them is found or FILTERED_PAGES are read.
	const needle = text.toLowerCase();
	const wanted = (o: IDataObject) =>
		!text || (nameOf(o).toLowerCase().includes(needle) && !exact.some((e) => e.id === o.id));
	const rows: IDataObject[] = [...exact];
	let cursor = paginationToken;
	let more: boolean;
	let pages = 0;
	do {
		const page = (await api.list({
			...lookup.listParams,
			limit: text ? FILTERED_PAGE_SIZE : LIST_PAGE_SIZE,
			...listExpand,
			...(cursor ? { starting_after: cursor } : {}),
		})) as unknown as Page;
		pages++;
		rows.push(...page.data.filter(wanted));
		cursor = (page.data.at(-1)?.id as string | undefined) ?? cursor;
		more = page.has_more && page.data.length > 0;
	} while (text && more && rows.length < LIST_PAGE_SIZE && pages < FILTERED_PAGES);
	return { results: show(rows), paginationToken: more ? cursor : undefined };
}

/**
 * The n8n Data Tables the audit trail's API key can see (not Stripe: n8n's own public API),
 * filtered by name here.
 */
export async function searchAuditTables(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	try {
		const text = (filter ?? '').toLowerCase();
		const tables = await listDataTables(this);
		return {
			results: tables
				.filter((t) => !text || t.name.toLowerCase().includes(text) || t.id === filter)
				.map((t) => ({ name: t.name, value: t.id })),
		};
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
}

/**
 * Each look-up as n8n calls it, under the name its locator fields give (searchMethodOf): `this` is
 * the load-options context; errors are the node's, naming a missing permission.
 */
export const listSearch = Object.fromEntries([
	[SEARCH_AUDIT_TABLES, searchAuditTables],
	...querySpecs.map((spec) => [
		searchMethodOf(spec.label),
		async function (
			this: ILoadOptionsFunctions,
			filter?: string,
			paginationToken?: string,
		): Promise<INodeListSearchResult> {
			try {
				return await lookUp(this, spec, filter, paginationToken);
			} catch (error) {
				throw toNodeError(this.getNode(), error, 0);
			}
		},
	]),
]) as Record<
	string,
	(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	) => Promise<INodeListSearchResult>
>;
