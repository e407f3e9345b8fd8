/**
 * Monthly recurring revenue now, by Stripe's definition (./subscription-value.ts): every
 * subscription that pays now, streamed page by page with its discounts expanded, so memory holds
 * sums, not objects; pages read in parallel are summed as they arrive. ARR and ARPA come from the
 * unrounded sums, rounded once.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import { momentInZone } from '../framework/periods';
import { compareRank, type Rank } from '../../shared/transport';
import { describeDefinition, readDefinition } from './mrr-definition';
import { readTimeZone } from './report-period';
import { CurrencySums, DistinctCount } from './sums';
import { withTable, type Table } from './table';
import {
	lookupsFor,
	SUBSCRIPTION_EXPANSION,
	subscriptionValueAt,
	type NotPaying,
	type UnpricedItem,
} from './subscription-value';

/** Unpriced items listed in full up to this many; the count is always complete. */
const UNPRICED_LISTED = 100;

/** Not counted, in words for the table's note. */
const NOT_COUNTED_WORDS: Partial<Record<NotPaying, string>> = {
	not_started: 'incomplete',
	ended: 'ended',
	trialing: 'trialing',
	unpaid: 'unpaid',
	paused: 'paused',
	collection_paused: 'with collection paused',
	cancellation_requested: 'with a cancellation requested',
	test_clock: 'on a test clock (a simulation)',
};

const UNPRICED_WORDS: Record<UnpricedItem['reason'], string> = {
	metered: 'usage-based',
	tiered: 'tiered',
	custom: 'customer-chosen',
	inclusive_tax_unknown: 'with tax included at a Stripe Tax rate',
};

export async function mrrReport(
	ctx: OperationContext,
	now = Math.floor(Date.now() / 1000),
): Promise<IDataObject> {
	const timeZone = readTimeZone(ctx);
	const options = readDefinition(
		ctx,
		ctx.fn.getNodeParameter('includeTrialing', ctx.itemIndex, false) as boolean,
	);
	const included = ['active', 'past_due', ...(options.includeTrialing ? ['trialing'] : [])];
	const lookups = lookupsFor(ctx.stripe);
	const sums = new CurrencySums(['mrr', 'subscriptions', 'paying_customers'] as const);
	// Customers paying in each currency: counted by fingerprint, 8 bytes each (the one thing that
	// grows with the account).
	const payers = new Map<string, DistinctCount>();
	const statuses: Record<string, number> = {};
	const notCounted: Partial<Record<NotPaying, number>> = {};
	// Subscriptions arrive as pages do (read in parallel); the first in Stripe's order are listed.
	let unpriced: Array<{ rank: Rank; k: number; item: UnpricedItem }> = [];
	const inOrder = (a: (typeof unpriced)[number], b: (typeof unpriced)[number]) =>
		compareRank(a.rank, b.rank) || a.k - b.k;
	const unpricedByReason: Partial<Record<UnpricedItem['reason'], number>> = {};
	let unpricedCount = 0;

	// No status filter: Stripe's default list is every subscription that has not ended, in one pass.
	const list = ctx.stripe.subscriptions.list({ limit: PAGE_SIZE, expand: SUBSCRIPTION_EXPANSION });
	for await (const [sub, rank] of list.inAnyOrder()) {
		const value = await subscriptionValueAt(sub, now, lookups, options);
		if (value.reason) {
			notCounted[value.reason] = (notCounted[value.reason] ?? 0) + 1;
			continue;
		}
		statuses[sub.status] = (statuses[sub.status] ?? 0) + 1;
		sums.add(value.currency, 'subscriptions', 1);
		sums.add(value.currency, 'mrr', value.monthly);
		unpricedCount += value.unpriced.length;
		value.unpriced.forEach((u, k) => {
			unpricedByReason[u.reason] = (unpricedByReason[u.reason] ?? 0) + 1;
			unpriced.push({ rank, k, item: u });
		});
		if (unpriced.length > 2 * UNPRICED_LISTED)
			unpriced = unpriced.sort(inOrder).slice(0, UNPRICED_LISTED);
		const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
		if (value.monthly > 0) {
			let distinct = payers.get(value.currency);
			if (!distinct) payers.set(value.currency, (distinct = new DistinctCount()));
			distinct.add(customer);
		}
	}
	for (const [currency, distinct] of payers)
		sums.add(currency, 'paying_customers', distinct.count());

	const byCurrency = sums.toJson(['subscriptions', 'paying_customers']);
	for (const currency of sums.currencies()) {
		const row = byCurrency[currency] as IDataObject;
		// From the unrounded monthly sum: 12 × a rounded MRR would carry its rounding twelvefold.
		const exact = sums.get(currency).mrr;
		const customers = row.paying_customers as number;
		const arr = Math.round(exact * 12);
		const arpa = customers ? Math.round(exact / customers) : 0;
		Object.assign(row, {
			arr,
			arr_formatted: formatAmount(arr, currency),
			arpa,
			arpa_formatted: formatAmount(arpa, currency),
		});
	}
	// The figures first (by currency), then what they count and how: what a person reads first.
	const report: IDataObject = {
		report: 'mrr',
		as_of: new Date(now * 1000).toISOString(),
		by_currency: byCurrency,
		subscriptions: Object.values(statuses).reduce((a, b) => a + b, 0),
		subscriptions_by_status: statuses,
		not_counted: notCounted,
		included_statuses: included,
		definition: describeDefinition(options),
		unpriced_items: {
			count: unpricedCount,
			by_reason: unpricedByReason,
			items: unpriced
				.sort(inOrder)
				.slice(0, UNPRICED_LISTED)
				.map((u) => u.item) as unknown as IDataObject[],
		},
	};
	const notes: string[] = [];
	const skipped = Object.entries(notCounted).filter(
		([reason]) => reason !== 'not_started' && reason !== 'ended',
	);
	if (skipped.length) {
		const counts = skipped.map(
			([reason, n]) => `${n} ${NOT_COUNTED_WORDS[reason as NotPaying] ?? reason}`,
		);
		notes.push(`Not in MRR: ${counts.join(', ')} subscription(s).`);
	}
	if (unpricedCount) {
		const kinds = Object.entries(unpricedByReason).map(
			([reason, n]) => `${n} ${UNPRICED_WORDS[reason as UnpricedItem['reason']]}`,
		);
		notes.push(
			`${unpricedCount} subscription item(s) are not in MRR: ` +
				`${kinds.join(', ')} (see unpriced_items).`,
		);
	}
	return withTable(
		ctx,
		report,
		(): Table => ({
			title: `MRR on ${momentInZone(now, timeZone)} (${timeZone})`,
			columns: ['Currency', 'MRR', 'ARR', 'Subscriptions', 'Paying customers', 'ARPA'],
			rows: sums.currencies().map((c) => {
				const r = byCurrency[c] as IDataObject;
				return [
					c.toUpperCase(),
					r.mrr_formatted as string,
					r.arr_formatted as string,
					r.subscriptions as number,
					r.paying_customers as number,
					r.arpa_formatted as string,
				];
			}),
			notes,
		}),
	);
}
