/**
 * A subscription's past beyond Stripe's 30 days of events, from what Stripe keeps forever: its
 * invoices. Each line that bills a subscription item names the item
 * (`parent.subscription_item_details`), the price (`pricing.price_details.price`), the quantity
 * and the service period it bills (`period.start` to `period.end`); a change made with proration
 * leaves a credit for the item as it was and a debit for the item as it became, both from the
 * second of the change. So the item in force at t is the billed line covering t that started last
 * (a debit before a credit of the same second; a credit alone: the item was removed then).
 * Dated fields of the subscription (`created`, `trial_*`, `canceled_at`, `ended_at`, `cancel_at`)
 * and of its discounts complete the state; the status comes from the oldest state the events know,
 * with `unpaid` dated by the invoice Stripe marked uncollectible with it.
 *
 * What invoices cannot tell is named, never guessed silently: a change made without proration
 * shows at the next invoice (or at the events' reach), `unpaid` without an invoice marked
 * uncollectible is known only to lie between the first unpaid invoice and the events' reach, and
 * paused collection carries no date.
 */
import { toNodeError } from '../../shared/errors';
import {
	isStripeApiError,
	type Discount,
	type Price,
	type Subscription,
} from '../../shared/transport';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import type { Lookups } from './subscription-value';

/**
 * How far before the period the bulk read of invoices starts: a monthly item's line covering the
 * period's start was billed at most a month before it. Items billed less often are looked up per
 * subscription (one request each), which costs less than a year of every monthly invoice.
 */
/**
 * What a report says of the state it took from invoices before the events' reach: that the key
 * could not read them, or how many subscriptions they valued (nothing when none).
 */
export function billedHistoryNote(invoicesRead: boolean, fromInvoices: number): string | null {
	if (!invoicesRead)
		return (
			'The key cannot read invoices (Invoices: Read, rak_invoice_read): before the events ' +
			'reach, subscriptions were valued with the oldest state the events know.'
		);
	if (fromInvoices)
		return (
			`${fromInvoices} subscription(s) were valued before the events' reach from their ` +
			'invoices (each billed line: item, price, quantity, period, prorations, discounts).'
		);
	return null;
}

export const BILLED_LOOKBACK_SECONDS = 32 * 86_400;

/** One billed line, as little as valuing needs. */
export interface BilledLine {
	item: string;
	price: string;
	quantity: number;
	start: number;
	end: number;
	/** An "unused time" proration: the item as it was, credited from `start`. */
	credit: boolean;
	/** The invoice's own discounts (the subscription's) and the line's (the item's), by ID. */
	invoiceDiscounts: string[];
	discounts: string[];
}

/** What one subscription's invoices say. */
export interface Billed {
	lines: BilledLine[];
	/** When Stripe marked one of its invoices uncollectible (marked unpaid with it). */
	uncollectible: number[];
	/** The creation of its earliest invoice still open or uncollectible: the first failed payment. */
	firstUnpaidInvoice: number | null;
	/** Billed more than 0 for a period that started before the report's period. */
	paidBefore: boolean;
	/** Older invoices were looked up for it (its items bill less often than monthly). */
	lookedUp?: boolean;
	/** The look-up found every older invoice (fewer than a page). */
	olderComplete?: boolean;
	/**
	 * Every invoice of its life was read (created after the bulk read's start, or all the older
	 * ones looked up): `paidBefore` then says whether it ever paid before the period.
	 */
	complete?: boolean;
}

export interface BilledHistory {
	/** False when the key cannot read invoices (Invoices: Read): the later state stands in. */
	read: boolean;
	/** The first second the bulk read reaches. */
	from: number;
	/** Lines kept: those in force at some moment from `first` until `until`. */
	keep: { first: number; until: number };
	bySubscription: Map<string, Billed>;
	/** Discounts as billed (the invoices' own, expanded with their coupons), by ID. */
	discounts: Map<string, Discount>;
	/** Requests: list pages, line pages of invoices with more than Stripe embeds, lookups. */
	list: { pagesRead: number };
	linePages: number;
	lookups: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
	typeof v === 'string' ? v : isObj(v) && typeof v.id === 'string' ? v.id : null;
const ids = (list: unknown): string[] =>
	Array.isArray(list) ? list.map(idOf).filter((id): id is string => id !== null) : [];

/** What the read asks Stripe to expand: the invoices' discounts with their coupons (4 levels). */
const INVOICE_EXPANSION = ['data.discounts.source.coupon'];

export function emptyBilledHistory(
	from: number,
	keep: { first: number; until: number },
): BilledHistory {
	return {
		read: true,
		from,
		keep,
		bySubscription: new Map(),
		discounts: new Map(),
		list: { pagesRead: 0 },
		linePages: 0,
		lookups: 0,
	};
}

/**
 * Every invoice created from `from` to `to`, pages in any order, kept per subscription as the
 * lines in force at some moment of `keep` (a few per item). A key without Invoices: Read gets
 * `read: false`.
 */
export async function readBilledHistory(
	ctx: OperationContext,
	from: number,
	to: number,
	keep: { first: number; until: number },
): Promise<BilledHistory> {
	const history = emptyBilledHistory(from, keep);
	const list = ctx.stripe.invoices.list({
		limit: PAGE_SIZE,
		created: { gte: from, lt: to },
		expand: INVOICE_EXPANSION,
	});
	history.list = list;
	try {
		for await (const [invoice] of list.inAnyOrder())
			await addInvoice(ctx, history, invoice as unknown as Obj);
	} catch (error) {
		if (!(isStripeApiError(error) && error.statusCode === 403))
			throw toNodeError(ctx.fn.getNode(), error, ctx.itemIndex);
		history.read = false;
		history.bySubscription.clear();
	}
	return history;
}

/**
 * One page of a subscription's invoices, newest first, in `created`: its older invoices (items
 * billed less often than monthly, whose line covering the period's start is older than the bulk
 * read), or, when the bulk read was not needed, those that billed a discount since removed.
 * A key without Invoices: Read turns `read` off.
 */
export async function lookUpInvoices(
	ctx: OperationContext,
	history: BilledHistory,
	subscription: string,
	created: { gte?: number; lt: number },
): Promise<void> {
	const own = billedOf(history, subscription);
	if (own.lookedUp || !history.read) return;
	own.lookedUp = true;
	history.lookups++;
	try {
		const page = await ctx.stripe.invoices.list({
			limit: 10,
			subscription,
			created,
			expand: INVOICE_EXPANSION,
		});
		for (const invoice of page.data) await addInvoice(ctx, history, invoice as unknown as Obj);
		if (!created.gte && !page.has_more) own.olderComplete = true;
	} catch (error) {
		if (!(isStripeApiError(error) && error.statusCode === 403))
			throw toNodeError(ctx.fn.getNode(), error, ctx.itemIndex);
		history.read = false;
	}
}

function billedOf(history: BilledHistory, subscription: string): Billed {
	let own = history.bySubscription.get(subscription);
	if (!own) {
		own = { lines: [], uncollectible: [], firstUnpaidInvoice: null, paidBefore: false };
		history.bySubscription.set(subscription, own);
	}
	return own;
}

async function addInvoice(ctx: OperationContext, history: BilledHistory, invoice: Obj) {
	const parent = isObj(invoice.parent) ? invoice.parent : null;
	const details = parent && isObj(parent.subscription_details) ? parent.subscription_details : null;
	const subscription = details ? idOf(details.subscription) : null;
	if (!subscription) return;
	const own = billedOf(history, subscription);
	const created = typeof invoice.created === 'number' ? invoice.created : 0;
	const transitions = isObj(invoice.status_transitions) ? invoice.status_transitions : {};
	const marked = transitions.marked_uncollectible_at;
	if (typeof marked === 'number') own.uncollectible.push(marked);
	if (invoice.status === 'open' || invoice.status === 'uncollectible') {
		if (own.firstUnpaidInvoice === null || created < own.firstUnpaidInvoice)
			own.firstUnpaidInvoice = created;
	}
	for (const d of Array.isArray(invoice.discounts) ? invoice.discounts : []) {
		if (isObj(d) && typeof d.id === 'string') history.discounts.set(d.id, d as unknown as Discount);
	}
	const invoiceDiscounts = ids(invoice.discounts);
	const lines = isObj(invoice.lines) ? invoice.lines : {};
	const take = (line: unknown) => addLine(history, own, line, invoiceDiscounts);
	for (const line of Array.isArray(lines.data) ? lines.data : []) take(line);
	// Stripe embeds the first lines; an invoice with more is paged through its lines endpoint.
	if (lines.has_more === true && typeof invoice.id === 'string') {
		const rest = ctx.stripe.invoices.listLineItems(invoice.id, { limit: PAGE_SIZE });
		const seen = new Set(ids(lines.data));
		for await (const line of rest) if (!seen.has(idOf(line) ?? '')) take(line);
		history.linePages += rest.pagesRead;
	}
}

function addLine(history: BilledHistory, own: Billed, raw: unknown, invoiceDiscounts: string[]) {
	if (!isObj(raw) || !isObj(raw.parent) || !isObj(raw.period)) return;
	const details = raw.parent.subscription_item_details;
	if (!isObj(details) || typeof details.subscription_item !== 'string') return;
	const pricing = isObj(raw.pricing) ? raw.pricing : {};
	const price = isObj(pricing.price_details) ? idOf(pricing.price_details.price) : null;
	const { start, end } = raw.period as { start: number; end: number };
	if (!price || typeof start !== 'number' || typeof end !== 'number') return;
	const amount = typeof raw.amount === 'number' ? raw.amount : 0;
	const proration = details.proration === true;
	const credited = isObj(details.proration_details)
		? details.proration_details.credited_items
		: null;
	const credit = proration && (amount < 0 || isObj(credited));
	if (!credit && amount > 0 && start < history.keep.first) own.paidBefore = true;
	// Only what is in force at some moment valued from invoices: memory stays a few lines an item.
	if (end <= history.keep.first - 1 || start >= history.keep.until) return;
	own.lines.push({
		item: details.subscription_item,
		price,
		quantity: typeof raw.quantity === 'number' ? raw.quantity : 1,
		start,
		end,
		credit,
		invoiceDiscounts,
		discounts: ids(raw.discounts),
	});
}

/** The moments a subscription's billed lines can change its value. */
export function billedMoments(billed: Billed): number[] {
	const out: number[] = [];
	for (const line of billed.lines) out.push(line.start, line.end);
	return out;
}

/** Whether some billed line covers t. */
export const coversAt = (billed: Billed, t: number) =>
	billed.lines.some((l) => l.start <= t && t < l.end);

/**
 * The lines in force at t, one per item: the covering line that started last, a debit over a
 * credit of the same second; an item whose last covering line is a credit was removed then.
 */
function linesAt(billed: Billed, t: number): BilledLine[] {
	const best = new Map<string, BilledLine>();
	for (const line of billed.lines) {
		if (line.start > t || t >= line.end) continue;
		const held = best.get(line.item);
		const later =
			!held ||
			line.start > held.start ||
			(line.start === held.start && held.credit && !line.credit);
		if (later) best.set(line.item, line);
	}
	return [...best.values()].filter((l) => !l.credit);
}

/** When a subscription `unpaid` at the events' reach was marked so, and whether exactly. */
export function unpaidSince(billed: Billed | undefined, before: number) {
	const marks = (billed?.uncollectible ?? []).filter((t) => t <= before);
	if (marks.length > 0) return { at: Math.max(...marks), exact: true };
	return { at: billed?.firstUnpaidInvoice ?? null, exact: false };
}

/** Prices of billed lines, resolved once per subscription before its walk. */
export async function billedPrices(
	billed: Billed,
	known: readonly Subscription[],
	lookups: Lookups,
): Promise<Map<string, Price> | null> {
	const prices = new Map<string, Price>();
	for (const state of known) for (const i of state.items.data) prices.set(i.price.id, i.price);
	for (const line of billed.lines) {
		if (prices.has(line.price)) continue;
		// A price no subscription carries any more: Prices: Read finds it (once per run).
		if (!lookups.price) return null;
		// Without Prices: Read the subscription is valued as if it had no invoices.
		const price = await lookups
			.price(line.price)
			.catch((error: unknown) =>
				isStripeApiError(error) && error.statusCode === 403 ? null : Promise.reject(error),
			);
		if (!price) return null;
		prices.set(line.price, price);
	}
	return prices;
}

/**
 * The subscription at t as billed: `base` (the oldest state the events know) with the items of
 * the lines in force at t and their discounts; null when no line covers t.
 */
export function billedStateAt(
	base: Subscription,
	billed: Billed,
	t: number,
	prices: Map<string, Price>,
	discounts: ReadonlyMap<string, Discount>,
	unpaidFrom: number | null,
): Subscription | null {
	const lines = linesAt(billed, t);
	if (lines.length === 0) return null;
	const known = new Map<string, Discount>(discounts);
	const baseItems = new Map(base.items.data.map((i) => [i.id, i]));
	for (const list of [base.discounts, ...base.items.data.map((i) => i.discounts)])
		for (const d of list ?? []) if (d && typeof d !== 'string') known.set(d.id, d);
	const resolve = (list: string[]) => list.map((id) => known.get(id) ?? id);
	// The subscription's discounts as the invoice billing the newest line had them, and those the
	// events' oldest state has that had started by t (a discount is dated: `start`, `end`).
	const newest = lines.reduce((a, b) => (b.start > a.start ? b : a));
	const own = new Set(newest.invoiceDiscounts);
	for (const d of base.discounts ?? [])
		if (d && typeof d !== 'string' && d.start <= t) own.add(d.id);
	const state: Subscription = {
		...base,
		discounts: resolve([...own]),
		items: {
			...base.items,
			data: lines.map((line) => ({
				...(baseItems.get(line.item) ?? { id: line.item, object: 'subscription_item' }),
				id: line.item,
				object: 'subscription_item',
				price: prices.get(line.price) as Price,
				quantity: line.quantity,
				discounts: resolve(line.discounts),
			})),
		},
	};
	// Before Stripe marked it unpaid it was past due, and past due pays.
	if (base.status === 'unpaid' && unpaidFrom !== null && t < unpaidFrom) state.status = 'past_due';
	return state;
}
