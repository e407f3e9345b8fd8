/**
 * Each subscription's past through a range, for every report that follows subscribers
 * (Subscription Movements, Subscription Metrics, Retention by Cohort): one reading, so they agree.
 *
 * - The subscription events since the range's start, or all Stripe keeps (30 days), read compactly
 *   (./subscription-events.ts).
 * - Before the events' reach (all of the past without Events: Read), the invoices, which Stripe
 *   keeps forever (./billed-history.ts): one pass over those created from 32 days before the range
 *   to 32 days after it (a change late in the range is prorated on the next renewal's invoice),
 *   and, where asked for, one page of older invoices per subscription alive at the
 *   range's start whose line covering it was billed before that pass (items billed less often
 *   than monthly).
 * - Each subscription valued through the range with `movementsOf` (./subscription-history.ts).
 */
import type { Subscription } from '../../shared/transport';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import {
	BILLED_LOOKBACK_SECONDS,
	coversAt,
	emptyBilledHistory,
	lookUpInvoices,
	readBilledHistory,
	type Billed,
	type BilledHistory,
} from './billed-history';
import { changesOf, readSubscriptionEvents, type SubscriptionEvents } from './subscription-events';
import {
	EVENT_RETENTION_SECONDS,
	movementsOf,
	type SubscriptionMovements,
} from './subscription-history';
import {
	lookupsFor,
	SUBSCRIPTION_EXPANSION,
	type Lookups,
	type ValueOptions,
} from './subscription-value';

/** Margin on the 30 days: a "last 30 days" period starts exactly at the window's edge. */
const WINDOW_MARGIN = 3600;

/**
 * Subscription pages the reports ask for at once. Twenty (the lists' default) let the heap's peak
 * follow how many full pages happen to be arriving together: measured over 50,000 subscriptions,
 * 3.4 to 5.0 MB; ten, 3.4 to 3.6 MB, for 8 to 18 % more time at Stripe-like latency (two runs
 * each).
 */
const SUBSCRIPTION_PAGES_AT_ONCE = 10;

/**
 * Every subscription created before `end`, in any status (Stripe has no list of those alive at a
 * moment), with what valuing it needs expanded; read `inAnyOrder()`, its `pagesRead` counted.
 */
export const subscriptionsCreatedBefore = (ctx: OperationContext, end: number) =>
	ctx.stripe.subscriptions
		.list({
			limit: PAGE_SIZE,
			status: 'all',
			created: { lt: end },
			expand: SUBSCRIPTION_EXPANSION,
		})
		.inFlightAtMost(SUBSCRIPTION_PAGES_AT_ONCE);

/** The invoices of the run: read in bulk when the range starts before the events' reach. */
export interface InvoiceRead {
	history: BilledHistory;
	/** Read in bulk for the range (it starts before the events' reach). */
	bulk: boolean;
	/** Whether the key could read them (Invoices: Read). */
	read: boolean;
}

export interface SubscriptionPast {
	events: SubscriptionEvents;
	invoices: InvoiceRead;
	/** The oldest moment Stripe's events reach (Unix seconds). */
	windowStart: number;
	/** The range valued: one ending in the future is valued up to now. */
	upToNow: { start: number; end: number };
	lookups: Required<Lookups>;
	/** The subscription's movements through the range, from its events and its invoices. */
	value(sub: Subscription): Promise<SubscriptionMovements>;
}

export interface PastOptions {
	/**
	 * Which subscriptions alive at the range's start and created before the bulk read get one page
	 * of their older invoices:
	 * - `all`: those the bulk read does not cover at the start (a yearly item's line is older), and
	 *   those it shows not paying before the start (whether they paid before decides new or
	 *   reactivation);
	 * - `notPaying`: only the latter (a cohort is decided by the first payment; the start's value
	 *   of a yearly item is then valued with the events' oldest state, and counted so).
	 */
	olderInvoices: 'all' | 'notPaying';
}

export async function readSubscriptionPast(
	ctx: OperationContext,
	range: { start: number; end: number },
	definition: ValueOptions,
	nowMs: number,
	options: PastOptions = { olderInvoices: 'all' },
): Promise<SubscriptionPast> {
	const now = Math.floor(nowMs / 1000);
	const windowStart = now - EVENT_RETENTION_SECONDS - WINDOW_MARGIN;
	const lookups = lookupsFor(ctx.stripe);
	// The subscription events since the range's start (all Stripe still has when it starts earlier).
	const events = await readSubscriptionEvents(ctx, Math.max(range.start, windowStart));
	// A range that ends in the future is valued up to now: what is scheduled may still change.
	const upToNow = { start: range.start, end: Math.min(range.end, now + 1) };
	// Before the events' reach (all of the past without Events: Read) the invoices tell.
	const reach = events.read ? windowStart : now;
	const invoices = await readInvoices(ctx, upToNow, reach);
	const billed = invoices.history;
	const value = async (sub: Subscription) => {
		const valued = (own: Billed | undefined) =>
			movementsOf(
				sub,
				changesOf(events, sub.id),
				upToNow,
				events.read ? windowStart : Infinity,
				lookups,
				definition,
				invoices.read ? { billed: own, discounts: billed.discounts, until: reach } : undefined,
			);
		if (invoices.bulk && needsOlderInvoices(sub, billed, upToNow.start - 1, options))
			await lookUpInvoices(ctx, billed, sub.id, { lt: billed.from });
		let m = await valued(ownInvoices(sub, invoices));
		// A discount removed since, known from events by ID only: its invoices bill it.
		if (m.discountUnknown && !invoices.bulk && billed.read) {
			await lookUpInvoices(ctx, billed, sub.id, {
				gte: upToNow.start - BILLED_LOOKBACK_SECONDS,
				lt: upToNow.end,
			});
			m = await valued(undefined);
		}
		return m;
	};
	return { events, invoices, windowStart, upToNow, lookups, value };
}

/** Requests the invoices took: list pages, line pages and per-subscription look-ups. */
export function invoiceRequests(invoices: InvoiceRead) {
	const h = invoices.history;
	return {
		invoice_pages: h.list.pagesRead,
		invoice_line_pages: h.linePages,
		invoice_lookups: h.lookups,
		// A bulk read refused at once answered with an error, not a page.
		refused: invoices.bulk && !invoices.read && h.list.pagesRead === 0 ? 1 : 0,
	};
}

async function readInvoices(
	ctx: OperationContext,
	period: { start: number; end: number },
	reach: number,
): Promise<InvoiceRead> {
	const from = period.start - BILLED_LOOKBACK_SECONDS;
	const keep = { first: period.start - 1, until: reach };
	const bulk = period.start - 1 < reach;
	// To a month after the range: a change late in it is prorated on the next renewal's invoice.
	const history = bulk
		? await readBilledHistory(ctx, from, period.end + BILLED_LOOKBACK_SECONDS, keep)
		: emptyBilledHistory(from, keep);
	return {
		history,
		bulk,
		get read() {
			return history.read;
		},
	};
}

/**
 * The subscription's invoices as read, and whether they are the whole of its life; none in the
 * bulk read still gives the walk every moment it cannot value from them.
 */
function ownInvoices(sub: Subscription, read: InvoiceRead): Billed | undefined {
	if (!read.bulk) return undefined;
	const own = read.history.bySubscription.get(sub.id) ?? {
		lines: [],
		uncollectible: [],
		firstUnpaidInvoice: null,
		paidBefore: false,
	};
	own.complete = sub.created >= read.history.from || own.olderComplete === true;
	return own;
}

/**
 * A subscription alive at the range's start, created before the bulk read, whose line covering
 * the start was billed before it (a yearly item), or which the bulk read shows not paying before
 * the start: one page of its older invoices.
 */
function needsOlderInvoices(
	sub: Subscription,
	history: BilledHistory,
	first: number,
	options: PastOptions,
): boolean {
	if (!history.read || sub.created > first || sub.created >= history.from) return false;
	const ended = sub.status === 'canceled' ? (sub.ended_at ?? sub.canceled_at ?? 0) : Infinity;
	if (ended <= first) return false;
	const own = history.bySubscription.get(sub.id);
	if (options.olderInvoices === 'notPaying') return !!own && !own.lookedUp && !own.paidBefore;
	return !own || (!own.lookedUp && (!coversAt(own, first) || !own.paidBefore));
}
