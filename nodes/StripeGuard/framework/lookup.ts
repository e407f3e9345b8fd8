/**
 * The editor look-up behind From List, as a read resource declares it: how a row reads, and which
 * Stripe search (if any) a typed text becomes. methods/listSearch.ts runs it; these are the words
 * and search clauses the declarations build theirs from.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import type { StripeClient, StripeParams } from '../../shared/transport';

export interface Lookup {
	/** What the person recognises: "Ada Lovelace — ada@example.com". The ID is added after it. */
	describe(o: IDataObject): string;
	/**
	 * Stripe's search for this text, when the resource has search and one fits the text; the list
	 * is filtered by what the rows show otherwise.
	 */
	query?(text: string, stripe: StripeClient): Promise<string | undefined> | string | undefined;
	/** Expansions that the description needs (paths inside one object). */
	expand?: string[];
	/** List filters every page gets (subscriptions: all statuses). */
	listParams?: StripeParams;
}

/** A quoted value for Stripe's search language. */
export const quoted = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `field~'text'` (contains) when Stripe allows it (3 characters and more), else `field:'text'`. */
export const contains = (field: string, text: string) =>
	`${field}${text.length >= 3 ? '~' : ':'}${quoted(text)}`;

/** "$49.00" for an amount in minor units and its currency; undefined when either is missing. */
export const amountText = (amount: unknown, currency: unknown) =>
	typeof amount === 'number' && typeof currency === 'string'
		? formatAmount(amount, currency)
		: undefined;

/** The parts that are text, joined by dashes: "Ada Lovelace — ada@example.com". */
export const joined = (...parts: Array<unknown>) =>
	parts.filter((p) => typeof p === 'string' && p !== '').join(' — ');

/** A Unix time's day: "2026-11-21". */
export const dateOf = (seconds: unknown) =>
	typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().slice(0, 10) : undefined;

/** The ID of a field that holds an ID or an expanded object. */
export const idOf = (value: unknown) =>
	typeof value === 'string' ? value : ((value as IDataObject | null)?.id as string | undefined);

/**
 * "$49.00 / month", "$120.00 every 3 months", "$5.00 one-time"; tiered and customer-chosen
 * amounts say so.
 */
export function describePriceTerms(p: IDataObject): string {
	const recurring = p.recurring as IDataObject | null;
	const amount =
		amountText(p.unit_amount, p.currency) ??
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

/** "Pro — $49.00 / month": the product's name (expanded), else the nickname, then the terms. */
export function describePrice(p: IDataObject): string {
	const product = p.product as IDataObject | string | null;
	const name =
		(typeof product === 'object' && product ? (product.name as string) : undefined) ??
		(p.nickname as string | null) ??
		idOf(product);
	return joined(name, describePriceTerms(p), p.active === false ? 'archived' : '');
}

/** A customer (expanded, or its ID) as a person reads it: name and email, else the email given. */
export const personOf = (customer: unknown, email?: unknown) => {
	const c = customer as IDataObject | string | null;
	if (c && typeof c === 'object') return joined(c.name, c.email) || (c.id as string);
	return (email as string | undefined) ?? c ?? undefined;
};

/**
 * Customers whose name or email contains the text, as a search clause on `customer` (at most 9,
 * Stripe's clause limit is 10).
 */
async function customerClause(stripe: StripeClient, text: string): Promise<string | undefined> {
	const found = await stripe.customers.search({
		query: `${contains('name', text)} OR ${contains('email', text)}`,
		limit: 9,
	});
	const ids = found.data.map((c) => c.id);
	return ids.length ? ids.map((id) => `customer:${quoted(id)}`).join(' OR ') : undefined;
}

/**
 * A status word searches by status; other text by `special` (an invoice number, card digits) when
 * it fits, else by the customers it names.
 */
export const statusOrCustomer =
	(statuses: Iterable<string>, special?: (text: string) => string | undefined) =>
	async (text: string, stripe: StripeClient): Promise<string | undefined> => {
		const lower = text.toLowerCase();
		if (new Set(statuses).has(lower)) return `status:${quoted(lower)}`;
		return special?.(text) ?? (await customerClause(stripe, text));
	};
