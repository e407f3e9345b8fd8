/**
 * Retention by cohort, as Stripe's Billing analytics defines it: "Stripe assigns cohorts to
 * subscribers based off of when they first started generating positive Monthly Recurring Revenue
 * (MRR) by starting active paying subscriptions. For all subscribers in a cohort, we measure
 * retention by checking to see whether a subscriber churned during a given month, based on
 * Coordinated Universal Time (UTC). Retention is the percentage of subscribers from that cohort
 * that haven't yet churned by the end of the month. After a subscriber churns, if they
 * re-subscribe, they will remain a part of their original cohort."
 * (support.stripe.com/questions/subscriber-cohorts-and-cohort-retention-in-billing)
 *
 * So a cohort is the subscribers (customers, per currency) whose MRR first went above 0 in a
 * month; for it and each later month, the share still paying at the month's end (one who came
 * back counts again, in its original cohort) and, as ChartMogul's net MRR retention by cohort
 * does, their MRR at the month's end over the MRR they started with (expansion and reactivation
 * raise it, contraction and churn lower it). Months in UTC by default, as Stripe's.
 *
 * The MRR comes from the same per-subscriber valuation as every subscription report
 * (./subscriber-tally.ts): before Stripe's 30 days of events, from the invoices created from a
 * month before the first cohort month on (a line billed earlier, a yearly item's, is not looked up
 * per subscription). What no invoice covers is valued with the oldest state the events reach, and
 * each figure says whether it may rest on such a moment.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { dayInZone, zonedTimeToUnix } from '../framework/periods';
import type { OperationContext } from '../framework/operation';
import { describeDefinition, readDefinition } from './mrr-definition';
import { readTimeZone } from './report-period';
import type { SubscriberPath } from './subscriber-movements';
import {
	laterStateNote,
	tallyLimits,
	tallySubscribers,
	type SubscriberTally,
} from './subscriber-tally';
import { percent } from './sums';
import { withTable, type Table } from './table';

export const MAX_COHORT_MONTHS = 36;

export const cohortFields: INodeProperties[] = [
	{
		displayName: 'Months',
		name: 'months',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_COHORT_MONTHS },
		default: 12,
		description: 'How many calendar months of cohorts, this month (to date) included',
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: 'UTC',
		placeholder: "Empty: the workflow's time zone",
		description:
			"IANA time zone the months are cut in; Stripe's cohorts use UTC. Empty uses the " +
			"workflow's time zone.",
	},
];

/** One currency's cohorts, the oldest first; each row's cells from its own month on. */
interface Cohorts {
	size: number[];
	/** The MRR each subscriber started with, summed. */
	started: number[];
	/** [cohort][month]: subscribers paying, and their MRR, at the month's end. */
	paying: number[][];
	mrr: number[][];
}

export async function cohortsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const timeZone = readTimeZone(ctx);
	const count = readMonths(ctx);
	const definition = readDefinition(ctx);
	const now = Math.floor(nowMs / 1000);
	const months = monthStarts(now, count, timeZone);
	// Month k runs [bounds[k], bounds[k + 1]); the last one up to now.
	const bounds = [...months.map((m) => m.start), now + 1];
	const range = { start: bounds[0], end: now + 1 };
	// Invoices from a month before the first cohort month; older ones are looked up only for a
	// subscription they show not paying then (new or back decides its cohort), not for a yearly
	// item's line, which would cost a request per yearly subscription alive then.
	const tally = await tallySubscribers(ctx, range, definition, nowMs, undefined, {
		olderInvoices: 'notPaying',
	});

	const byCurrency = new Map<string, Cohorts>();
	let older = 0;
	tally.ledger.totals((path) => {
		if (path.paidBefore) {
			if (path.start > 0 || path.moves.length) older++;
			return;
		}
		if (!path.moves.length) return;
		let cohorts = byCurrency.get(path.currency);
		if (!cohorts) byCurrency.set(path.currency, (cohorts = emptyCohorts(count)));
		follow(cohorts, path, bounds);
	});

	const inWindow = (t: number) => tally.eventsRead && t >= tally.windowStart;
	const laterState = (t: number) => tally.laterState > 0 && !inWindow(t);
	const out: IDataObject = {};
	for (const currency of [...byCurrency.keys()].sort())
		out[currency] = {
			cohorts: cohortRows(byCurrency.get(currency)!, months, bounds, currency, laterState),
		};
	const report: IDataObject = {
		report: 'cohorts',
		months: count,
		time_zone: timeZone,
		start: new Date(range.start * 1000).toISOString(),
		as_of: new Date(now * 1000).toISOString(),
		definition: describeDefinition(definition),
		by_currency: out,
		subscribers_before_first_cohort: older,
		limits: tallyLimits(tally),
		requests: {
			subscription_pages: tally.subscriptionPages,
			event_pages: tally.eventPages,
			invoice_pages: tally.invoicePages,
			invoice_line_pages: tally.invoiceLinePages,
			invoice_lookups: tally.invoiceLookups,
		},
	};
	return withTable(ctx, report, () => cohortsTable(report, months, timeZone, tally));
}

function readMonths(ctx: OperationContext): number {
	const value = ctx.fn.getNodeParameter('months', ctx.itemIndex, 12) as unknown;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36) {
		// An expression or an agent ($fromAI) can hand over anything.
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Months must be a whole number from 1 to ${MAX_COHORT_MONTHS}, not "${String(value)}"`,
			{ itemIndex: ctx.itemIndex, description: 'Set Months to 12 for a year of cohorts.' },
		);
	}
	return value;
}

/** The first moment of each of the last `count` calendar months in the zone, oldest first. */
function monthStarts(now: number, count: number, timeZone: string) {
	const [year, month] = dayInZone(now, timeZone).split('-').map(Number);
	return Array.from({ length: count }, (_, i) => {
		const back = count - 1 - i;
		const index = year * 12 + (month - 1) - back;
		const label = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
		return { label, start: zonedTimeToUnix(`${label}-01`, timeZone) };
	});
}

const emptyCohorts = (count: number): Cohorts => ({
	size: new Array<number>(count).fill(0),
	started: new Array<number>(count).fill(0),
	paying: Array.from({ length: count }, () => new Array<number>(count).fill(0)),
	mrr: Array.from({ length: count }, () => new Array<number>(count).fill(0)),
});

/**
 * A subscriber that first paid in the range: its cohort is the month it became new, and its MRR
 * at each later month's end (the MRR after its last movement before the end).
 */
function follow(cohorts: Cohorts, path: SubscriberPath, bounds: number[]): void {
	const first = path.moves[0];
	const cohort = monthOf(first.t, bounds);
	if (cohort < 0) return;
	cohorts.size[cohort]++;
	cohorts.started[cohort] += first.amount;
	let k = 0;
	for (let month = cohort; month < bounds.length - 1; month++) {
		const end = bounds[month + 1];
		while (k + 1 < path.moves.length && path.moves[k + 1].t < end) k++;
		const mrr = path.moves[k].mrr;
		if (mrr > 0) cohorts.paying[cohort][month]++;
		cohorts.mrr[cohort][month] += mrr;
	}
}

function monthOf(t: number, bounds: number[]): number {
	for (let k = bounds.length - 2; k >= 0; k--)
		if (t >= bounds[k]) return t < bounds[k + 1] ? k : -1;
	return -1;
}

function cohortRows(
	cohorts: Cohorts,
	months: Array<{ label: string; start: number }>,
	bounds: number[],
	currency: string,
	laterState: (t: number) => boolean,
): IDataObject[] {
	return months.map(({ label, start }, c) => {
		const started = Math.round(cohorts.started[c]);
		return {
			cohort: label,
			subscribers: cohorts.size[c],
			mrr: started,
			mrr_formatted: formatAmount(started, currency),
			// Who joined (their first payment) was read from a later state.
			valued_with_later_state: laterState(start),
			months: months.slice(c).map(({ label: month }, i) => {
				const m = c + i;
				const mrr = Math.round(cohorts.mrr[c][m]);
				return {
					month: i,
					period: month,
					subscribers: cohorts.paying[c][m],
					subscriber_retention_percent: cohorts.size[c]
						? percent(cohorts.paying[c][m], cohorts.size[c])
						: null,
					mrr,
					mrr_formatted: formatAmount(mrr, currency),
					mrr_retention_percent: cohorts.started[c]
						? percent(cohorts.mrr[c][m], cohorts.started[c])
						: null,
					valued_with_later_state: laterState(bounds[m + 1] - 1),
				};
			}),
		};
	});
}

function cohortsTable(
	report: IDataObject,
	months: Array<{ label: string }>,
	timeZone: string,
	tally: SubscriberTally,
): Table {
	const byCurrency = report.by_currency as Record<string, { cohorts: IDataObject[] }>;
	const currencies = Object.keys(byCurrency);
	const several = currencies.length > 1;
	const rows: Table['rows'] = [];
	let marked = false;
	for (const currency of currencies) {
		for (const row of byCurrency[currency].cohorts) {
			const cells = (row.months as IDataObject[]).map((cell) => {
				if (row.subscribers === 0) return '';
				const star = cell.valued_with_later_state ? '*' : '';
				marked ||= star !== '';
				return (
					`${String(cell.subscriber_retention_percent)} / ` +
					`${String(cell.mrr_retention_percent)}${star}`
				);
			});
			rows.push([
				several ? `${currency.toUpperCase()} ${String(row.cohort)}` : String(row.cohort),
				row.subscribers as number,
				row.mrr_formatted as string,
				...cells,
				...new Array<string>(months.length - cells.length).fill(''),
			]);
		}
	}
	const notes = [
		'Each cell: % of the cohort still paying at the month’s end / their MRR then as % of the ' +
			'MRR they started with. A cohort is the subscribers whose MRR first went above 0 that ' +
			'month; one who churned and came back counts again in its own cohort.',
		...(marked
			? [
					'* Before Stripe’s 30 days of events: where no invoice billed a subscription, ' +
						'valued with a later state of it.',
				]
			: []),
		...laterStateNote(tally),
	];
	return {
		title:
			`Retention by cohort, ${months[0].label} to ${months[months.length - 1].label} ` +
			`(${timeZone}; the last month to date)`,
		columns: ['Cohort', 'Subscribers', 'MRR', ...months.map((_, i) => `M${i}`)],
		rows,
		notes,
	};
}
