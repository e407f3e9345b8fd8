/**
 * Payouts created in a period by status (paid, pending, in transit, canceled, failed) per
 * currency, the failed ones with Stripe's reason, and the next payout due to arrive.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount, money } from '../../shared/amounts';
import type { OperationContext } from '../../shared/operation';
import { PAGE_SIZE } from '../../shared/pagination';
import { dayInZone } from '../../shared/periods';
import type { Payout } from '../../shared/transport';
import { CurrencySums, describePeriod, periodDays, readPeriod, withTable, type Table } from './common';

const STATUSES = ['paid', 'pending', 'in_transit', 'canceled', 'failed'] as const;
type Status = (typeof STATUSES)[number];
const KEYS = [...STATUSES, ...STATUSES.map((s) => `${s}_count` as const)] as const;

export async function payoutsReport(ctx: OperationContext, nowMs = Date.now()): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const sums = new CurrencySums(KEYS);
	const failed: IDataObject[] = [];
	let count = 0;

	for await (const p of ctx.stripe.payouts.list({ limit: PAGE_SIZE, created: { gte: period.start, lt: period.end } }) as AsyncIterable<Payout>) {
		const status = (STATUSES as readonly string[]).includes(p.status) ? (p.status as Status) : null;
		if (!status) continue;
		count++;
		sums.add(p.currency, status, p.amount);
		sums.add(p.currency, `${status}_count`, 1);
		if (status === 'failed') {
			failed.push({ id: p.id, ...money('amount', p.amount, p.currency), currency: p.currency, failure_code: p.failure_code, failure_message: p.failure_message, created: new Date(p.created * 1000).toISOString() });
		}
	}

	// The next arrival is whatever is on its way now, whenever it was created.
	let next: Payout | undefined;
	for (const status of ['in_transit', 'pending'] as const) {
		for await (const p of ctx.stripe.payouts.list({ limit: PAGE_SIZE, status }) as AsyncIterable<Payout>) {
			if (!next || p.arrival_date < next.arrival_date) next = p;
		}
	}

	const report: IDataObject = {
		report: 'payouts',
		...describePeriod(period),
		payouts: count,
		by_currency: sums.toJson(KEYS.filter((k) => k.endsWith('_count'))),
		failed,
		next_arrival: next
			? { id: next.id, status: next.status, ...money('amount', next.amount, next.currency), currency: next.currency, arrival_date: dayInZone(next.arrival_date, period.timeZone) }
			: null,
	};
	const byCurrency = report.by_currency as Record<string, IDataObject>;
	const cell = (r: IDataObject, s: Status) => `${String(r[`${s}_formatted`])} (${String(r[`${s}_count`])})`;
	return withTable(ctx, report, (): Table => ({
		title: `Payouts ${periodDays(period)}`,
		columns: ['Currency', 'Paid', 'Pending', 'In transit', 'Failed'],
		rows: Object.keys(byCurrency).map((c) => [c.toUpperCase(), cell(byCurrency[c], 'paid'), cell(byCurrency[c], 'pending'), cell(byCurrency[c], 'in_transit'), cell(byCurrency[c], 'failed')]),
		notes: next ? [`Next arrival: ${formatAmount(next.amount, next.currency)} on ${dayInZone(next.arrival_date, period.timeZone)} (${next.status.replace('_', ' ')}).`] : [],
	}));
}
