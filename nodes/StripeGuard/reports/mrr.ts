/**
 * Monthly recurring revenue now: every subscription that is active or past due (and trialing
 * when asked), streamed page by page with its discounts expanded, so memory holds sums, not objects.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import type { OperationContext } from '../../shared/operation';
import { PAGE_SIZE } from '../../shared/pagination';
import type { Subscription } from '../../shared/transport';
import { CurrencySums, withTable, type Table } from './common';
import { couponCache, recurringValue, SUBSCRIPTION_EXPANSION, type UnpricedItem } from './recurring';

/** Unpriced items listed in full up to this many; the count is always complete. */
const UNPRICED_LISTED = 100;

export async function mrrReport(ctx: OperationContext, now = Math.floor(Date.now() / 1000)): Promise<IDataObject> {
	const includeTrialing = ctx.fn.getNodeParameter('includeTrialing', ctx.itemIndex, false) as boolean;
	const counted = new Set<string>(['active', 'past_due', ...(includeTrialing ? ['trialing'] : [])]);
	const coupons = couponCache(ctx.stripe);
	const sums = new CurrencySums(['mrr', 'subscriptions', 'paying_customers'] as const);
	// Customers paying in each currency: a set of IDs is the one thing that grows with the account.
	const payers = new Map<string, Set<string>>();
	const statuses: Record<string, number> = {};
	const unpriced: UnpricedItem[] = [];
	let unpricedCount = 0;

	// No status filter: Stripe's default list is every subscription that has not ended, in one pass.
	const list = ctx.stripe.subscriptions.list({ limit: PAGE_SIZE, expand: SUBSCRIPTION_EXPANSION });
	for await (const sub of list as AsyncIterable<Subscription>) {
		if (!counted.has(sub.status)) continue;
		const value = await recurringValue(sub, now, coupons);
		statuses[sub.status] = (statuses[sub.status] ?? 0) + 1;
		sums.add(value.currency, 'subscriptions', 1);
		sums.add(value.currency, 'mrr', value.monthly);
		unpricedCount += value.unpriced.length;
		for (const u of value.unpriced) if (unpriced.length < UNPRICED_LISTED) unpriced.push(u);
		const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
		if (value.monthly > 0) {
			let set = payers.get(value.currency);
			if (!set) payers.set(value.currency, (set = new Set()));
			set.add(customer);
		}
	}
	for (const [currency, set] of payers) sums.add(currency, 'paying_customers', set.size);

	const byCurrency = sums.toJson(['subscriptions', 'paying_customers']);
	for (const currency of sums.currencies()) {
		const row = byCurrency[currency] as IDataObject;
		const mrr = row.mrr as number;
		const customers = row.paying_customers as number;
		const arpa = customers ? Math.round(mrr / customers) : 0;
		Object.assign(row, { arr: mrr * 12, arr_formatted: formatAmount(mrr * 12, currency), arpa, arpa_formatted: formatAmount(arpa, currency) });
	}
	const report: IDataObject = {
		report: 'mrr',
		as_of: new Date(now * 1000).toISOString(),
		included_statuses: [...counted],
		subscriptions: Object.values(statuses).reduce((a, b) => a + b, 0),
		subscriptions_by_status: statuses,
		by_currency: byCurrency,
		unpriced_items: { count: unpricedCount, items: unpriced as unknown as IDataObject[] },
	};
	return withTable(ctx, report, (): Table => ({
		title: `MRR as of ${report.as_of as string}`,
		columns: ['Currency', 'MRR', 'ARR', 'Subscriptions', 'Paying customers', 'ARPA'],
		rows: sums.currencies().map((c) => {
			const r = byCurrency[c] as IDataObject;
			return [c.toUpperCase(), r.mrr_formatted as string, r.arr_formatted as string, r.subscriptions as number, r.paying_customers as number, r.arpa_formatted as string];
		}),
		notes: unpricedCount ? [`${unpricedCount} usage-based or tiered subscription item(s) are not in MRR (see unpriced_items).`] : [],
	}));
}
