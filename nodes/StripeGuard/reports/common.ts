/**
 * What every report shares: its period and time zone, sums per currency in integer minor units
 * (with formatted twins), and the ready-made table for Slack (text), Markdown and HTML emails.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
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
import {
	CANCELLATION_RULES,
	DISCOUNT_RULES,
	STRIPE_DEFAULTS,
	type CancellationRule,
	type DiscountRule,
	type ValueOptions,
} from './subscription-value';

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
		"IANA time zone (such as Europe/Berlin) for calendar periods, days and the report's heading; empty uses the workflow's time zone",
};

export const tableField: INodeProperties = {
	displayName: 'Include Table',
	name: 'includeTable',
	type: 'boolean',
	default: true,
	description:
		'Whether to add the figures as a ready table: table_text (monospace, for Slack), table_markdown and table_html (for email)',
};

/** Stripe's Billing analytics switches, shared by every report that values subscriptions (MRR, Movements). */
export const definitionFields: INodeProperties[] = [
	{
		displayName: 'Discounts',
		name: 'countDiscounts',
		type: 'options',
		options: [
			{
				name: 'Forever and One-Time',
				value: 'foreverAndOnce',
				description: 'Also one-time (once) coupons while they are on the subscription',
			},
			{
				name: 'Forever and Repeating',
				value: 'foreverAndRepeating',
				description: 'Also repeating coupons while they last',
			},
			{
				name: 'Forever Only',
				value: 'forever',
				description: "Stripe's default: only coupons with a forever duration lower MRR",
			},
			{
				name: 'Forever, Repeating and One-Time',
				value: 'all',
				description: 'Every coupon in effect lowers MRR',
			},
		],
		default: 'forever',
		description:
			"Which coupons lower MRR, as in Stripe's Billing analytics settings (subtract recurring discounts, one-time discounts, or both)",
	},
	{
		displayName: 'Scheduled Cancellations',
		name: 'scheduledCancellations',
		type: 'options',
		options: [
			{
				name: 'At Period End',
				value: 'atPeriodEnd',
				description: 'A subscription set to cancel counts until it actually ends',
			},
			{
				name: 'At Request',
				value: 'atRequest',
				description:
					"Stripe's default: a subscription set to cancel (at period end or at a date) stops counting when the cancellation was requested",
			},
		],
		default: 'atRequest',
		description:
			"When a subscription with a scheduled cancellation leaves MRR, as in Stripe's Billing analytics settings",
	},
];

/** The definition switches of `definitionFields` (trials only where the report offers Include Trialing). */
export function readDefinition(ctx: OperationContext, includeTrialing = false): ValueOptions {
	const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
		const value = ctx.fn.getNodeParameter(name, ctx.itemIndex, fallback) as T;
		if (!allowed.includes(value)) {
			// An expression or an agent ($fromAI) can hand over anything.
			throw new NodeOperationError(
				ctx.fn.getNode(),
				`"${String(value)}" is not one of ${allowed.join(', ')} for ${name}`,
				{
					itemIndex: ctx.itemIndex,
					description: 'Choose a value from the list.',
				},
			);
		}
		return value;
	};
	return {
		discounts: choice<DiscountRule>('countDiscounts', DISCOUNT_RULES, STRIPE_DEFAULTS.discounts),
		cancellations: choice<CancellationRule>(
			'scheduledCancellations',
			CANCELLATION_RULES,
			STRIPE_DEFAULTS.cancellations,
		),
		includeTrialing,
	};
}

/** How a report states the definition it used. */
export const describeDefinition = (o: ValueOptions): IDataObject => ({
	discounts: o.discounts,
	scheduled_cancellations: o.cancellations,
	include_trialing: o.includeTrialing,
});

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
					'Use a name such as Europe/Berlin, America/New_York or UTC, or leave it empty for the workflow time zone.',
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
	const bound = (name: 'start' | 'end') => {
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
	};
	const start = bound('start');
	const end = bound('end');
	if (end <= start) {
		throw new NodeOperationError(ctx.fn.getNode(), 'The custom range ends before it starts', {
			itemIndex: ctx.itemIndex,
			description: 'Set End to a later moment than Start.',
		});
	}
	return { start, end, period, timeZone };
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

/**
 * How many distinct IDs were added, holding 8 bytes per ID instead of the string: a 64-bit
 * fingerprint of each (two independent 32-bit hashes), counted after sorting. So a report's memory
 * stays flat however many customers it counts. Two of n IDs share a fingerprint with a chance of
 * about n² / 2⁶⁵: 1 in 37 million for a million customers.
 */
export class DistinctCount {
	private prints = new BigUint64Array(256);
	private length = 0;

	add(id: string): void {
		if (this.length === this.prints.length) {
			const grown = new BigUint64Array(this.length * 2);
			grown.set(this.prints);
			this.prints = grown;
		}
		this.prints[this.length++] = fingerprint(id);
	}

	count(): number {
		const sorted = this.prints.subarray(0, this.length).sort();
		let distinct = 0;
		for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
		return distinct;
	}
}

/** FNV-1a and a Murmur-style multiply-xorshift hash of the UTF-16 code units, side by side. */
function fingerprint(id: string): bigint {
	let fnv = 0x811c9dc5;
	let mix = 0x9e3779b9 ^ id.length;
	for (let i = 0; i < id.length; i++) {
		const c = id.charCodeAt(i);
		fnv = Math.imul(fnv ^ c, 0x01000193);
		mix = Math.imul(mix ^ c, 0x5bd1e995);
		mix ^= mix >>> 15;
	}
	mix = Math.imul(mix ^ (mix >>> 13), 0xc2b2ae35);
	mix ^= mix >>> 16;
	return (BigInt(fnv >>> 0) << 32n) | BigInt(mix >>> 0);
}

/** Named sums per currency; currencies appear in the order first seen. */
export class CurrencySums<K extends string> {
	private readonly sums = new Map<string, Record<K, number>>();

	constructor(private readonly keys: readonly K[]) {}

	add(currency: string, key: K, amount: number): void {
		let row = this.sums.get(currency);
		if (!row) {
			row = Object.fromEntries(this.keys.map((k) => [k, 0])) as Record<K, number>;
			this.sums.set(currency, row);
		}
		row[key] += amount;
	}

	currencies(): string[] {
		return [...this.sums.keys()].sort();
	}

	get(currency: string): Record<K, number> {
		return (
			this.sums.get(currency) ??
			(Object.fromEntries(this.keys.map((k) => [k, 0])) as Record<K, number>)
		);
	}

	/**
	 * `{usd: {gross: 1234, gross_formatted: "$12.34", …}}`, amounts rounded to whole minor units.
	 * Keys in `counts` are numbers of things, not money, and are not formatted.
	 */
	toJson(counts: readonly K[] = []): IDataObject {
		const out: IDataObject = {};
		for (const currency of this.currencies()) {
			const row = this.get(currency);
			const json: IDataObject = {};
			for (const key of this.keys) {
				const value = Math.round(row[key]);
				json[key] = value;
				if (!counts.includes(key)) json[`${key}_formatted`] = formatAmount(value, currency);
			}
			out[currency] = json;
		}
		return out;
	}
}

export interface Table {
	title: string;
	columns: string[];
	rows: Array<Array<string | number>>;
	/** Under the table: what the figures mean or leave out. */
	notes?: string[];
}

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeMarkdown = (s: string) => s.replace(/\|/g, '\\|');
/** Numbers and money read right-aligned. */
const numeric = (cells: Array<string | number>, i: number) =>
	cells.every((row) => /^[-+]?[^a-z]*\d/i.test(String(row)) || row === '') && i > 0;

/** The table three ways: monospace text in a code block (Slack), Markdown, and an HTML table. */
export function renderTable(table: Table): IDataObject {
	const cells = table.rows.map((r) => r.map(String));
	const right = table.columns.map((_, i) =>
		numeric(
			cells.map((r) => r[i]),
			i,
		),
	);
	const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
	const pad = (s: string, i: number) => (right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
	const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
	const notes = table.notes ?? [];
	const text = [
		`*${table.title}*`,
		'```',
		line(table.columns),
		widths.map((w) => '-'.repeat(w)).join('  '),
		...cells.map(line),
		'```',
		...notes.map((n) => `_${n}_`),
	].join('\n');
	const markdown = [
		`**${escapeMarkdown(table.title)}**`,
		'',
		`| ${table.columns.map(escapeMarkdown).join(' | ')} |`,
		`| ${right.map((r) => (r ? '---:' : '---')).join(' | ')} |`,
		...cells.map((r) => `| ${r.map(escapeMarkdown).join(' | ')} |`),
		...(notes.length ? ['', ...notes.map((n) => `_${escapeMarkdown(n)}_`)] : []),
	].join('\n');
	const th = table.columns
		.map(
			(c, i) =>
				`<th style="text-align:${right[i] ? 'right' : 'left'};padding:4px 8px;border-bottom:1px solid #ccc">${escapeHtml(c)}</th>`,
		)
		.join('');
	const trs = cells
		.map(
			(r) =>
				`<tr>${r.map((c, i) => `<td style="text-align:${right[i] ? 'right' : 'left'};padding:4px 8px">${escapeHtml(c)}</td>`).join('')}</tr>`,
		)
		.join('');
	const html =
		`<h3 style="font-family:sans-serif">${escapeHtml(table.title)}</h3>` +
		`<table style="border-collapse:collapse;font-family:sans-serif;font-size:14px"><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>` +
		notes
			.map(
				(n) => `<p style="font-family:sans-serif;font-size:12px;color:#555">${escapeHtml(n)}</p>`,
			)
			.join('');
	return { table_text: text, table_markdown: markdown, table_html: html };
}

/** Adds the table to the report when Include Table is on. */
export function withTable(
	ctx: OperationContext,
	report: IDataObject,
	table: () => Table,
): IDataObject {
	const include = ctx.fn.getNodeParameter('includeTable', ctx.itemIndex, true) as boolean;
	return include ? { ...report, ...renderTable(table()) } : report;
}

export const percent = (part: number, whole: number) =>
	whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
