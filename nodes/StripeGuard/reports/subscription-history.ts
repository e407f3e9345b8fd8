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
	billedMoments,
	billedPrices,
	billedStateAt,
	unpaidSince,
	type Billed,
} from './billed-history';
import {
	isPaying,
	monthlyValue,
	notPayingAt,
	STRIPE_DEFAULTS,
	subscriptionValueAt,
	ZERO,
	type Lookups,
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
	const previous = event.data.previous_attributes;
	return {
		type: event.type,
		created: event.created,
		previous: previous && readable(previous),
		status: object.status,
	};
}

/**
 * What the history keeps of a change's earlier values: the fields valuing a subscription reads
 * (./subscription-value.ts), items and prices likewise. The events of 30 days are held while the
 * subscriptions are read, and a price's product, metadata and names would be most of them.
 */
const SUBSCRIPTION_READ = [
	'status',
	'items',
	'discounts',
	'cancel_at',
	'cancel_at_period_end',
	'canceled_at',
	'ended_at',
	'trial_start',
	'trial_end',
	'pause_collection',
	'default_tax_rates',
	'automatic_tax',
	'currency',
	'test_clock',
];
const ITEM_READ = ['id', 'quantity', 'price', 'discounts', 'tax_rates'];
const PRICE_READ = [
	'id',
	'currency',
	'unit_amount',
	'unit_amount_decimal',
	'billing_scheme',
	'tiers_mode',
	'tiers',
	'transform_quantity',
	'custom_unit_amount',
	'recurring',
	'tax_behavior',
];

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of keys) if (key in from) out[key] = from[key];
	return out;
}

function readable(previous: Record<string, unknown>): Record<string, unknown> {
	const out = pick(previous, SUBSCRIPTION_READ);
	const items = out.items;
	if (isPlain(items) && Array.isArray(items.data)) {
		out.items = {
			data: items.data.map((item: unknown) => {
				if (!isPlain(item)) return item;
				const kept = pick(item, ITEM_READ);
				if (isPlain(kept.price)) kept.price = pick(kept.price, PRICE_READ);
				return kept;
			}),
		};
	}
	return out;
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
	billedDiscounts?: ReadonlyMap<string, Discount>,
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
	if (copied) resolveDiscounts(state, current, billedDiscounts);
	return state;
}

/**
 * Events name discounts by ID (a list expands them; an event cannot): an ID the current
 * subscription still carries is given its object back, and so is one an invoice billed (a removed
 * discount, with its coupon). Others stay IDs, which count as no discount.
 */
function resolveDiscounts(
	state: Subscription,
	current: Subscription,
	billed?: ReadonlyMap<string, Discount>,
): void {
	const known = new Map<string, Discount>(billed);
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

export const MOVEMENTS: readonly Movement[] = [
	'new',
	'expansion',
	'contraction',
	'churn',
	'reactivation',
];

export interface SubscriptionMovements {
	currency: string;
	/** The subscriber: the customer the subscription belongs to. */
	customer: string;
	/** Value just before the period (minor units a month, unrounded; 0 when not paying). */
	start: number;
	payingAtStart: boolean;
	/** Value at the period's last moment. */
	end: number;
	payingAtEnd: boolean;
	/** Sums of the steps, each positive. */
	amounts: Record<Movement, number>;
	/** Steps of each kind: one that churns, comes back and churns again churns twice. */
	counts: Record<Movement, number>;
	/** Paying at any moment of the period (including its start). */
	payingInPeriod: boolean;
	/** Worth something at some moment before the period: paying again is a reactivation. */
	paidBefore: boolean;
	/** The value (0 when not paying) from each moment in the period where it changed: [t, v, …]. */
	timeline: number[];
	/** A moment before Stripe's event window was valued with the oldest state the events reach. */
	valuedWithLaterState: boolean;
	/** An earlier state had a discount since removed, known only by its ID, and valued without it. */
	discountUnknown: boolean;
	/** Moments before the events' reach were valued from its invoices. */
	valuedFromInvoices: boolean;
	/**
	 * What the invoices could not date, where it can move this period's figures: when `unpaid` was
	 * marked (between `from` and `to`), and a change the invoices do not show (made without
	 * proration), which appears at the events' reach.
	 */
	unknown: {
		unpaidMarked?: { from: number | null; to: number };
		untracedChange?: { from: number | null; to: number };
	};
}

/** A subscription's invoices, for the moments before `until` (the events' reach, or now). */
export interface BilledContext {
	/** None: only the discounts serve (an event's discount known by ID). */
	billed?: Billed;
	/** Discounts as billed, by ID (removed ones too). */
	discounts: ReadonlyMap<string, Discount>;
	until: number;
}

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

export const customerOf = (sub: Subscription) =>
	typeof sub.customer === 'string' ? sub.customer : (sub.customer?.id ?? sub.id);

const none = (): Record<Movement, number> => ({
	new: 0,
	expansion: 0,
	contraction: 0,
	churn: 0,
	reactivation: 0,
});

/**
 * Movements of one subscription over [start, end): its value at start − 1 (just before the period)
 * and at end − 1, and the steps between, at every moment in the period where the subscription
 * or its value can change (events, trial end, cancellation, end, discount start and end).
 * Paying means worth more than 0 (`isPaying`): moving to or from 0 is new, churn or reactivation.
 * `windowStart`: the oldest moment Stripe's events reach.
 */
export async function movementsOf(
	current: Subscription,
	changes: readonly SubscriptionChange[],
	period: { start: number; end: number },
	windowStart: number,
	lookups: Lookups,
	options: ValueOptions = STRIPE_DEFAULTS,
	invoices?: BilledContext,
): Promise<SubscriptionMovements> {
	const first = period.start - 1;
	const last = period.end - 1;
	const unknown: SubscriptionMovements['unknown'] = {};
	const billed = await billedView(current, changes, first, lookups, options, invoices, unknown);
	const discounts = invoices?.discounts;
	const stateOf = (t: number) => billed?.at(t) ?? stateAt(current, changes, t, discounts);
	const times = new Set<number>();
	for (const t of moments(current)) times.add(t);
	for (const c of changes) {
		times.add(c.created);
		for (const t of moments(stateAt(current, changes, c.created - 1, discounts))) times.add(t);
	}
	for (const t of billed?.moments ?? []) times.add(t);
	const sorted = [...times].sort((a, b) => a - b);
	const inside = sorted.filter((t) => t > first && t < last);

	const amounts = none();
	const counts = none();
	const step = (kind: Movement, amount: number) => {
		amounts[kind] += amount;
		counts[kind]++;
	};
	let discountUnknown = false;
	/** The value at t: what it is worth a month when paying, else 0. */
	const worth = async (t: number) => {
		const state = stateOf(t);
		if (state !== current && unknownDiscount(state)) discountUnknown = true;
		const value = await subscriptionValueAt(state, t, lookups, options);
		return isPaying(value) ? value.monthly : 0;
	};
	const atStart = await worth(first);
	// Invoices read for the whole of its life tell whether it paid before; otherwise its states
	// do (walked all the same: a moment no invoice covers is counted as valued with a later state).
	const statesPaid =
		atStart > 0 ||
		billed?.paidBefore === true ||
		(await paidBefore(current, stateOf, sorted, first, lookups, options));
	const before = atStart > 0 || billed?.paidBefore === true || (statesPaid && !billed?.complete);
	let everPaid = before;
	let payingInPeriod = atStart > 0;
	let previous = atStart;
	const timeline: number[] = [];
	for (const t of [...inside, last]) {
		const value = await worth(t);
		// Equal states give equal values; a difference this small is arithmetic, not a movement.
		if (Math.abs(value - previous) <= ZERO && value > 0 === previous > 0) continue;
		timeline.push(t, value);
		if (previous === 0) step(everPaid ? 'reactivation' : 'new', value);
		else if (value === 0) step('churn', previous);
		else if (value > previous) step('expansion', value - previous);
		else step('contraction', previous - value);
		if (value > 0) everPaid = payingInPeriod = true;
		previous = value;
	}
	// Before the window the events cannot tell the state: a subscription that existed then and was
	// valued then was valued with a later state (the current one if no event reaches back).
	const endedAt =
		current.status === 'canceled'
			? (current.ended_at ?? current.canceled_at ?? Infinity)
			: Infinity;
	const laterState =
		first < windowStart && current.created <= Math.min(last, windowStart) && endedAt > first;
	// From invoices, only the moments no billed line covered were valued with a later state.
	const valuedWithLaterState = billed ? billed.uncovered() : laterState;
	// Where the invoices hand over to the events, a difference no event explains is a change the
	// invoices do not show (made without proration): its moment is not known.
	if (billed && first < billed.until && billed.until <= last) {
		const [a, b] = [await worth(billed.until - 1), await worth(billed.until)];
		const explained = changes.some((c) => c.created === billed.until);
		if (Math.abs(a - b) > ZERO && !explained)
			unknown.untracedChange = { from: billed.startOfLineAt(billed.until - 1), to: billed.until };
	}
	return {
		currency: current.currency,
		customer: customerOf(current),
		start: atStart,
		payingAtStart: atStart > 0,
		end: previous,
		payingAtEnd: previous > 0,
		amounts,
		counts,
		payingInPeriod,
		paidBefore: before,
		timeline,
		valuedWithLaterState,
		discountUnknown,
		valuedFromInvoices: billed?.used() ?? false,
		unknown,
	};
}

/**
 * The subscription as its invoices bill it, for moments before the events' reach: `at(t)` is null
 * where no invoice says (then the events' oldest state stands in, and `uncovered()` says so).
 */
async function billedView(
	current: Subscription,
	changes: readonly SubscriptionChange[],
	first: number,
	lookups: Lookups,
	options: ValueOptions,
	invoices: BilledContext | undefined,
	unknown: SubscriptionMovements['unknown'],
) {
	if (!invoices?.billed || first >= invoices.until) return undefined;
	const { billed, until } = invoices;
	const oldest = stateAt(current, changes, until, invoices.discounts);
	const prices = await billedPrices(billed, [current, oldest], lookups);
	if (!prices) return undefined;
	let unpaidFrom: number | null = null;
	if (oldest.status === 'unpaid') {
		const since = unpaidSince(billed, until);
		unpaidFrom = since.at;
		// Without an invoice marked uncollectible with it, `unpaid` is known only to lie between
		// the first unpaid invoice and the events' reach: valued from the first, and named.
		if (!since.exact && until > first) unknown.unpaidMarked = { from: since.at, to: until };
	}
	let used = false;
	let uncovered = false;
	return {
		until,
		paidBefore: billed.paidBefore,
		complete: billed.complete === true,
		moments: [...billedMoments(billed), ...(unpaidFrom === null ? [] : [unpaidFrom]), until],
		at(t: number): Subscription | null {
			if (t >= until) return null;
			const state = billedStateAt(oldest, billed, t, prices, invoices.discounts, unpaidFrom);
			if (state) used = true;
			else {
				const why = notPayingAt(oldest, t, options);
				if (why !== 'not_started' && why !== 'ended') uncovered = true;
			}
			return state;
		},
		used: () => used,
		uncovered: () => uncovered,
		/** When the newest line in force at t started: a change it does not show came after. */
		startOfLineAt: (t: number) =>
			billed.lines.reduce<number | null>(
				(latest, l) =>
					l.start <= t && t < l.end && (latest === null || l.start > latest) ? l.start : latest,
				null,
			),
	};
}

/**
 * Whether the subscription was worth something at any moment up to `first`, tried at every moment
 * its value can change (`times`, sorted). `unpaid` follows a failed payment of a paying
 * (past_due) subscription, so one known only as unpaid paid before, if its items are worth
 * anything.
 */
async function paidBefore(
	current: Subscription,
	stateOf: (t: number) => Subscription,
	times: readonly number[],
	first: number,
	lookups: Lookups,
	options: ValueOptions,
): Promise<boolean> {
	if (current.created > first) return false;
	for (const t of times) {
		if (t < current.created) continue;
		if (t > first) break;
		const state = stateOf(t);
		const value = await subscriptionValueAt(state, t, lookups, options);
		if (isPaying(value)) return true;
		if (
			value.reason === 'unpaid' &&
			(await monthlyValue(state, t, lookups, options)).monthly > ZERO
		)
			return true;
	}
	return false;
}
