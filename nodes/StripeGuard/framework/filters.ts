/**
 * List filters, declared once per resource and used twice: as n8n fields in the node and as the
 * allow-listed filters of the query language. Both paths end in the same Stripe parameters.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { z } from 'zod';

import { isStripeId, type IdPrefix } from '../../shared/ids';
import { locatorField } from './locator';
import { PERIODS, PERIOD_VALUES, periodRange, type Period } from './periods';
import { idForms, prefixWords } from './words';

export interface FilterSpec {
	/** Stripe's parameter name, which is also the filter's name in the query language. */
	name: string;
	displayName: string;
	description: string;
	kind: 'text' | 'id' | 'options' | 'boolean' | 'currency' | 'dateRange';
	/** kind 'id': the prefix the ID must have (one of them, where the type has several). */
	idPrefix?: IdPrefix;
	/** kind 'options': the values Stripe accepts. */
	options?: INodePropertyOptions[];
}

/** A date range as the user or the model gives it: a relative period, or bounds. */
export type DateRangeValue =
	| Period
	| { gt?: number | string; gte?: number | string; lt?: number | string; lte?: number | string };

/** What an ID filter names, as messages say it: "Payment Intent ID" → "payment intent". */
export const idFilterLabel = (spec: FilterSpec) =>
	spec.displayName.replace(/ ID$/, '').toLowerCase();

/** The field name of a filter in the node's Filters collection. */
export const camel = (name: string) =>
	name.replace(/[_.[\]]+(\w)/g, (_m, c: string) => c.toUpperCase());

/** The n8n fields of a filter collection; a date range becomes Within / From / Before. */
export function filterFields(specs: FilterSpec[]): INodeProperties[] {
	return specs.flatMap((spec): INodeProperties[] => {
		const n = camel(spec.name);
		switch (spec.kind) {
			case 'dateRange':
				return [
					{
						displayName: `${spec.displayName} Within`,
						name: `${n}Within`,
						type: 'options',
						options: PERIODS.map((p) => ({ name: p.name, value: p.value })),
						default: 'last_30_days',
						description:
							`${spec.description}: a period relative to now ` +
							`(calendar periods in the workflow's time zone)`,
					},
					{
						displayName: `${spec.displayName} From`,
						name: `${n}From`,
						type: 'dateTime',
						default: '',
						description: `${spec.description}: at or after this time`,
					},
					{
						displayName: `${spec.displayName} Before`,
						name: `${n}Before`,
						type: 'dateTime',
						default: '',
						description: `${spec.description}: before this time`,
					},
				];
			case 'options': {
				const firstOption = spec.options?.[0]?.value ?? '';
				return [
					{
						displayName: spec.displayName,
						name: n,
						type: 'options',
						options: spec.options ?? [],
						default: firstOption,
						description: spec.description,
					},
				];
			}
			case 'boolean':
				return [
					{
						displayName: spec.displayName,
						name: n,
						type: 'boolean',
						default: true,
						description: `Whether ${spec.description.replace(/^\w/, (c) => c.toLowerCase())}`,
					},
				];
			case 'id':
				// A filter naming an object is a resource locator too (From List, By ID, By URL).
				return [
					locatorField(n, idFilterLabel(spec), spec.idPrefix ?? '', {
						displayName: spec.displayName.replace(/ ID$/, ''),
						required: false,
						description:
							`${spec.description}: pick it from the list, ` +
							`or give its ID (${idForms(spec.idPrefix ?? '')}) or its Stripe Dashboard URL`,
					}),
				];
			default:
				return [
					{
						displayName: spec.displayName,
						name: n,
						type: 'string',
						default: '',
						placeholder: spec.kind === 'currency' ? 'usd' : undefined,
						description: spec.description,
					},
				];
		}
	});
}

/**
 * Date filters given both ways: a period relative to now (Within) and fixed bounds (From /
 * Before). Either alone is clear; both would silently drop one, so the node refuses them.
 */
export function conflictingDateFilters(
	specs: FilterSpec[],
	values: Record<string, unknown>,
): FilterSpec[] {
	return specs.filter((spec) => {
		if (spec.kind !== 'dateRange') return false;
		const n = camel(spec.name);
		return Boolean(values[`${n}Within`]) && Boolean(values[`${n}From`] || values[`${n}Before`]);
	});
}

/**
 * Reads the n8n filter collection into the query
 * language's filter values (unset fields are left out).
 */
export function filtersFromFields(
	specs: FilterSpec[],
	values: Record<string, unknown>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const spec of specs) {
		const n = camel(spec.name);
		if (spec.kind === 'dateRange') {
			// Both ways at once are refused before this (conflictingDateFilters).
			const from = values[`${n}From`];
			const before = values[`${n}Before`];
			if (from || before)
				out[spec.name] = { ...(from ? { gte: from } : {}), ...(before ? { lt: before } : {}) };
			else if (values[`${n}Within`]) out[spec.name] = values[`${n}Within`];
			continue;
		}
		const value = values[n];
		if (value === undefined || value === null || value === '') continue;
		out[spec.name] = typeof value === 'string' ? value.trim() : value;
	}
	return out;
}

const BOUNDS = ['gt', 'gte', 'lt', 'lte'];
const isDateBound = (v: unknown) =>
	(typeof v === 'number' && Number.isInteger(v) && v >= 0) ||
	(typeof v === 'string' && Number.isFinite(Date.parse(v)));

/**
 * A relative period name, or `{gte, lt, …}` with Unix
 * seconds or ISO dates; messages say which part is wrong.
 */
const dateRangeSchema = z
	.unknown()
	.describe(
		`a period (${PERIOD_VALUES.join(', ')}) or {"gte": "2026-01-01", ` +
			'"lt": "2026-02-01"} (also gt, lte; dates or ISO times)',
	)
	.superRefine((value, ctx) => {
		if (typeof value === 'string') {
			if (!(PERIOD_VALUES as string[]).includes(value)) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					message:
						`must be one of ${PERIOD_VALUES.join(', ')}, ` +
						'or an object like {"gte": "2026-01-01", "lt": "2026-02-01"}',
				});
			}
			return;
		}
		if (
			typeof value !== 'object' ||
			value === null ||
			Array.isArray(value) ||
			Object.keys(value).length === 0
		) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				message: 'must be a period name or an object with gt, gte, lt or lte',
			});
			return;
		}
		for (const [op, bound] of Object.entries(value)) {
			if (!BOUNDS.includes(op))
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					message: `has "${op}"; use gt, gte, lt or lte`,
				});
			else if (!isDateBound(bound)) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					message:
						`${op} is not a date: use an ISO date such as ` +
						'2026-01-31 or 2026-01-31T12:00:00Z, or Unix seconds',
				});
			}
		}
	}) as z.ZodType<DateRangeValue>;

/** The zod schema of one filter's value. */
/**
 * The schema a filter's value must satisfy; its
 * description is what the query grammar tells a model.
 */
export function filterSchema(spec: FilterSpec): z.ZodTypeAny {
	switch (spec.kind) {
		case 'text':
			return z.string().trim().min(1).max(500).describe('text');
		case 'id':
			return z
				.string()
				.trim()
				.refine((id) => isStripeId(id, spec.idPrefix ?? ''), {
					message: `must be an ID starting with ${prefixWords(spec.idPrefix ?? '')}`,
				})
				.describe(`an ID starting with ${prefixWords(spec.idPrefix ?? '')}`);
		case 'options': {
			const values = (spec.options ?? []).map((o) => String(o.value)) as [string, ...string[]];
			return z.enum(values).describe(`one of ${values.join(', ')}`);
		}
		case 'boolean':
			return z.boolean().describe('true or false');
		case 'currency':
			return z
				.string()
				.trim()
				.regex(/^[A-Za-z]{3}$/, { message: 'must be a three-letter ISO currency code such as usd' })
				.transform((c) => c.toLowerCase())
				.describe('a three-letter currency code such as usd');
		case 'dateRange':
			return dateRangeSchema;
	}
}

/** The zod schema of a resource's filter object: only its allow-listed filters, each validated. */
export function filtersSchema(specs: FilterSpec[]) {
	return z
		.object(Object.fromEntries(specs.map((s) => [s.name, filterSchema(s).optional()])))
		.strict();
}

const toUnix = (v: number | string) =>
	typeof v === 'number' ? v : Math.floor(Date.parse(v) / 1000);

/** Validated filter values → Stripe list parameters. */
export function stripeListParams(
	specs: FilterSpec[],
	filters: Record<string, unknown>,
	timeZone: string,
): Record<string, unknown> {
	const params: Record<string, unknown> = {};
	for (const spec of specs) {
		const value = filters[spec.name];
		if (value === undefined) continue;
		if (spec.kind === 'dateRange') {
			const range = value as DateRangeValue;
			params[spec.name] =
				typeof range === 'string'
					? periodRange(range, timeZone)
					: Object.fromEntries(
							Object.entries(range).map(([op, bound]) => [op, toUnix(bound as number | string)]),
						);
		} else params[spec.name] = value;
	}
	return params;
}
