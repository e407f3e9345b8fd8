/**
 * Payouts created in a period by status (paid, pending, in transit, canceled, failed) per
 * currency, the failed ones with Stripe's reason, and the next payout due to arrive.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount, money } from '../../shared/amounts';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import { dayInZone } from '../framework/periods';
import type { Payout } from '../../shared/transport';
import { describePeriod, periodDays, readPeriod } from './report-period';
import { CurrencySums } from './sums';
import { withTable, type Table } from './table';

const STATUSES = ['paid', 'pending', 'in_transit', 'canceled', 'failed'] as const;
type Status = (typeof STATUSES)[number];
/** A payout still on its way this many days after its expected arrival is still the next one. */
const ARRIVAL_SLACK_DAYS = 7;
const KEYS = [...STATUSES, ...STATUSES.map((s) => `${s}_count` as const)] as const;

export async function payoutsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const sums = new CurrencySums(KEYS);
	const failed: IDataObject[] = [];
	let count = 0;

	for await (const p of ctx.stripe.payouts.list({
		limit: PAGE_SIZE,
		created: { gte: period.start, lt: period.end },
	}) as AsyncIterable<Payout>) {
		const status = (STATUSES as readonly string[]).includes(p.status) ? (p.status as Status) : null;
		if (!status) continue;
		count++;
		sums.add(p.currency, status, p.amount);
		sums.add(p.currency, `${status}_count`, 1);
		if (status === 'failed') {
			failed.push({
				id: p.id,
				...money('amount', p.amount, p.currency),
				currency: p.currency,
				failure_code: p.failure_code,
				failure_message: p.failure_message,
				created: new Date(p.created * 1000).toISOString(),
			});
		}
	}

	// The next arrival is whatever is on its way now, whenever it was created. Stripe's list has no
	// `in_transit` filter (status takes pending, paid, failed or canceled): what is on its way
	// arrives from today on, give or take a bank's delay, so read those and keep the unpaid ones.
	let next: Payout | undefined;
	const recently = Math.floor(nowMs / 1000) - ARRIVAL_SLACK_DAYS * 86_400;
	for await (const p of ctx.stripe.payouts.list({
		limit: PAGE_SIZE,
		arrival_date: { gte: recently },
	}) as AsyncIterable<Payout>) {
		if (p.status !== 'in_transit' && p.status !== 'pending') continue;
		if (!next || p.arrival_date < next.arrival_date) next = p;
	}

	const report: IDataObject = {
		report: 'payouts',
		...describePeriod(period),
		payouts: count,
		by_currency: sums.toJson(KEYS.filter((k) => k.endsWith('_count'))),
		failed,
		next_arrival: next
			? {
					id: next.id,
					status: next.status,
					...money('amount', next.amount, next.currency),
					currency: next.currency,
					arrival_date: dayInZone(next.arrival_date, period.timeZone),
				}
			: null,
	};
	const byCurrency = report.by_currency as Record<string, IDataObject>;
	const cell = (r: IDataObject, s: Status) =>
		`${String(r[`${s}_formatted`])} (${String(r[`${s}_count`])})`;
	return withTable(
		ctx,
		report,
		(): Table => ({
			title: `Payouts ${periodDays(period)}`,
			columns: ['Currency', 'Paid', 'Pending', 'In transit', 'Failed'],
			rows: Object.keys(byCurrency).map((c) => [
				c.toUpperCase(),
				cell(byCurrency[c], 'paid'),
				cell(byCurrency[c], 'pending'),
				cell(byCurrency[c], 'in_transit'),
				cell(byCurrency[c], 'failed'),
			]),
			notes: next
				? [
						`Next arrival: ${formatAmount(next.amount, next.currency)} ` +
							`on ${dayInZone(next.arrival_date, period.timeZone)} ` +
							`(${next.status.replace('_', ' ')}).`,
					]
				: [],
		}),
	);
}
