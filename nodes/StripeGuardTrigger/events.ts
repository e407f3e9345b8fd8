/**
 * Reading Stripe's Events API for the trigger: the events after a cursor, oldest first, and the
 * latest event of some types (for "Fetch Test Event").
 */
import type { IDataObject } from 'n8n-workflow';

import { isStripeApiError, type StripeClient, type StripeEvent } from '../shared/transport';
import { ALL_EVENTS } from './eventTypes';

/**
 * The trigger's state in the workflow's node static
 * data (saved by n8n, shared by queue-mode workers).
 */
export interface EventCursor extends IDataObject {
	/** The newest event already handled; the next poll asks for what is newer. */
	lastEventId?: string;
	/** Its `created` (unix seconds): the fallback when there is no usable event ID. */
	lastCreated?: number;
}

const PAGE = 100;
/** Stripe's `types` filter takes at most 20 names. */
const MAX_TYPES_PER_LIST = 20;

export const matchesTypes = (types: string[]) => (event: StripeEvent) =>
	types.includes(ALL_EVENTS) || types.includes(event.type);

/**
 * The newest event of one of `types` (or of any type),
 * or undefined when Stripe has none (it keeps 30 days).
 */
export async function latestEvent(
	stripe: StripeClient,
	types: string[],
): Promise<StripeEvent | undefined> {
	if (types.includes(ALL_EVENTS)) return (await stripe.events.list({ limit: 1 })).data[0];
	const chunks: string[][] = [];
	for (let i = 0; i < types.length; i += MAX_TYPES_PER_LIST)
		chunks.push(types.slice(i, i + MAX_TYPES_PER_LIST));
	const newest = await Promise.all(
		chunks.map(async (chunk) => (await stripe.events.list({ limit: 1, types: chunk })).data[0]),
	);
	return newest
		.filter((e): e is StripeEvent => e !== undefined)
		.sort((a, b) => b.created - a.created)[0];
}

/** Any other error goes on to the node, which maps it with toNodeError. */
function undefinedIfMissingCursor(error: unknown): undefined {
	if (
		isStripeApiError(error) &&
		error.type === 'StripeInvalidRequestError' &&
		error.code === 'resource_missing' &&
		error.param === 'ending_before'
	)
		return undefined;
	throw error;
}

/**
 * Every event newer than the cursor, oldest first, of all types (the cursor has to move over
 * events nobody asked for too). Stops paging once `deadline` (ms) has passed and leaves the rest
 * for the next poll; that is safe because each page is the next slice in time.
 * Returns the events and the cursor to store next.
 */
export async function eventsSince(
	stripe: StripeClient,
	cursor: EventCursor,
	deadline: number,
): Promise<{ events: StripeEvent[]; next: EventCursor }> {
	if (cursor.lastEventId) {
		// The cursor event may be gone (Stripe keeps events
		// for 30 days): then fall back to its time below.
		const events = await pageForward(stripe, cursor.lastEventId, deadline).catch(
			undefinedIfMissingCursor,
		);
		if (events) return { events, next: advance(events, cursor) };
	}
	// Skipping the old cursor's ID keeps it from being emitted
	// twice when it shares its second with newer events.
	const events = (await createdSince(stripe, cursor.lastCreated ?? 0)).filter(
		(e) => e.id !== cursor.lastEventId,
	);
	// With nothing new, keep only the time, so later polls do not ask for a missing event again.
	return { events, next: advance(events, { lastCreated: cursor.lastCreated }) };
}

/** The cursor after `events` (oldest first): their newest, or `unchanged` when there are none. */
const advance = (events: StripeEvent[], unchanged: EventCursor): EventCursor => {
	const newest = events.at(-1);
	return newest ? { lastEventId: newest.id, lastCreated: newest.created } : unchanged;
};

/** `ending_before` returns the (up to) 100 events right after the cursor, newest first. */
async function pageForward(
	stripe: StripeClient,
	after: string,
	deadline: number,
): Promise<StripeEvent[]> {
	const events: StripeEvent[] = [];
	let endingBefore = after;
	for (;;) {
		const page = await stripe.events.list({ ending_before: endingBefore, limit: PAGE });
		const chronological = [...page.data].reverse();
		events.push(...chronological);
		if (!page.has_more || chronological.length === 0 || Date.now() >= deadline) return events;
		endingBefore = chronological[chronological.length - 1].id;
	}
}

/**
 * Events created at or after `since`, oldest first. Stripe
 * lists newest first only, so read all and reverse.
 */
async function createdSince(stripe: StripeClient, since: number): Promise<StripeEvent[]> {
	const events: StripeEvent[] = [];
	for await (const event of stripe.events.list({ created: { gte: since }, limit: PAGE }))
		events.push(event);
	return events.reverse();
}
