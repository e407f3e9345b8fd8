/**
 * Revenue from balance transactions, the ledger Stripe pays out from: gross payments, refunds,
 * disputes and fees per currency, with net as Stripe computes it. Payouts, transfers and top-ups
 * move money rather than earn it, so they stay out.
 */
import type { IDataObject } from 'n8n-workflow';

import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import { dayInZone } from '../framework/periods';
import type { BalanceTransaction } from '../../shared/transport';
import { describePeriod, periodDays, readPeriod } from './report-period';
import { CurrencySums } from './sums';
import { withTable, type Table } from './table';

const KEYS = ['gross', 'refunds', 'disputes', 'fees', 'other', 'net', 'transactions'] as const;
type Key = (typeof KEYS)[number];

/** Reporting categories that move money without earning or losing it. */
const MOVEMENTS = new Set([
	'payout',
	'payout_reversal',
	'transfer',
	'transfer_reversal',
	'topup',
	'topup_reversal',
	'connect_collection_transfer',
]);

/**
 * Where a transaction's amount goes; its fee always goes to fees. Refunds and disputes count as
 * positive losses.
 */
function classify(
	t: BalanceTransaction,
): { key: Exclude<Key, 'net' | 'transactions'>; sign: 1 | -1 } | null {
	const category = t.reporting_category;
	if (MOVEMENTS.has(category)) return null;
	if (category === 'charge') return { key: 'gross', sign: 1 };
	if (category === 'refund' || category === 'refund_failure') return { key: 'refunds', sign: -1 };
	if (category === 'dispute' || category === 'dispute_reversal')
		return { key: 'disputes', sign: -1 };
	if (category === 'fee') return { key: 'fees', sign: -1 };
	return { key: 'other', sign: 1 };
}

export async function revenueReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const byDay = ctx.fn.getNodeParameter('byDay', ctx.itemIndex, false) as boolean;
	const totals = new CurrencySums(KEYS);
	const days = new Map<string, CurrencySums<Key>>();

	const list = ctx.stripe.balanceTransactions.list({
		limit: PAGE_SIZE,
		created: { gte: period.start, lt: period.end },
	});
	// Sums need no order: pages read in parallel are summed as they arrive.
	for await (const [t] of list.inAnyOrder()) {
		const place = classify(t);
		if (!place) continue;
		const targets = [totals];
		if (byDay) {
			const day = dayInZone(t.created, period.timeZone);
			let sums = days.get(day);
			if (!sums) days.set(day, (sums = new CurrencySums(KEYS)));
			targets.push(sums);
		}
		for (const sums of targets) {
			sums.add(t.currency, place.key, place.sign * t.amount);
			sums.add(t.currency, 'fees', t.fee);
			sums.add(t.currency, 'net', t.net);
			sums.add(t.currency, 'transactions', 1);
		}
	}

	const report: IDataObject = {
		report: 'revenue',
		...describePeriod(period),
		by_currency: totals.toJson(['transactions']),
	};
	if (byDay) {
		report.by_day = [...days.keys()].sort().flatMap((day) => {
			const json = days.get(day)!.toJson(['transactions']);
			return Object.keys(json).map((currency) => ({
				date: day,
				currency,
				...(json[currency] as IDataObject),
			}));
		});
	}
	const byCurrency = report.by_currency as Record<string, IDataObject>;
	return withTable(
		ctx,
		report,
		(): Table => ({
			title: `Revenue ${periodDays(period)} (${period.timeZone})`,
			columns: ['Currency', 'Gross', 'Refunds', 'Disputes', 'Fees', 'Net', 'Transactions'],
			rows: Object.keys(byCurrency).map((c) => {
				const r = byCurrency[c];
				return [
					c.toUpperCase(),
					r.gross_formatted as string,
					r.refunds_formatted as string,
					r.disputes_formatted as string,
					r.fees_formatted as string,
					r.net_formatted as string,
					r.transactions as number,
				];
			}),
			notes: [
				'Net = gross − refunds − disputes − fees + other adjustments; ' +
					'payouts and transfers are not revenue.',
			],
		}),
	);
}
