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
	/** The value as sent (amounts formatted in their currency, yes/no for booleans): untrusted text. */
	value: string;
}

export interface ProposalReview {
	headline: string;
	lines: ReviewLine[];
	/** Money this write can move whose amount Stripe decides at execution, said beside the totals. */
	openAmounts: string[];
}

const LABELS: Record<string, string> = {
	active: 'Active',
	amount: 'Amount',
	cancel_at_period_end: 'Cancel at the end of the period',
	cancel_url: 'Cancel URL',
	cancellation_reason: 'Cancellation reason',
	charge: 'Charge',
	collection_method: 'Collection method',
	currency: 'Currency',
	customer: 'Customer',
	days_until_due: 'Days until due',
	description: 'Description',
	email: 'Email',
	invoice_now: 'Invoice now',
	lookup_key: 'Lookup key',
	mode: 'Checkout mode',
	name: 'Name',
	nickname: 'Nickname',
	pending_invoice_items_behavior: "Customer's pending invoice items",
	phone: 'Phone',
	product: 'Product',
	prorate: 'Prorate',
	reason: 'Reason',
	success_url: 'Success URL',
	unit_amount: 'Unit amount',
	'recurring.interval': 'Billing interval',
	'recurring.interval_count': 'Intervals per bill',
};
const AMOUNT_FIELDS = new Set(['amount', 'unit_amount']);

const words = (key: string) => {
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
): ReviewLine[] {
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
		let label = LABELS[key] ?? words(key);
		if (updating && typeof value !== 'boolean')
			label = `New ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
		const amount =
			AMOUNT_FIELDS.has(key) && typeof value === 'number' && currency
				? formatAmount(value, currency)
				: undefined;
		lines.push({ label, value: amount ?? show(value) });
	};
	for (const [k, v] of Object.entries(proposal.request.params)) visit(v, [k]);
	return lines;
}

/** Money a write can move that no proposal can state in advance. */
function openAmountsOf(proposal: Pick<Proposal, 'resource' | 'operation' | 'request'>): string[] {
	const key = `${proposal.resource}.${proposal.operation}`;
	const params = proposal.request.params;
	const target = proposal.request.path.split('/')[3] ?? '';
	if (key === 'subscription.cancel' && (params.invoice_now === true || params.prorate === true)) {
		return [
			`the final invoice of subscription ${target} (outstanding usage${params.prorate === true ? ' and prorations' : ''}, amount decided by Stripe)`,
		];
	}
	if (key === 'invoice.finalize')
		return [
			`invoice ${target}'s amount due, which Stripe charges at once when the invoice collects automatically`,
		];
	return [];
}

export function reviewProposal(
	proposal: Pick<Proposal, 'resource' | 'operation' | 'request' | 'amounts' | 'summary'>,
): ProposalReview {
	return {
		headline: proposal.summary,
		lines: requestLines(proposal),
		openAmounts: openAmountsOf(proposal),
	};
}
