/**
 * Every subscriber's MRR through a range, for the reports that follow subscribers (Subscription
 * Metrics, Retention by Cohort): the same reading Subscription Movements does, with the same
 * definition (./subscription-past.ts). The subscription events since the range's start (Stripe
 * keeps 30 days) and, before them, the invoices (kept forever) rebuild each subscription's past,
 * every subscription created before the range's end is valued through it with `movementsOf` and
 * added to its customer's MRR (./subscriber-movements.ts). What neither dates is valued with the
 * oldest state the events reach, and the tally says for how many subscriptions.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Subscription } from '../../shared/transport';
import type { OperationContext } from '../framework/operation';
import { billedHistoryNote } from './billed-history';
import { SubscriberLedger } from './subscriber-movements';
import type { SubscriptionMovements } from './subscription-history';
import {
	invoiceRequests,
	readSubscriptionPast,
	subscriptionsCreatedBefore,
	type PastOptions,
} from './subscription-past';
import type { Lookups, ValueOptions } from './subscription-value';

export interface SubscriberTally {
	ledger: SubscriberLedger;
	/** The oldest moment the events reach (Unix seconds); -Infinity would mean all of it. */
	windowStart: number;
	eventsRead: boolean;
	/** Subscriptions valued before the window with a later state; of them, with today's. */
	laterState: number;
	currentState: number;
	discountUnknown: number;
	/** Whether the key could read invoices (Invoices: Read), where the range needed them. */
	invoicesRead: boolean;
	/** The first second the invoices were read from; null when the events reached the range. */
	invoicesFrom: number | null;
	/** Subscriptions valued from their invoices before the events' reach. */
	fromInvoices: number;
	/** Subscriptions with a moment the invoices cannot date that can move the range's figures. */
	notKnown: { unpaidMarkedAt: number; changeWithoutProration: number };
	subscriptionPages: number;
	eventPages: number;
	invoicePages: number;
	invoiceLinePages: number;
	invoiceLookups: number;
	lookups: Required<Lookups>;
}

/**
 * Reads and values every subscription created before `range.end` over [range.start, range.end)
 * (a range ending in the future is valued up to now); `each` sees every subscription with its
 * movements, as pages arrive.
 */
export async function tallySubscribers(
	ctx: OperationContext,
	range: { start: number; end: number },
	definition: ValueOptions,
	nowMs: number,
	each?: (sub: Subscription, m: SubscriptionMovements) => void,
	options?: PastOptions,
): Promise<SubscriberTally> {
	const past = await readSubscriptionPast(ctx, range, definition, nowMs, options);
	const { events: history, invoices } = past;
	const tally: SubscriberTally = {
		ledger: new SubscriberLedger(),
		windowStart: past.windowStart,
		eventsRead: history.read,
		laterState: 0,
		currentState: 0,
		discountUnknown: 0,
		invoicesRead: true,
		invoicesFrom: invoices.bulk ? invoices.history.from : null,
		fromInvoices: 0,
		notKnown: { unpaidMarkedAt: 0, changeWithoutProration: 0 },
		subscriptionPages: 0,
		eventPages: history.pagesRead,
		invoicePages: 0,
		invoiceLinePages: 0,
		invoiceLookups: 0,
		lookups: past.lookups,
	};
	const list = subscriptionsCreatedBefore(ctx, range.end);
	// Each customer's MRR needs no order: pages are taken as they arrive.
	for await (const [sub] of list.inAnyOrder()) {
		const m = await past.value(sub);
		if (m.valuedWithLaterState) {
			tally.laterState++;
			if (!history.read || !history.changes.has(sub.id)) tally.currentState++;
		}
		if (m.discountUnknown) tally.discountUnknown++;
		if (m.valuedFromInvoices) tally.fromInvoices++;
		if (m.unknown.unpaidMarked) tally.notKnown.unpaidMarkedAt++;
		if (m.unknown.untracedChange) tally.notKnown.changeWithoutProration++;
		tally.ledger.add(m);
		each?.(sub, m);
	}
	tally.subscriptionPages = list.pagesRead;
	const requests = invoiceRequests(invoices);
	tally.invoicesRead = invoices.read;
	tally.invoicePages = requests.invoice_pages;
	tally.invoiceLinePages = requests.invoice_line_pages;
	tally.invoiceLookups = requests.invoice_lookups;
	return tally;
}

/** How many subscriptions were valued with less than their history (the reports' `limits`). */
export function tallyLimits(tally: SubscriberTally): IDataObject {
	return {
		event_window_start: new Date(Math.max(tally.windowStart, 0) * 1000).toISOString(),
		events_read: tally.eventsRead,
		invoices_read: tally.invoicesRead,
		invoices_from:
			tally.invoicesFrom === null
				? null
				: new Date(Math.max(tally.invoicesFrom, 0) * 1000).toISOString(),
		valued_from_invoices: tally.fromInvoices,
		valued_with_later_state: tally.laterState,
		valued_with_current_state: tally.currentState,
		removed_discounts_unknown: tally.discountUnknown,
		not_known: {
			unpaid_marked_at: tally.notKnown.unpaidMarkedAt,
			change_without_proration: tally.notKnown.changeWithoutProration,
		},
	};
}

/**
 * The notes under a table that say how many subscriptions were valued with less than their
 * history, and from what.
 */
export function laterStateNote(tally: SubscriberTally): string[] {
	const notes: string[] = [];
	const fromInvoices = tally.invoicesFrom !== null && tally.invoicesRead;
	if (!tally.eventsRead)
		notes.push(
			`The key cannot read events (Events: Read, rak_event_read): ${tally.laterState} ` +
				'subscription(s) were valued with their current items, prices, quantities, discounts ' +
				`and status${fromInvoices ? ' where no invoice billed them' : ' at every moment'}.`,
		);
	else if (tally.laterState)
		notes.push(
			`Stripe keeps events for 30 days: ${tally.laterState} subscription(s) were valued before ` +
				`${new Date(tally.windowStart * 1000).toISOString()} with the oldest state the events ` +
				`reach (${tally.currentState} of them with their current state)` +
				(fromInvoices ? ', where no invoice billed them.' : '.'),
		);
	// Invoices are looked up only when the events do not reach back far enough (invoicesFrom).
	const billed = billedHistoryNote(
		tally.invoicesFrom === null || tally.invoicesRead,
		tally.fromInvoices,
	);
	if (billed) notes.push(billed);
	const { unpaidMarkedAt, changeWithoutProration } = tally.notKnown;
	if (unpaidMarkedAt)
		notes.push(
			`Not known for ${unpaidMarkedAt} subscription(s): when Stripe marked it unpaid (no ` +
				'invoice was marked uncollectible with it), valued unpaid from its first unpaid invoice.',
		);
	if (changeWithoutProration)
		notes.push(
			`Not known for ${changeWithoutProration} subscription(s): when a change the invoices do ` +
				"not show (made without proration) was made, valued at the events' reach.",
		);
	return notes;
}
