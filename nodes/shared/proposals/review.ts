/**
 * What a person approves: every value the proposal's request will send, in words, derived from
 * the signed request itself (not from a summary), so that nothing is sent that is not shown.
 * Labels are our own words; values are data and stay data: each channel neutralises them
 * (approval chat text, HTML page) before showing them.
 */
import { formatAmount } from '../amounts';
import type { Proposal } from './proposals';

export interface ReviewLine {
	/** Our own words. */
	label: string;
	/** The value sent (amounts formatted in their currency, yes/no for booleans): untrusted text. */
	value: string;
}

export interface ProposalReview {
	headline: string;
	lines: ReviewLine[];
	/** Money this write can move whose amount Stripe decides at execution, said beside the totals. */
	openAmounts: string[];
}

/** How a write names its request's parameters; each write declares its own (writes/define.ts). */
export interface RequestWords {
	/** Our own words for parameters beyond the common ones ("cancel_at_period_end"). */
	labels: Record<string, string>;
	/** Parameters that are amounts in the request's currency, shown formatted ("$12.00"). */
	amountParams?: string[];
}

/** Parameters many writes send, named once. */
export const COMMON_LABELS: Record<string, string> = {
	active: 'Active',
	currency: 'Currency',
	customer: 'Customer',
	description: 'Description',
	email: 'Email',
	name: 'Name',
	phone: 'Phone',
	product: 'Product',
};

/** The label of a parameter path: the write's own, a common one, or the path in words. */
export const labelOf = (key: string, words: RequestWords) =>
	words.labels[key] ?? COMMON_LABELS[key] ?? wordsOf(key);

const wordsOf = (key: string) => {
	const text = key.replace(/[_.]+/g, ' ');
	return text.charAt(0).toUpperCase() + text.slice(1);
};

function show(value: unknown): string {
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'string') return value;
	return JSON.stringify(value) ?? String(value);
}

/** The one currency of a request: its own `currency` parameter, or the currency of its amounts. */
function currencyOf(proposal: Pick<Proposal, 'request' | 'amounts'>): string | undefined {
	const own = proposal.request.params.currency;
	if (typeof own === 'string') return own;
	const currencies = Object.keys(proposal.amounts ?? {});
	return currencies.length === 1 ? currencies[0] : undefined;
}

/** One line per value the request sends, in a stable order (the request's own). */
export function requestLines(
	proposal: Pick<Proposal, 'operation' | 'request' | 'amounts'>,
	words: RequestWords,
): ReviewLine[] {
	const amountParams = new Set(words.amountParams);
	const currency = currencyOf(proposal);
	const updating = proposal.operation === 'update';
	const lines: ReviewLine[] = [];
	const visit = (value: unknown, path: string[]) => {
		const key = path.join('.');
		if (path[0] === 'metadata' && path.length === 1 && value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value as Record<string, unknown>))
				lines.push({ label: updating ? 'Set metadata' : 'Metadata', value: `${k} = ${show(v)}` });
			return;
		}
		if (path[0] === 'line_items' && Array.isArray(value)) {
			value.forEach((item: Record<string, unknown>, i) => {
				const { price, quantity, ...rest } = item;
				lines.push({
					label: `Line item ${i + 1}`,
					value: `${show(price)} × ${show(quantity ?? 1)}`,
				});
				for (const [k, v] of Object.entries(rest)) visit(v, [`line_items[${i}]`, k]);
			});
			return;
		}
		if (Array.isArray(value)) {
			value.forEach((v, i) => visit(v, [...path.slice(0, -1), `${path[path.length - 1]}[${i}]`]));
			return;
		}
		if (value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, [...path, k]);
			return;
		}
		let label = labelOf(key, words);
		if (updating && typeof value !== 'boolean')
			label = `New ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
		const amount =
			amountParams.has(key) && typeof value === 'number' && currency
				? formatAmount(value, currency)
				: undefined;
		lines.push({ label, value: amount ?? show(value) });
	};
	for (const [k, v] of Object.entries(proposal.request.params)) visit(v, [k]);
	return lines;
}
