/**
 * Random subscription histories for the movements' property tests: each a subscription's life
 * inside Stripe's 30-day event window (creation, trial and conversion, quantity changes, unpaid
 * and paid again, pause and resume, paused collection, cancellation now or at period end and its
 * withdrawal, coupons of every duration up to 100 %, free plans), recorded as Stripe would: its
 * events with `previous_attributes`, and its true state from each moment on.
 */
import fc from 'fast-check';

import type { Subscription } from '../../nodes/shared/transport/types';
import {
	changeOf,
	type SubscriptionChange,
} from '../../nodes/StripeGuard/reports/subscription-history';
import {
	CANCELLATION_RULES,
	DISCOUNT_RULES,
	PAUSED_COLLECTION_RULES,
} from '../../nodes/StripeGuard/reports/subscription-value';

export const DAY = 86_400;
export const NOW = Math.floor(Date.now() / 1000);
/** Every history starts inside Stripe's 30-day event window. */
export const W0 = NOW - 29 * DAY;

export type Op =
	| { at: number; kind: 'quantity'; quantity: number }
	| {
			at: number;
			kind:
				| 'unpaid'
				| 'recover'
				| 'cancel'
				| 'pause'
				| 'resume'
				| 'keep'
				| 'ends'
				| 'resumeCollection';
	  }
	/** Payment collection paused now, resuming by itself `days` later. */
	| { at: number; kind: 'pauseCollection'; days: number }
	/**
	 * A cancellation requested now, taking effect `days`
	 * later (at period end), which may still be undone.
	 */
	| { at: number; kind: 'scheduleCancel'; days: number }
	| { at: number; kind: 'coupon'; duration: 'forever' | 'repeating' | 'once'; percentOff: number };

export interface History {
	current: Subscription;
	changes: SubscriptionChange[];
	/** The true state from each moment on, oldest first. */
	snapshots: Array<{ from: number; state: Subscription }>;
}

export interface HistorySpec {
	currency: string;
	/** Unit amount; 0 is a free plan. */
	amount: number;
	interval: 'month' | 'year';
	created: number;
	trialDays: number;
	quantity: number;
	ops: Op[];
}

/** A subscription's life as Stripe would record it: its events, and its true state at each step. */
export function simulate(
	id: string,
	{ currency, amount, interval, created, trialDays, quantity, ops }: HistorySpec,
	customer = `cus_${id}`,
): History {
	const price = {
		id: `price_${id}`,
		object: 'price',
		currency,
		unit_amount: amount,
		unit_amount_decimal: String(amount),
		billing_scheme: 'per_unit',
		recurring: { interval, interval_count: 1, usage_type: 'licensed' },
	};
	const trialEnd = trialDays > 0 ? created + trialDays * DAY : null;
	let state = {
		id,
		object: 'subscription',
		customer,
		currency,
		created,
		status: trialEnd ? 'trialing' : 'active',
		canceled_at: null,
		ended_at: null,
		cancel_at: null,
		cancel_at_period_end: false,
		trial_start: trialEnd ? created : null,
		trial_end: trialEnd,
		discounts: [],
		pause_collection: null,
		items: {
			object: 'list',
			data: [{ id: `si_${id}`, object: 'subscription_item', quantity, discounts: [], price }],
		},
	} as unknown as Subscription;
	const snapshots = [{ from: created, state: structuredClone(state) }];
	const events: Array<{
		type: string;
		created: number;
		data: { object: Subscription; previous_attributes?: Record<string, unknown> };
	}> = [
		{ type: 'customer.subscription.created', created, data: { object: structuredClone(state) } },
	];
	const change = (
		at: number,
		type: string,
		previous: Record<string, unknown> | undefined,
		next: Subscription,
	) => {
		state = next;
		snapshots.push({ from: at, state: structuredClone(state) });
		// An event names discounts by ID (only a list expands them).
		const object = {
			...structuredClone(state),
			discounts: state.discounts.map((d) => (typeof d === 'string' ? d : d.id)),
		} as Subscription;
		events.push({
			type,
			created: at,
			data: { object, ...(previous ? { previous_attributes: previous } : {}) },
		});
	};
	const steps: Op[] = [...ops];
	if (trialEnd && trialEnd < NOW) steps.push({ at: trialEnd, kind: 'recover' });
	steps.sort((a, b) => a.at - b.at);
	// A scheduled cancellation adds its own end as a later step (Stripe cancels at cancel_at).
	const later = (op: Op) => {
		const after = steps.findIndex((s) => s.at > op.at);
		steps.splice(after < 0 ? steps.length : after, 0, op);
	};
	for (let i = 0; i < steps.length; i++) {
		const op = steps[i];
		if (op.at <= created || op.at >= NOW || state.status === 'canceled') continue;
		const scheduled = state.cancel_at !== null;
		const trialing = state.status === 'trialing';
		if (trialing && op.at === trialEnd)
			change(
				op.at,
				'customer.subscription.updated',
				{ status: 'trialing' },
				{ ...state, status: 'active' },
			);
		else if (op.kind === 'quantity') {
			const item = state.items.data[0];
			if (item.quantity === op.quantity) continue;
			change(
				op.at,
				'customer.subscription.updated',
				{ items: { data: [structuredClone(item)] } },
				{ ...state, items: { ...state.items, data: [{ ...item, quantity: op.quantity }] } },
			);
		} else if (op.kind === 'unpaid' && !trialing && state.status !== 'unpaid')
			change(
				op.at,
				'customer.subscription.updated',
				{ status: state.status },
				{ ...state, status: 'unpaid' },
			);
		else if (op.kind === 'recover' && state.status === 'unpaid')
			change(
				op.at,
				'customer.subscription.updated',
				{ status: 'unpaid' },
				{ ...state, status: 'active' },
			);
		else if (op.kind === 'pause' && !trialing && state.status !== 'paused')
			change(
				op.at,
				'customer.subscription.paused',
				{ status: state.status },
				{ ...state, status: 'paused' },
			);
		else if (op.kind === 'resume' && state.status === 'paused')
			change(
				op.at,
				'customer.subscription.resumed',
				{ status: 'paused' },
				{ ...state, status: 'active' },
			);
		else if (op.kind === 'cancel')
			change(op.at, 'customer.subscription.deleted', undefined, {
				...state,
				status: 'canceled',
				canceled_at: op.at,
				ended_at: op.at,
			});
		else if (op.kind === 'scheduleCancel' && !scheduled) {
			const cancelAt = op.at + op.days * DAY;
			change(
				op.at,
				'customer.subscription.updated',
				{ cancel_at_period_end: false, cancel_at: null, canceled_at: null },
				{ ...state, cancel_at_period_end: true, cancel_at: cancelAt, canceled_at: op.at },
			);
			later({ at: cancelAt, kind: 'ends' });
		} else if (op.kind === 'keep' && scheduled) {
			change(
				op.at,
				'customer.subscription.updated',
				{ cancel_at_period_end: true, cancel_at: state.cancel_at, canceled_at: state.canceled_at },
				{ ...state, cancel_at_period_end: false, cancel_at: null, canceled_at: null },
			);
		} else if (op.kind === 'ends' && scheduled && state.cancel_at === op.at) {
			change(op.at, 'customer.subscription.deleted', undefined, {
				...state,
				status: 'canceled',
				ended_at: op.at,
			});
		} else if (op.kind === 'pauseCollection' && !state.pause_collection) {
			change(op.at, 'customer.subscription.updated', { pause_collection: null }, {
				...state,
				pause_collection: { behavior: 'void', resumes_at: op.at + op.days * DAY },
			} as Subscription);
		} else if (op.kind === 'resumeCollection' && state.pause_collection) {
			change(
				op.at,
				'customer.subscription.updated',
				{ pause_collection: structuredClone(state.pause_collection) },
				{ ...state, pause_collection: null },
			);
		} else if (op.kind === 'coupon' && state.discounts.length === 0) {
			const coupon = {
				id: `co_${id}_${i}`,
				object: 'coupon',
				duration: op.duration,
				duration_in_months: op.duration === 'repeating' ? 3 : null,
				percent_off: op.percentOff,
				amount_off: null,
				currency: null,
			};
			const discount = {
				id: `di_${id}_${i}`,
				object: 'discount',
				start: op.at,
				end: op.duration === 'repeating' ? op.at + 90 * DAY : null,
				source: { type: 'coupon', coupon },
			};
			change(op.at, 'customer.subscription.updated', { discounts: [] }, {
				...state,
				discounts: [discount],
			} as unknown as Subscription);
		}
	}
	// Stripe lists events newest first; those of the same second keep that order.
	const changes = events
		.map((ev) => changeOf(ev as never))
		.reverse()
		.sort((a, b) => b.created - a.created);
	return { current: state, changes, snapshots };
}

export const trueStateAt = (h: History, t: number) =>
	[...h.snapshots].reverse().find((s) => s.from <= t)?.state ?? h.snapshots[0].state;
export const noLookups = { coupon: () => Promise.reject(new Error('no coupons here')) };

export const opArb = fc.oneof(
	fc.record({
		at: fc.integer({ min: W0, max: NOW }),
		kind: fc.constant('quantity' as const),
		quantity: fc.integer({ min: 1, max: 5 }),
	}),
	fc.record({
		at: fc.integer({ min: W0, max: NOW }),
		kind: fc.constantFrom(
			'unpaid' as const,
			'recover' as const,
			'cancel' as const,
			'pause' as const,
			'resume' as const,
			'keep' as const,
			'resumeCollection' as const,
		),
	}),
	fc.record({
		at: fc.integer({ min: W0, max: NOW }),
		kind: fc.constant('pauseCollection' as const),
		days: fc.integer({ min: 1, max: 20 }),
	}),
	fc.record({
		at: fc.integer({ min: W0, max: NOW }),
		kind: fc.constant('scheduleCancel' as const),
		days: fc.integer({ min: 1, max: 30 }),
	}),
	fc.record({
		at: fc.integer({ min: W0, max: NOW }),
		kind: fc.constant('coupon' as const),
		duration: fc.constantFrom('forever' as const, 'repeating' as const, 'once' as const),
		percentOff: fc.integer({ min: 1, max: 100 }),
	}),
);
export const definitionArb = fc.record({
	discounts: fc.constantFrom(...DISCOUNT_RULES),
	cancellations: fc.constantFrom(...CANCELLATION_RULES),
	pausedCollection: fc.constantFrom(...PAUSED_COLLECTION_RULES),
	includeTrialing: fc.constant(false),
});
export const historyArb: fc.Arbitrary<HistorySpec> = fc.record({
	currency: fc.constantFrom('usd', 'eur', 'jpy'),
	// Now and then a free plan.
	amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
	interval: fc.constantFrom('month' as const, 'year' as const),
	created: fc.integer({ min: W0, max: NOW - 60 }),
	trialDays: fc.constantFrom(0, 0, 3, 7, 14),
	quantity: fc.integer({ min: 1, max: 5 }),
	ops: fc.array(opArb, { maxLength: 6 }),
});
