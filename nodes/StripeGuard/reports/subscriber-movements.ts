/**
 * MRR movements per subscriber (customer), as Stripe's Billing analytics counts them:
 *
 * - "If a customer has one or more subscriptions attached, Stripe considers that customer to be a
 *   subscriber. If any of the customer's subscriptions are paid subscriptions in an active or
 *   past_due state, the customer is an active subscriber." "When all of a subscriber's
 *   subscriptions are canceled or marked as unpaid, then the subscriber is considered to have
 *   churned" (docs.stripe.com/billing/subscriptions/analytics/glossary).
 * - "Subscriber churn occurs when a subscriber goes from non-zero Monthly Recurring Revenue (MRR)
 *   to zero MRR. This means that if a customer has two paid subscriptions and cancels one of them,
 *   this will not count as subscriber churn" … "A customer that previously ended all active
 *   subscriptions and has now restarted will be counted as a reactivated subscriber, and if that
 *   customer ends all active subscriptions again, it will be counted as a second churn"
 *   (support.stripe.com/questions/calculating-subscriber-churn-rate-in-billing); "If a customer
 *   has two subscriptions and cancels both, we will count the first cancellation as a subscriber
 *   downgrade and the second as subscriber churn"
 *   (support.stripe.com/questions/calculating-churn-rate-in-billing).
 * - New subscribers: "new, non-trial, paid subscribers. We don't include free plans or existing
 *   subscribers who add additional subscriptions" (Stripe's Billing metrics page).
 *
 * So each customer's MRR (per currency) is the sum of its subscriptions', and each change of that
 * sum is one movement: from 0 to more is new (reactivation if the customer paid before), to 0 is
 * churn, otherwise expansion or contraction. Changes at the same moment are one change (a
 * subscription swapped for another is an upgrade or a downgrade).
 *
 * A customer's subscriptions arrive anywhere in the list, so its MRR is kept until the list ends,
 * in flat typed arrays: a 53-bit fingerprint of customer and currency, the MRR just before the
 * period and whether it paid before (19 bytes a slot, the table at most half full), and a log of
 * the changes in the period (24 bytes each). Customers who never paid are not kept.
 */
import { CurrencySums, fingerprint53 } from './sums';
import type { Movement, SubscriptionMovements } from './subscription-history';
import { ZERO } from './subscription-value';

export const SUBSCRIBER_KEYS = [
	'mrr_at_start',
	'new_mrr',
	'expansion_mrr',
	'contraction_mrr',
	'churned_mrr',
	'reactivation_mrr',
	'mrr_at_end',
	'active_subscribers_at_start',
	'new_subscribers',
	'expanded_subscribers',
	'contracted_subscribers',
	'churned_subscribers',
	'reactivated_subscribers',
	'active_subscribers_at_end',
] as const;
export type SubscriberKey = (typeof SUBSCRIBER_KEYS)[number];

/** Which sum and which count each movement adds to. */
export const MOVEMENT_KEYS: Record<Movement, { amount: SubscriberKey; count: SubscriberKey }> = {
	new: { amount: 'new_mrr', count: 'new_subscribers' },
	expansion: { amount: 'expansion_mrr', count: 'expanded_subscribers' },
	contraction: { amount: 'contraction_mrr', count: 'contracted_subscribers' },
	churn: { amount: 'churned_mrr', count: 'churned_subscribers' },
	reactivation: { amount: 'reactivation_mrr', count: 'reactivated_subscribers' },
};

/**
 * One subscriber's MRR through the period, for reports that follow subscribers rather than sum
 * them (revenue retention, cohorts): the MRR just before the period, whether it paid before, and
 * each movement with the MRR after it.
 */
export interface SubscriberPath {
	currency: string;
	start: number;
	/** Paid at some moment up to the period's start: paying again is a reactivation. */
	paidBefore: boolean;
	moves: Array<{ t: number; kind: Movement; amount: number; mrr: number }>;
}

const USED = 1;
const PAID_BEFORE = 2;
const WALKED = 4;

export class SubscriberLedger {
	private keys = new Float64Array(1024);
	private starts = new Float64Array(1024);
	private flags = new Uint8Array(1024);
	private currencyOf = new Uint16Array(1024);
	private size = 0;
	private readonly currencies: string[] = [];
	/** Changes of customers' MRR in the period: [fingerprint, t, change] after one another. */
	private log = new Float64Array(3 * 256);
	private logged = 0;

	/** Adds one subscription's values to its customer's. */
	add(m: SubscriptionMovements): void {
		if (!m.paidBefore && m.start === 0 && m.timeline.length === 0) return;
		const key = fingerprint53(`${m.customer} ${m.currency}`);
		const slot = this.slot(key, m.currency);
		this.starts[slot] += m.start;
		if (m.paidBefore) this.flags[slot] |= PAID_BEFORE;
		let value = m.start;
		for (let i = 0; i < m.timeline.length; i += 2) {
			this.record(key, m.timeline[i], m.timeline[i + 1] - value);
			value = m.timeline[i + 1];
		}
	}

	/** Bytes the ledger holds (typed arrays only: it holds nothing else). */
	bytes(): number {
		return this.keys.length * (8 + 8 + 1 + 2) + this.log.length * 8;
	}

	/**
	 * Every subscriber's movements, summed and counted per currency; `visit` sees each subscriber's
	 * path on the way.
	 */
	totals(visit?: (path: SubscriberPath) => void): CurrencySums<SubscriberKey> {
		const sums = new CurrencySums(SUBSCRIBER_KEYS);
		// The changes by customer, then in time order.
		const order = Uint32Array.from({ length: this.logged }, (_, i) => i);
		const log = this.log;
		order.sort((a, b) => log[3 * a] - log[3 * b] || log[3 * a + 1] - log[3 * b + 1]);
		let i = 0;
		while (i < order.length) {
			const key = log[3 * order[i]];
			let j = i;
			while (j < order.length && log[3 * order[j]] === key) j++;
			this.walk(sums, this.find(key), order.subarray(i, j), visit);
			i = j;
		}
		const none = new Uint32Array(0);
		for (let slot = 0; slot < this.keys.length; slot++) {
			if (this.flags[slot] & USED && !(this.flags[slot] & WALKED))
				this.walk(sums, slot, none, visit);
			this.flags[slot] &= ~WALKED;
		}
		return sums;
	}

	/**
	 * One customer's MRR through the period, each change a movement; changes at the same moment are
	 * one change.
	 */
	private walk(
		sums: CurrencySums<SubscriberKey>,
		slot: number,
		changes: Uint32Array,
		visit?: (path: SubscriberPath) => void,
	): void {
		this.flags[slot] |= WALKED;
		const currency = this.currencies[this.currencyOf[slot]];
		const start = this.starts[slot] > ZERO ? this.starts[slot] : 0;
		let total = start;
		let everPaid = start > 0 || (this.flags[slot] & PAID_BEFORE) !== 0;
		const path: SubscriberPath | undefined = visit && {
			currency,
			start,
			paidBefore: everPaid,
			moves: [],
		};
		let t = 0;
		let next = 0;
		const move = (kind: Movement, amount: number) => {
			sums.add(currency, MOVEMENT_KEYS[kind].amount, amount);
			sums.add(currency, MOVEMENT_KEYS[kind].count, 1);
			path?.moves.push({ t, kind, amount, mrr: next });
		};
		for (let k = 0; k < changes.length; ) {
			t = this.log[3 * changes[k] + 1];
			let change = 0;
			for (; k < changes.length && this.log[3 * changes[k] + 1] === t; k++)
				change += this.log[3 * changes[k] + 2];
			next = total + change > ZERO ? total + change : 0;
			if (total === 0 && next > 0) move(everPaid ? 'reactivation' : 'new', next);
			else if (total > 0 && next === 0) move('churn', total);
			else if (next - total > ZERO) move('expansion', next - total);
			else if (total - next > ZERO) move('contraction', total - next);
			if (next > 0) everPaid = true;
			total = next;
		}
		sums.add(currency, 'mrr_at_start', start);
		sums.add(currency, 'mrr_at_end', total);
		if (start > 0) sums.add(currency, 'active_subscribers_at_start', 1);
		if (total > 0) sums.add(currency, 'active_subscribers_at_end', 1);
		if (path) visit?.(path);
	}

	private record(key: number, t: number, change: number): void {
		if (3 * (this.logged + 1) > this.log.length) {
			const grown = new Float64Array(this.log.length * 2);
			grown.set(this.log);
			this.log = grown;
		}
		const at = 3 * this.logged++;
		this.log[at] = key;
		this.log[at + 1] = t;
		this.log[at + 2] = change;
	}

	/** The slot of a fingerprint already in the table. */
	private find(key: number): number {
		const mask = this.keys.length - 1;
		let slot = key % 0x1_0000_0000 & mask;
		while (this.keys[slot] !== key) slot = (slot + 1) & mask;
		return slot;
	}

	/** The slot of a fingerprint, taken if new (open addressing, at most half full). */
	private slot(key: number, currency: string): number {
		if ((this.size + 1) * 2 > this.keys.length) this.grow();
		const mask = this.keys.length - 1;
		let slot = key % 0x1_0000_0000 & mask;
		while (this.flags[slot] & USED) {
			if (this.keys[slot] === key) return slot;
			slot = (slot + 1) & mask;
		}
		let c = this.currencies.indexOf(currency);
		if (c < 0) c = this.currencies.push(currency) - 1;
		this.keys[slot] = key;
		this.flags[slot] = USED;
		this.currencyOf[slot] = c;
		this.size++;
		return slot;
	}

	private grow(): void {
		const { keys, starts, flags, currencyOf } = this;
		const length = keys.length * 2;
		this.keys = new Float64Array(length);
		this.starts = new Float64Array(length);
		this.flags = new Uint8Array(length);
		this.currencyOf = new Uint16Array(length);
		const mask = length - 1;
		for (let i = 0; i < keys.length; i++) {
			if (!(flags[i] & USED)) continue;
			let slot = keys[i] % 0x1_0000_0000 & mask;
			while (this.flags[slot] & USED) slot = (slot + 1) & mask;
			this.keys[slot] = keys[i];
			this.starts[slot] = starts[i];
			this.flags[slot] = flags[i];
			this.currencyOf[slot] = currencyOf[i];
		}
	}
}
