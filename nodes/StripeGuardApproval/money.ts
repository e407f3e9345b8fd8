/**
 * The money a batch can move, as the approver reads it and Two Approvers Above counts it: each
 * proposal's stated amounts, cut to what is left of what it draws on (refunds of one charge), and
 * the amounts Stripe decides at execution, bounded from what Stripe says before the decision.
 * Everything here comes from the writes' declarations of their money (writes/define.ts).
 */
import { formatAmount } from '../shared/amounts';
import type { ProposalReview } from '../shared/proposals/review';
import type { StripeClient } from '../shared/transport';
import { drawsOn, readOpenAmount, type OpenBound } from '../StripeGuard/writes';
import { formatTotals, type BatchEntry } from './batch';

/** What one proposal counts, read when the approver is asked and again when the page opens. */
export interface ProposalMoney {
	/** Its stated amounts, cut to what is left of what it draws on after the proposals before it. */
	stated: Record<string, number>;
	/** The amount Stripe decides at execution, bounded before the decision. */
	open?: OpenBound;
	/** What cannot be made in full, in our own words. */
	warnings: string[];
}

/** A reviewed proposal as far as money goes; without `money` nothing was read from Stripe. */
interface Counted {
	entry: BatchEntry;
	review: ProposalReview;
	money?: ProposalMoney;
}

/** A line about money: our own words, with Stripe's words (data, quoted) between them. */
export interface MoneyNote {
	text: string;
	data?: string;
	after?: string;
}

const inWords = (numbers: number[]) =>
	numbers.length < 2
		? numbers.join('')
		: `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;

/**
 * Reads what each proposal's money depends on, once per charge drawn on; the proposals draw in
 * the order the approver sees them, numbered from 1. A source that cannot be read leaves the
 * stated amounts, which never exceed what their requests send.
 */
export async function readMoney(
	stripe: StripeClient,
	entries: BatchEntry[],
): Promise<ProposalMoney[]> {
	const sources = entries.map((e) => drawsOn(e.proposal));
	const reads = new Map<string, Promise<{ currency: string; amount: number } | undefined>>();
	const unread = () => undefined;
	for (const source of sources)
		if (source && !reads.has(source.key)) reads.set(source.key, source.left(stripe).catch(unread));
	const [opens, lefts] = await Promise.all([
		Promise.all(entries.map((e) => readOpenAmount(stripe, e.proposal))),
		Promise.all([...reads].map(async ([key, read]) => [key, await read] as const)),
	]);
	const pools = new Map<string, { currency: string; amount: number; drawn: number[] }>();
	for (const [key, left] of lefts) if (left) pools.set(key, { ...left, drawn: [] });
	return entries.map((entry, i) => {
		const stated = { ...(entry.proposal.amounts ?? {}) };
		const warnings: string[] = [];
		const source = sources[i];
		const pool = source && pools.get(source.key);
		const asked = pool ? stated[pool.currency] : undefined;
		if (source && pool && asked !== undefined) {
			if (asked > pool.amount) {
				const by = pool.drawn.length > 1 ? `${source.noun}s` : source.noun;
				const after = pool.drawn.length ? ` after ${by} ${inWords(pool.drawn)}` : '';
				warnings.push(
					`${source.noun} ${i + 1} of ${source.id} cannot be made in full: ` +
						`only ${formatAmount(pool.amount, pool.currency)} left${after}`,
				);
				stated[pool.currency] = pool.amount;
			}
			pool.amount -= stated[pool.currency];
			if (stated[pool.currency] > 0) pool.drawn.push(i + 1);
		}
		return { stated, open: opens[i], warnings };
	});
}

/**
 * The open amount as the rule sees it: a proposal reviewed without reading Stripe, whose write
 * leaves an amount to Stripe, is unknown.
 */
function openOf(r: Counted): OpenBound | undefined {
	if (r.money) return r.money.open;
	return r.review.openAmounts.length
		? { known: false, what: r.review.openAmounts.join(', '), why: 'not read from Stripe' }
		: undefined;
}

function add(into: Record<string, number>, amounts: Record<string, number>) {
	for (const [currency, amount] of Object.entries(amounts))
		into[currency] = (into[currency] ?? 0) + amount;
	return into;
}

/** The stated amounts per currency, each proposal's cut to what is left of what it draws on. */
export const statedTotals = (reviewed: Counted[]) =>
	reviewed.reduce<Record<string, number>>(
		(totals, r) => add(totals, r.money?.stated ?? r.entry.proposal.amounts ?? {}),
		{},
	);

/** What Two Approvers Above counts: the stated totals and every bound read from Stripe. */
export function countedTotals(reviewed: Counted[]): Record<string, number> {
	const totals = statedTotals(reviewed);
	for (const r of reviewed) {
		const open = openOf(r);
		if (open?.known) add(totals, open.amounts);
	}
	return totals;
}

/**
 * The lines beside the total: what was read from Stripe and the most that can move with it, what
 * could not be known and why, and what cannot be made in full.
 */
export function moneyNotes(reviewed: Counted[]): MoneyNote[] {
	const notes: MoneyNote[] = [];
	const read = reviewed.flatMap((r) => (r.money?.open?.known ? r.money.open.words : []));
	for (const words of read) notes.push({ text: `Read from Stripe now: ${words}` });
	if (read.length) {
		const most = formatTotals(countedTotals(reviewed)) || 'no money';
		notes.push({ text: `At most, with the amounts read from Stripe now: ${most}` });
	}
	for (const r of reviewed) {
		const open = r.money?.open;
		if (open && !open.known)
			notes.push({
				text: `Not known before the decision: ${open.what}: `,
				data: open.why,
				after: '; it counts as above every limit.',
			});
	}
	for (const r of reviewed)
		for (const warning of r.money?.warnings ?? []) notes.push({ text: `Warning: ${warning}.` });
	return notes;
}

/** A note as plain text, for a notification workflow's fields. */
export const noteText = (note: MoneyNote) => `${note.text}${note.data ?? ''}${note.after ?? ''}`;

/**
 * Why two different approvers must approve, empty when one may decide. With any limit set, every
 * counted amount must be within the limit of its currency: an amount in a currency without one,
 * or one that could not be known, is above.
 */
export function twoApproversWhy(reviewed: Counted[], limits: Record<string, number>): string[] {
	if (Object.keys(limits).length === 0) return [];
	const why: string[] = [];
	const counted = Object.entries(countedTotals(reviewed)).sort(([a], [b]) => a.localeCompare(b));
	for (const [currency, amount] of counted) {
		if (!(amount > 0)) continue;
		const shown = formatAmount(amount, currency);
		if (!Object.hasOwn(limits, currency))
			why.push(
				`${shown} is in ${currency.toUpperCase()}, which has no limit ` +
					'(with limits set, an amount in a currency without one needs two approvers)',
			);
		else if (amount > limits[currency])
			why.push(`${shown} is above the limit of ${formatAmount(limits[currency], currency)}`);
	}
	if (reviewed.some((r) => openOf(r)?.known === false))
		why.push('an amount could not be known before the decision');
	return why;
}
