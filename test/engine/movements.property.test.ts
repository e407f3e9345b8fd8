/**
 * Movements per subscriber, on random histories of several subscriptions shared among a few
 * customers (./movements-history.ts: trials, quantity changes, unpaid, pauses, paused collection,
 * cancellations and their withdrawal, coupons up to 100 %, free plans), under every definition
 * switch. The report's figures (movementsOf per subscription from its events, then
 * SubscriberLedger per customer) are checked against an oracle that knows the true state of every
 * subscription at every moment and classifies each change of a customer's MRR by Stripe's rules,
 * and against what must hold whatever the history: each amount is above 0 exactly when its count
 * is, start + new + expansion − contraction − churn + reactivation = end, and active subscribers
 * at the start + new + reactivated − churned = active at the end.
 */
import fc from 'fast-check';

import type { Subscription } from '../../nodes/shared/transport/types';
import {
	MOVEMENT_KEYS,
	SubscriberLedger,
	type SubscriberKey,
} from '../../nodes/StripeGuard/reports/subscriber-movements';
import {
	EVENT_RETENTION_SECONDS,
	MOVEMENTS,
	movementsOf,
	type Movement,
} from '../../nodes/StripeGuard/reports/subscription-history';
import {
	subscriptionValueAt,
	type ValueOptions,
} from '../../nodes/StripeGuard/reports/subscription-value';
import {
	DAY,
	definitionArb,
	historyArb,
	noLookups,
	NOW,
	simulate,
	trueStateAt,
	W0,
	type History,
	type HistorySpec,
} from './movements-history';

const ZERO = 1e-6;

/** Every moment a state names (the oracle's own list). */
const named = (s: Subscription): number[] =>
	[
		s.created,
		s.trial_start,
		s.trial_end,
		s.canceled_at,
		s.ended_at,
		s.cancel_at,
		s.pause_collection?.resumes_at,
		...(s.discounts ?? []).flatMap((d) => (d && typeof d !== 'string' ? [d.start, d.end] : [])),
	].filter((t): t is number => typeof t === 'number');

interface Figures {
	amounts: Record<Movement, number>;
	counts: Record<Movement, number>;
	start: number;
	end: number;
	atStart: number;
	atEnd: number;
}

const zero = (): Record<Movement, number> => ({
	new: 0,
	expansion: 0,
	contraction: 0,
	churn: 0,
	reactivation: 0,
});

/**
 * A customer's MRR in one currency at every moment any of its subscriptions can change, from the
 * true states; each change of it classified as Stripe describes.
 */
async function oracle(
	subs: History[],
	period: { start: number; end: number },
	options: ValueOptions,
	into: Figures,
): Promise<void> {
	const first = period.start - 1;
	const last = period.end - 1;
	const mrr = async (t: number) => {
		let total = 0;
		for (const h of subs) {
			const v = await subscriptionValueAt(trueStateAt(h, t), t, noLookups, options);
			if (v.paying && v.monthly > ZERO) total += v.monthly;
		}
		return total > ZERO ? total : 0;
	};
	const times = [
		...new Set(subs.flatMap((h) => h.snapshots.flatMap((s) => [s.from, ...named(s.state)]))),
	].sort((a, b) => a - b);
	let paidBefore = false;
	for (const t of times) if (t <= first && (await mrr(t)) > 0) paidBefore = true;
	let total = await mrr(first);
	into.start += total;
	if (total > 0) into.atStart++;
	let everPaid = paidBefore || total > 0;
	const move = (kind: Movement, amount: number) => {
		into.amounts[kind] += amount;
		into.counts[kind]++;
	};
	for (const t of [...times.filter((t) => t > first && t < last), last]) {
		const next = await mrr(t);
		if (total === 0 && next > 0) move(everPaid ? 'reactivation' : 'new', next);
		else if (total > 0 && next === 0) move('churn', total);
		else if (next - total > ZERO) move('expansion', next - total);
		else if (total - next > ZERO) move('contraction', total - next);
		if (next > 0) everPaid = true;
		total = next;
	}
	into.end += total;
	if (total > 0) into.atEnd++;
}

/**
 * Moments on a grid of 3 days from W0, so that a customer's subscriptions change at the same
 * moment (one canceled as another starts) as often as not.
 */
const onGrid = (t: number) => Math.min(NOW - 60, W0 + Math.round((t - W0) / (3 * DAY)) * 3 * DAY);
const customersArb = fc
	.tuple(
		fc.array(fc.tuple(historyArb, fc.integer({ min: 0, max: 2 })), {
			minLength: 1,
			maxLength: 7,
		}),
		fc.boolean(),
	)
	.map(([specs, grid]) =>
		grid
			? specs.map(([spec, who]): [HistorySpec, number] => [
					{
						...spec,
						created: onGrid(spec.created),
						ops: spec.ops.map((op) => ({ ...op, at: onGrid(op.at) })),
					},
					who,
				])
			: specs,
	);

test(
	'property: per subscriber, the figures are the true ones, each amount is above 0 exactly when ' +
		'its count is, and both sides of MRR and of active subscribers add up, per currency',
	async () => {
		await fc.assert(
			fc.asyncProperty(
				customersArb,
				fc.integer({ min: W0 + 1, max: NOW - 2 }),
				fc.integer({ min: 1, max: 29 * DAY }),
				definitionArb,
				async (specs, start, length, options) => {
					const period = { start, end: Math.min(NOW, start + length) };
					const windowStart = NOW - EVENT_RETENTION_SECONDS;
					const ledger = new SubscriberLedger();
					const byCustomer = new Map<string, History[]>();
					for (const [n, [spec, who]] of specs.entries()) {
						const h = simulate(`s${n}`, spec, `cus_${who}`);
						const m = await movementsOf(
							h.current,
							h.changes,
							period,
							windowStart,
							noLookups,
							options,
						);
						ledger.add(m);
						const key = `cus_${who} ${spec.currency}`;
						byCustomer.set(key, [...(byCustomer.get(key) ?? []), h]);
					}
					const want = new Map<string, Figures>();
					for (const [key, subs] of byCustomer) {
						const currency = key.split(' ')[1];
						const figures = want.get(currency) ?? {
							amounts: zero(),
							counts: zero(),
							start: 0,
							end: 0,
							atStart: 0,
							atEnd: 0,
						};
						await oracle(subs, period, options, figures);
						want.set(currency, figures);
					}
					const sums = ledger.totals();
					for (const [currency, w] of want) {
						const got = sums.get(currency);
						const amount = (k: Movement) => got[MOVEMENT_KEYS[k].amount];
						const count = (k: Movement) => got[MOVEMENT_KEYS[k].count];
						for (const kind of MOVEMENTS) {
							expect([kind, count(kind)]).toEqual([kind, w.counts[kind]]);
							expect(Math.abs(amount(kind) - w.amounts[kind])).toBeLessThan(1e-6);
							// A movement counted has an amount, and an amount was counted.
							expect([kind, amount(kind) > 0]).toEqual([kind, count(kind) > 0]);
						}
						const c = (k: SubscriberKey) => got[k];
						expect(Math.abs(c('mrr_at_start') - w.start)).toBeLessThan(1e-6);
						expect(Math.abs(c('mrr_at_end') - w.end)).toBeLessThan(1e-6);
						const moved =
							amount('new') +
							amount('expansion') -
							amount('contraction') -
							amount('churn') +
							amount('reactivation');
						expect(Math.abs(c('mrr_at_start') + moved - c('mrr_at_end'))).toBeLessThan(1e-6);
						expect([c('active_subscribers_at_start'), c('active_subscribers_at_end')]).toEqual([
							w.atStart,
							w.atEnd,
						]);
						expect(
							c('active_subscribers_at_start') +
								c('new_subscribers') +
								c('reactivated_subscribers') -
								c('churned_subscribers'),
						).toBe(c('active_subscribers_at_end'));
					}
					// No currency appears that no customer pays in.
					for (const currency of sums.currencies()) {
						if (!want.has(currency)) expect(sums.get(currency).mrr_at_start).toBe(0);
					}
				},
			),
			{ numRuns: 400 },
		);
	},
);
