/**
 * A subscription's past, from the Events API: Stripe keeps events for the last 30 days, and each
 * `customer.subscription.updated` event carries the changed fields' earlier values in
 * `data.previous_attributes`. Undoing those backwards from the subscription as it is now gives its
 * state at any moment inside the window. Before the window Stripe's API cannot tell what changed
 * (items, prices, quantities, discounts, status): the oldest state the events reach stands in.
 *
 * The movements of one subscription over a period come from walking its value (one definition,
 * ./subscription-value.ts) from the period's start to its end through every moment it can change:
 * each step between two values is new, expansion, contraction, churn or reactivation, so the
 * steps add up to the end value minus the start value by construction.
 */
import type { Discount, StripeEvent, Subscription } from '../../shared/transport';
import {
	STRIPE_DEFAULTS,
	subscriptionValueAt,
	type Lookups,
	type NotPaying,
	type ValueOptions,
} from './subscription-value';

/** How long Stripe keeps events (docs.stripe.com/api/events: "the last 30 days"). */
export const EVENT_RETENTION_SECONDS = 30 * 86_400;

/**
 * The subscription event types the history reads (Stripe's `types[]` takes at most 20). Pausing,
 * resuming and applying a pending update change the subscription too; any of them that carries
 * `previous_attributes` is undone like an update (the same values twice undo to the same state).
 */
export const SUBSCRIPTION_EVENT_TYPES = [
	'customer.subscription.created',
	'customer.subscription.updated',
	'customer.subscription.deleted',
	'customer.subscription.paused',
	'customer.subscription.resumed',
	'customer.subscription.pending_update_applied',
];

/** What the history keeps of one event: small, whatever the subscription's size. */
export interface SubscriptionChange {
	type: string;
	created: number;
	/** Earlier values of the fields the change set (updated events). */
	previous?: Record<string, unknown>;
	/** The status right after the change. */
	status?: string;
}

export function changeOf(event: StripeEvent): SubscriptionChange {
	const object = event.data.object as Partial<Subscription>;
	return {
		type: event.type,
		created: event.created,
		previous: event.data.previous_attributes,
		status: object.status,
	};
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
	v !== null && typeof v === 'object' && !Array.isArray(v);

/** Puts back earlier values: nested hashes key by key (as Stripe reports them), lists whole. */
function undo(target: Record<string, unknown>, previous: Record<string, unknown>): void {
	for (const [key, value] of Object.entries(previous)) {
		if (isPlain(value) && isPlain(target[key])) {
			const copy = { ...(target[key] as Record<string, unknown>) };
			undo(copy, value);
			target[key] = copy;
		} else target[key] = structuredClone(value);
	}
}

/**
 * The subscription at t: the current one with every change after t undone, newest first.
 * `changes` sorted newest first. A deletion undone brings back the status that the change before
 * it left (or `active` when no such change is in the window; trials still show by their dates).
 */
export function stateAt(
	current: Subscription,
	changes: readonly SubscriptionChange[],
	t: number,
): Subscription {
	let state = current;
	let copied = false;
	for (let i = 0; i < changes.length && changes[i].created > t; i++) {
		const change = changes[i];
		if (!copied) {
			state = { ...current };
			copied = true;
		}
		const s = state as unknown as Record<string, unknown>;
		if (change.type === 'customer.subscription.deleted') {
			const before = changes.slice(i + 1).find((c) => c.status && c.status !== 'canceled');
			const immediate = state.canceled_at === null || state.canceled_at === state.ended_at;
			state.status = before?.status ?? 'active';
			if (!immediate && (state.cancel_at ?? null) === null) state.cancel_at = state.ended_at;
			if (immediate) state.canceled_at = null;
			state.ended_at = null;
		} else if (change.previous) undo(s, change.previous);
	}
	if (copied) resolveDiscounts(state, current);
	return state;
}

/**
 * Events name discounts by ID (a list expands them; an event cannot): an ID the current
 * subscription still carries is given its object back. Others stay IDs, which count as no discount.
 */
function resolveDiscounts(state: Subscription, current: Subscription): void {
	const known = new Map<string, Discount>();
	for (const list of [current.discounts, ...current.items.data.map((i) => i.discounts)]) {
		for (const d of list ?? []) if (d && typeof d !== 'string') known.set(d.id, d);
	}
	const resolve = (list: Subscription['discounts'] | undefined) =>
		(list ?? []).map((d) => (typeof d === 'string' ? (known.get(d) ?? d) : d));
	state.discounts = resolve(state.discounts);
	state.items = {
		...state.items,
		data: state.items.data.map((i) => ({ ...i, discounts: resolve(i.discounts) })),
	};
}

/** Whether a state's discount is known only by its ID (one the subscription no longer carries). */
const unknownDiscount = (state: Subscription) =>
	[state.discounts, ...state.items.data.map((i) => i.discounts)].some((list) =>
		(list ?? []).some((d) => typeof d === 'string'),
	);

export type Movement = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';

export interface SubscriptionMovements {
	currency: string;
	/** Value just before the period (minor units a month, unrounded; 0 when not paying). */
	start: number;
	payingAtStart: boolean;
	/** Value at the period's last moment. */
	end: number;
	payingAtEnd: boolean;
	/** Sums of the steps, each positive. */
	amounts: Record<Movement, number>;
	/** Whether any step of the kind happened. */
	happened: Record<Movement, boolean>;
	/** Paying at any moment of the period (including its start). */
	payingInPeriod: boolean;
	/** A moment before Stripe's event window was valued with the oldest state the events reach. */
	valuedWithLaterState: boolean;
	/** An earlier state had a discount since removed, known only by its ID, and valued without it. */
	discountUnknown: boolean;
}

/** After these, paying again is a reactivation; after the others (not started, trial) it is new. */
const LAPSED: ReadonlySet<NotPaying> = new Set([
	'unpaid',
	'paused',
	'collection_paused',
	'cancellation_requested',
	'ended',
]);

function moments(sub: Subscription): number[] {
	const out = [
		sub.created,
		sub.trial_start,
		sub.trial_end,
		sub.canceled_at,
		sub.ended_at,
		sub.cancel_at,
		sub.pause_collection?.resumes_at,
	];
	for (const list of [sub.discounts, ...sub.items.data.map((i) => i.discounts ?? [])]) {
		for (const d of list ?? []) if (d && typeof d !== 'string') out.push(d.start, d.end);
	}
	return out.filter((t): t is number => typeof t === 'number');
}

/**
 * Movements of one subscription over [start, end): its value at start − 1 (just before the period)
 * and at end − 1, and the steps between, at every moment in the period where the subscription
 * or its value can change (events, trial end, cancellation, end, discount start and end).
 * `windowStart`: the oldest moment Stripe's events reach.
 */
export async function movementsOf(
	current: Subscription,
	changes: readonly SubscriptionChange[],
	period: { start: number; end: number },
	windowStart: number,
	lookups: Lookups,
	options: ValueOptions = STRIPE_DEFAULTS,
): Promise<SubscriptionMovements> {
	const first = period.start - 1;
	const last = period.end - 1;
	const times = new Set<number>();
	for (const t of moments(current)) times.add(t);
	for (const c of changes) {
		times.add(c.created);
		for (const t of moments(stateAt(current, changes, c.created - 1))) times.add(t);
	}
	const inside = [...times].filter((t) => t > first && t < last).sort((a, b) => a - b);
	const points = [first, ...inside, last];

	const amounts: Record<Movement, number> = {
		new: 0,
		expansion: 0,
		contraction: 0,
		churn: 0,
		reactivation: 0,
	};
	const happened: Record<Movement, boolean> = {
		new: false,
		expansion: false,
		contraction: false,
		churn: false,
		reactivation: false,
	};
	const step = (kind: Movement, amount: number) => {
		amounts[kind] += amount;
		happened[kind] = true;
	};
	let discountUnknown = false;
	const valueAt = (t: number) => {
		const state = stateAt(current, changes, t);
		if (state !== current && unknownDiscount(state)) discountUnknown = true;
		return subscriptionValueAt(state, t, lookups, options);
	};
	let previous = await valueAt(first);
	const atStart = previous;
	let paidBefore = previous.paying;
	let payingInPeriod = previous.paying;
	for (const t of points.slice(1)) {
		const value = await valueAt(t);
		if (!previous.paying && value.paying) {
			const back = paidBefore || (previous.reason !== null && LAPSED.has(previous.reason));
			step(back ? 'reactivation' : 'new', value.monthly);
		} else if (previous.paying && !value.paying) step('churn', previous.monthly);
		else if (previous.paying && value.paying) {
			if (value.monthly > previous.monthly) step('expansion', value.monthly - previous.monthly);
			else if (value.monthly < previous.monthly)
				step('contraction', previous.monthly - value.monthly);
		}
		if (value.paying) paidBefore = payingInPeriod = true;
		previous = value;
	}
	// Before the window the events cannot tell the state: a subscription that existed then and was
	// valued then was valued with a later state (the current one if no event reaches back).
	const endedAt =
		current.status === 'canceled'
			? (current.ended_at ?? current.canceled_at ?? Infinity)
			: Infinity;
	const valuedWithLaterState =
		first < windowStart && current.created <= Math.min(last, windowStart) && endedAt > first;
	return {
		currency: current.currency,
		start: atStart.monthly,
		payingAtStart: atStart.paying,
		end: previous.monthly,
		payingAtEnd: previous.paying,
		amounts,
		happened,
		payingInPeriod,
		valuedWithLaterState,
		discountUnknown,
	};
}
