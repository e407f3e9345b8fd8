/**
 * The period a report covers and its time zone: the fields, reading them (an expression or an
 * agent can hand over anything, so every value is checked), and how the output states them.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import type { OperationContext } from '../framework/operation';
import {
	PERIODS,
	PERIOD_VALUES,
	dayInZone,
	isTimeZone,
	periodRange,
	zonedTimeToUnix,
	type Period,
} from '../framework/periods';

export interface ReportPeriod {
	/** Unix seconds, inclusive. */
	start: number;
	/** Unix seconds, exclusive. */
	end: number;
	period: string;
	timeZone: string;
}

/** Typed, so the compiler checks it is one of PERIODS (n8n's lint sees only literal options). */
const DEFAULT_PERIOD: Period = 'last_30_days';

export const periodFields: INodeProperties[] = [
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [...PERIODS, { name: 'Custom Range', value: 'custom' }],
		default: DEFAULT_PERIOD,
		description:
			'The time span the report covers; calendar periods start at midnight in the time zone below',
	},
	{
		displayName: 'Start',
		name: 'start',
		type: 'dateTime',
		default: '',
		required: true,
		displayOptions: { show: { period: ['custom'] } },
		description: 'First moment of the range (without an offset it is read in the time zone below)',
	},
	{
		displayName: 'End',
		name: 'end',
		type: 'dateTime',
		default: '',
		required: true,
		displayOptions: { show: { period: ['custom'] } },
		description: 'The range ends just before this moment',
	},
];

export const timeZoneField: INodeProperties = {
	displayName: 'Time Zone',
	name: 'timeZone',
	type: 'string',
	default: '',
	placeholder: "Empty: the workflow's time zone",
	description:
		"IANA time zone (such as Europe/Berlin) for calendar periods, days and the report's " +
		"heading; empty uses the workflow's time zone",
};

export function readTimeZone(ctx: OperationContext): string {
	const given = (ctx.fn.getNodeParameter('timeZone', ctx.itemIndex, '') as string).trim();
	const timeZone = given || ctx.fn.getTimezone();
	if (!isTimeZone(timeZone)) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Time Zone "${timeZone}" is not an IANA time zone`,
			{
				itemIndex: ctx.itemIndex,
				description:
					'Use a name such as Europe/Berlin, America/New_York or UTC, or leave it empty for the ' +
					'workflow time zone.',
			},
		);
	}
	return timeZone;
}

export function readPeriod(ctx: OperationContext, nowMs = Date.now()): ReportPeriod {
	const timeZone = readTimeZone(ctx);
	const period = ctx.fn.getNodeParameter('period', ctx.itemIndex) as Period | 'custom';
	if (period !== 'custom' && !PERIOD_VALUES.includes(period)) {
		// An expression or an agent ($fromAI) can hand over anything.
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Period "${String(period)}" is not one of ${PERIOD_VALUES.join(', ')} or custom`,
			{
				itemIndex: ctx.itemIndex,
				description: 'Choose a period from the list, or Custom Range with a Start and an End.',
			},
		);
	}
	if (period !== 'custom') {
		const { gte, lt } = periodRange(period, timeZone, nowMs);
		return { start: gte, end: lt, period, timeZone };
	}
	const start = customBound(ctx, 'start', timeZone);
	const end = customBound(ctx, 'end', timeZone);
	if (end <= start) {
		throw new NodeOperationError(ctx.fn.getNode(), 'The custom range ends before it starts', {
			itemIndex: ctx.itemIndex,
			description: 'Set End to a later moment than Start.',
		});
	}
	return { start, end, period, timeZone };
}

/** A custom range's Start or End in Unix seconds; a date without an offset is in `timeZone`. */
function customBound(ctx: OperationContext, name: 'start' | 'end', timeZone: string): number {
	const raw = ctx.fn.getNodeParameter(name, ctx.itemIndex, '') as unknown;
	const text = raw instanceof Date ? raw.toISOString() : String(raw ?? '');
	const unix = text ? zonedTimeToUnix(text, timeZone) : NaN;
	if (!Number.isFinite(unix)) {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`${name === 'start' ? 'Start' : 'End'} of the custom range is not a date: "${text}"`,
			{
				itemIndex: ctx.itemIndex,
				description: 'Use an ISO date such as 2026-03-01 or 2026-03-01T09:00:00.',
			},
		);
	}
	return unix;
}

/** The period as it appears in the output: bounds as ISO instants and the zone they were cut in. */
export function describePeriod(p: ReportPeriod): IDataObject {
	return {
		period: p.period,
		start: new Date(p.start * 1000).toISOString(),
		end: new Date(p.end * 1000).toISOString(),
		time_zone: p.timeZone,
	};
}

/** "2026-03-01 to 2026-03-31": the period's first and last day in its zone, for table titles. */
export const periodDays = (p: ReportPeriod) =>
	`${dayInZone(p.start, p.timeZone)} to ${dayInZone(p.end - 1, p.timeZone)}`;
