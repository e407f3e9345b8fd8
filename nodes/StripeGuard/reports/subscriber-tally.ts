/**
 * Every subscriber's MRR through a range, for the reports that follow subscribers (Subscription
 * Metrics, Retention by Cohort): the same reading Subscription Movements does, with the same
 * definition. The subscription events since the range's start (Stripe keeps 30 days) rebuild each
 * subscription's past (./subscription-history.ts), every subscription created before the range's
 * end is valued through it with `movementsOf` and added to its customer's MRR
 * (./subscriber-movements.ts). Before Stripe's event window the oldest state the events reach
 * stands in, and the tally says for how many subscriptions.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Subscription } from '../../shared/transport';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import { SubscriberLedger } from './subscriber-movements';
import { changesOf, readSubscriptionEvents } from './subscription-events';
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
 * Subscription pages asked for at once. Twenty (the lists' default) let the heap's peak follow how
 * many full pages happen to be arriving together: measured over 50,000 subscriptions, 3.4 to
 * 5.0 MB; ten, 3.4 to 3.6 MB, for 8 to 18 % more time at Stripe-like latency (two runs each).
 */
const SUBSCRIPTION_PAGES_AT_ONCE = 10;

export interface SubscriberTally {
	ledger: SubscriberLedger;
	/** The oldest moment the events reach (Unix seconds); -Infinity would mean all of it. */
	windowStart: number;
	eventsRead: boolean;
	/** Subscriptions valued before the window with a later state; of them, with today's. */
	laterState: number;
	currentState: number;
	discountUnknown: number;
	subscriptionPages: number;
	eventPages: number;
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
): Promise<SubscriberTally> {
	const now = Math.floor(nowMs / 1000);
	const windowStart = now - EVENT_RETENTION_SECONDS - WINDOW_MARGIN;
	const lookups = lookupsFor(ctx.stripe);
	const history = await readSubscriptionEvents(ctx, Math.max(range.start, windowStart));
	const upToNow = { start: range.start, end: Math.min(range.end, now + 1) };
	const tally: SubscriberTally = {
		ledger: new SubscriberLedger(),
		windowStart,
		eventsRead: history.read,
		laterState: 0,
		currentState: 0,
		discountUnknown: 0,
		subscriptionPages: 0,
		eventPages: history.pagesRead,
		lookups,
	};
	const list = ctx.stripe.subscriptions
		.list({
			limit: PAGE_SIZE,
			status: 'all',
			created: { lt: range.end },
			expand: SUBSCRIPTION_EXPANSION,
		})
		.inFlightAtMost(SUBSCRIPTION_PAGES_AT_ONCE);
	// Each customer's MRR needs no order: pages are taken as they arrive.
	for await (const [sub] of list.inAnyOrder()) {
		const changes = changesOf(history, sub.id);
		const m = await movementsOf(
			sub,
			changes,
			upToNow,
			history.read ? windowStart : Infinity,
			lookups,
			definition,
		);
		if (m.valuedWithLaterState) {
			tally.laterState++;
			if (!history.read || changes.length === 0) tally.currentState++;
		}
		if (m.discountUnknown) tally.discountUnknown++;
		tally.ledger.add(m);
		each?.(sub, m);
	}
	tally.subscriptionPages = list.pagesRead;
	return tally;
}

/** How many subscriptions were valued with less than their history (the reports' `limits`). */
export function tallyLimits(tally: SubscriberTally): IDataObject {
	return {
		event_window_start: new Date(Math.max(tally.windowStart, 0) * 1000).toISOString(),
		events_read: tally.eventsRead,
		valued_with_later_state: tally.laterState,
		valued_with_current_state: tally.currentState,
		removed_discounts_unknown: tally.discountUnknown,
	};
}

/** The note under a table that says how many subscriptions were valued with a later state. */
export function laterStateNote(tally: SubscriberTally): string[] {
	if (!tally.eventsRead)
		return [
			`The key cannot read events (Events: Read, rak_event_read): ${tally.laterState} ` +
				'subscription(s) were valued at every moment with their current items, prices, ' +
				'quantities, discounts and status.',
		];
	if (!tally.laterState) return [];
	return [
		`Stripe keeps events for 30 days: ${tally.laterState} subscription(s) were valued before ` +
			`${new Date(tally.windowStart * 1000).toISOString()} with the oldest state the events ` +
			`reach (${tally.currentState} of them with their current state).`,
	];
}
