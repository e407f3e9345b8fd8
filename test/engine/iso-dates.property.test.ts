/**
 * Version 2's simplified dates, as a property over every simplified shape of the Stripe Guard node,
 * with Stripe's own definitions as the oracle of which fields are timestamps
 * (fixtures/stripe-unix-time-fields.json, from scripts/generate-stripe-unix-times.mjs): Stripe's
 * example object of each type gets a distinct random Unix time (or null) in every field Stripe
 * defines as one, related objects expanded into it where the list allows; then
 *  - every such timestamp that reaches the simplified output (under its own name or another, in a
 *    list or an expanded object) is an ISO 8601 string of exactly the full object's value;
 *  - no timestamp remains a number anywhere in the simplified output;
 *  - everything else is what version 1's simplified output has (which keeps Unix seconds).
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import {
	objectTypeOf,
	simplifyDeep,
	type Shape,
} from '../../nodes/StripeGuard/framework/read-resource';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { balanceShape } from '../../nodes/StripeGuard/resources/balance';
import { checkoutLineShape } from '../../nodes/StripeGuard/resources/checkoutSession';
import { invoiceLineShape } from '../../nodes/StripeGuard/resources/invoice';
import { template } from '../emulator/fixtures';
import contract from '../emulator/contract/stripe-contract.json';
import oracle from './fixtures/stripe-unix-time-fields.json';

const RUNS = Number(process.env.PROPERTY_RUNS || 100);
const UNIX_TIMES = oracle.objects as Record<string, string[]>;

type Template = Parameters<typeof template>[0];
interface Case {
	type: string;
	template: Template;
	shape: Shape;
	/** Expandable fields and the object type an expansion gives. */
	expand: Record<string, string>;
}

const templateOf = (type: string) =>
	(type === 'checkout.session' ? 'checkout_session' : type) as Template;

/**
 * What an expandable field expands to, by the `stripe` package's types (the emulator's contract).
 */
const DEFS = contract.defs as Record<string, { props?: Record<string, unknown> }>;
const typeOfDef = new Map(
	Object.entries(contract.objectTypes as Record<string, string[]>).flatMap(([type, defs]) =>
		defs.map((d) => [d, type] as const),
	),
);
function expansions(type: string, fields: string[]): Record<string, string> {
	const props = DEFS[(contract.objectTypes as Record<string, string[]>)[type][0]].props ?? {};
	const out: Record<string, string> = {};
	for (const field of fields) {
		let schema = props[field] as { t?: string; of?: unknown } | undefined;
		if (schema?.t === 'nullable') schema = schema.of as typeof schema;
		const target =
			schema?.t === 'expandable' ? typeOfDef.get((schema.of as string[])[0]) : undefined;
		if (target && UNIX_TIMES[target]) out[field] = target;
	}
	return out;
}

const CASES: Case[] = [
	...querySpecs.map((spec) => ({
		type: objectTypeOf(spec),
		template: templateOf(objectTypeOf(spec)),
		shape: spec,
		expand: expansions(objectTypeOf(spec), spec.expand),
	})),
	{ type: 'line_item', template: 'line_item', shape: invoiceLineShape, expand: {} },
	{ type: 'item', template: 'item', shape: checkoutLineShape, expand: {} },
	{ type: 'balance', template: 'balance', shape: balanceShape, expand: {} },
];

/**
 * Every place a path of the oracle reaches in an object
 * ("items.data[].current_period_end" is one per item).
 */
function places(object: IDataObject, path: string): Array<{ parent: IDataObject; key: string }> {
	const [head, ...rest] = path.split('.');
	const list = head.endsWith('[]');
	const key = list ? head.slice(0, -2) : head;
	if (rest.length === 0) return [{ parent: object, key }];
	const value = object[key];
	const children = list ? (Array.isArray(value) ? value : []) : [value];
	return children
		.filter((c): c is IDataObject => !!c && typeof c === 'object' && !Array.isArray(c))
		.flatMap((c) => places(c, rest.join('.')));
}

/**
 * Stripe's example of a type with a fresh timestamp (or null) in every place Stripe defines one.
 */
function planted(type: string, next: () => number | null): IDataObject {
	const object = template(templateOf(type)) as IDataObject;
	for (const path of UNIX_TIMES[type] ?? [])
		for (const { parent, key } of places(object, path)) parent[key] = next();
	return object;
}

/**
 * A case's full object, with some of its expandable
 * fields expanded into planted objects of their own.
 */
const fullObject = (c: Case) =>
	fc
		.record({
			times: fc.uniqueArray(fc.integer({ min: 1_000_000_000, max: 2_100_000_000 }), {
				minLength: 400,
				maxLength: 400,
			}),
			nulls: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 400, maxLength: 400 }),
			expand: fc.subarray(Object.keys(c.expand)),
		})
		.map(({ times, nulls, expand }) => {
			let i = 0;
			const used: number[] = [];
			// About one place in five gets null, as Stripe sends for
			// a date not set (canceled_at of a live subscription).
			const next = () => {
				if (i >= times.length) throw new Error('more timestamp places than planted values');
				const [t, isNull] = [times[i], nulls[i] === 0];
				i++;
				if (isNull) return null;
				used.push(t);
				return t;
			};
			const object = planted(c.type, next);
			for (const field of expand) object[field] = planted(c.expand[field], next);
			return { object, times: new Set(used) };
		});

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * Version 2's value at each place of version 1's simplified output:
 * an ISO date where v1 has a planted time, else v1's value.
 */
function expectIsoWhereTimes(v1: unknown, v2: unknown, times: Set<number>, path: string): void {
	if (typeof v1 === 'number' && times.has(v1)) {
		expect([path, v2]).toEqual([path, iso(v1)]);
	} else if (v1 && typeof v1 === 'object') {
		expect([path, Array.isArray(v2), Object.keys(v2 as object)]).toEqual([
			path,
			Array.isArray(v1),
			Object.keys(v1),
		]);
		for (const [k, v] of Object.entries(v1))
			expectIsoWhereTimes(v, (v2 as Record<string, unknown>)[k], times, `${path}.${k}`);
	} else {
		expect([path, v2]).toEqual([path, v1]);
	}
}

function numbersIn(value: unknown): number[] {
	if (typeof value === 'number') return [value];
	if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
	return [];
}

test('the oracle covers every object type that is simplified', () => {
	for (const c of CASES)
		expect([c.type, Array.isArray(UNIX_TIMES[c.type])]).toEqual([c.type, true]);
	// A few that the shapes rename or nest, so that the property has them to check.
	expect(UNIX_TIMES.subscription).toEqual(
		expect.arrayContaining(['created', 'canceled_at', 'items.data[].current_period_end']),
	);
	expect(UNIX_TIMES.line_item).toEqual(['period.end', 'period.start']);
	// Expanded objects are simplified by their own shape: the property expands these.
	expect(CASES.find((c) => c.type === 'subscription')!.expand).toMatchObject({
		customer: 'customer',
		latest_invoice: 'invoice',
	});
	expect(CASES.find((c) => c.type === 'refund')!.expand).toMatchObject({
		charge: 'charge',
		payment_intent: 'payment_intent',
		balance_transaction: 'balance_transaction',
	});
});

describe.each(CASES.map((c) => [c.type, c] as const))('%s', (_, c) => {
	test(
		'simplified in version 2: every Stripe timestamp an ISO date of the ' +
			"full object's value, no Unix time left, the rest as in version 1",
		() => {
			fc.assert(
				fc.property(fullObject(c), ({ object, times }) => {
					const full = structuredClone(object);
					const v1 = simplifyDeep(c.shape, object, false);
					const v2 = simplifyDeep(c.shape, object, true);
					expect(object).toEqual(full); // the full object keeps Stripe's Unix seconds
					expectIsoWhereTimes(v1, v2, times, c.type);
					expect(numbersIn(v2).filter((n) => times.has(n))).toEqual([]);
				}),
				{ numRuns: RUNS },
			);
		},
	);
});

test('the shapes do output Stripe timestamps (so the property is not empty)', () => {
	const reached = CASES.filter((c) => {
		let t = 1_500_000_000;
		const v1 = simplifyDeep(
			c.shape,
			planted(c.type, () => t++),
			false,
		);
		return numbersIn(v1).some((n) => n >= 1_500_000_000 && n < t);
	}).map((c) => c.type);
	// Exactly the shapes that declare dates: a declared date that is no Stripe timestamp, or a
	// timestamp left undeclared, shows here.
	const declaring = CASES.filter((c) => c.shape.dates?.length).map((c) => c.type);
	expect(reached.sort()).toEqual(declaring.sort());
	expect(reached).toEqual(expect.arrayContaining(['customer', 'line_item', 'subscription']));
});
