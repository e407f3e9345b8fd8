/**
 * A billing history built in the emulator as Stripe records it, for the past-period tests: prices
 * billed every month or year, subscriptions, their invoices (each checked against Stripe's
 * definitions) and events.
 */
import { serialize } from '../emulator/api';
import { subscriptionInvoice, type BilledLineSpec } from '../emulator/billing';
import { checkObject } from '../emulator/contract';
import type { StripeEmulator, StripeObject } from '../emulator';
import { at } from './past-month';

/** A Stripe event of `type` at `created` about `object` (a copy), with what it changed. */
export function createEvent(
	e: StripeEmulator,
	type: string,
	created: number,
	object: StripeObject,
	previous?: object,
): void {
	e.create('event', 'test', {
		type,
		created,
		data: {
			object: structuredClone(object),
			...(previous ? { previous_attributes: previous } : {}),
		},
	});
}

export function pastBilling(e: StripeEmulator) {
	const monthly = (amount: number, currency = 'usd', interval = 'month') =>
		e.create('price', 'test', {
			currency,
			unit_amount: amount,
			unit_amount_decimal: String(amount),
			recurring: {
				interval,
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
	const subscription = (
		id: string,
		customer: string,
		price: StripeObject,
		quantity: number,
		created: number,
		extra: Record<string, unknown> = {},
	) =>
		e.create('subscription', 'test', {
			id,
			customer,
			status: 'active',
			currency: price.currency,
			created,
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [{ id: `si_${id}`, object: 'subscription_item', quantity, discounts: [], price }],
			},
			...extra,
		});
	const invoice = (
		sub: StripeObject,
		created: number,
		lines: BilledLineSpec[],
		extra: Partial<Parameters<typeof subscriptionInvoice>[0]> = {},
	) => {
		const made = e.create(
			'invoice',
			'test',
			subscriptionInvoice({
				subscription: String(sub.id),
				customer: String(sub.customer),
				currency: String(sub.currency),
				created,
				lines,
				...extra,
			}),
		);
		// What the emulator serves is what Stripe defines (API 2026-10-28).
		expect(checkObject('invoice', JSON.parse(serialize(made)))).toEqual([]);
		return made;
	};
	/** A cycle's line: the item as it is for the whole period, billed in advance. */
	const cycle = (
		sub: StripeObject,
		price: StripeObject,
		quantity: number,
		start: number,
		end: number,
	) =>
		({
			item: `si_${String(sub.id)}`,
			price: price as never,
			quantity,
			start,
			end,
			amount: Number(price.unit_amount) * quantity,
		}) satisfies BilledLineSpec;
	/** The renewals on `day` of each of `months` (counted from the reported month, past-month.ts). */
	const monthlyInvoices = (
		sub: StripeObject,
		price: StripeObject,
		quantity: number,
		day: number,
		months: number[],
	) => {
		for (const m of months)
			invoice(sub, at(m, day), [cycle(sub, price, quantity, at(m, day), at(m + 1, day))]);
	};
	const event = (type: string, created: number, object: StripeObject, previous?: object) =>
		createEvent(e, type, created, object, previous);
	const customer = () => e.create('customer', 'test').id;
	return { monthly, subscription, invoice, cycle, monthlyInvoices, event, customer };
}
