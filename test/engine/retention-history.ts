/**
 * Constructed histories for the subscription metrics and cohort tests: customers, monthly USD
 * prices, subscriptions with their dates, their events and invoices, in the emulator; and the
 * reports run through n8n-core (version 2, as a node added today).
 */
import type { IDataObject } from 'n8n-workflow';

import type { StripeEmulator, StripeObject } from '../emulator';
import { runStripeGuard } from './harness';

export const DAY = 86_400;

export function historyOf(emulator: () => StripeEmulator, created: number) {
	/** A monthly USD price of `amount` (0: a free plan). */
	const price = (amount: number) =>
		emulator().create('price', 'test', {
			currency: 'usd',
			unit_amount: amount,
			unit_amount_decimal: String(amount),
			recurring: {
				interval: 'month',
				interval_count: 1,
				usage_type: 'licensed',
				meter: null,
				trial_period_days: null,
			},
		});
	const customer = () => emulator().create('customer', 'test').id;
	/** Paying since `created` unless `extra` says otherwise. */
	const sub = (cus: string, amount: number, extra: Record<string, unknown> = {}) =>
		emulator().create('subscription', 'test', {
			customer: cus,
			status: 'active',
			currency: 'usd',
			created,
			items: {
				object: 'list',
				has_more: false,
				url: '/v1/subscription_items',
				data: [
					{
						id: `si_${Math.floor(Math.random() * 1e12)}`,
						object: 'subscription_item',
						quantity: 1,
						discounts: [],
						price: price(amount),
					},
				],
			},
			...extra,
		});
	/** One of Stripe's subscription events, if `at` is inside its 30 days. */
	const event = (type: string, at: number, object: StripeObject) => {
		if (at > Math.floor(Date.now() / 1000) - 30 * DAY)
			emulator().create('event', 'test', {
				type,
				created: at,
				data: { object: structuredClone(object) },
			});
	};
	/** Paying from `from`, canceled at once at `at`, with its event. */
	const canceled = (cus: string, amount: number, at: number, from = created) => {
		const s = sub(cus, amount, {
			status: 'canceled',
			created: from,
			canceled_at: at,
			ended_at: at,
		});
		event('customer.subscription.deleted', at, s);
		return s;
	};
	/** Created at `at` without a trial, with its event. */
	const started = (
		cus: string,
		amount: number,
		at: number,
		extra: Record<string, unknown> = {},
	) => {
		const s = sub(cus, amount, { created: at, ...extra });
		event('customer.subscription.created', at, s);
		return s;
	};
	/** An invoice of the subscription, created at `at`. */
	const invoice = (
		subscription: StripeObject,
		at: number,
		status: 'paid' | 'open',
		billing_reason: string,
		total = 1000,
	) =>
		emulator().create('invoice', 'test', {
			customer: subscription.customer,
			created: at,
			status,
			billing_reason,
			total,
			subtotal: total,
			amount_due: total,
			amount_paid: status === 'paid' ? total : 0,
			amount_remaining: status === 'paid' ? 0 : total,
			parent: {
				type: 'subscription_details',
				quote_details: null,
				subscription_details: { metadata: {}, subscription: subscription.id },
			},
		});
	return { price, customer, sub, event, canceled, started, invoice };
}

/** A report through n8n-core; its one item's JSON. */
export async function runReport(
	emulator: () => StripeEmulator,
	operation: string,
	parameters: IDataObject,
	apiKey = emulator().keys.testRead,
): Promise<IDataObject> {
	const run = await runStripeGuard({
		parameters: { resource: 'report', operation, ...parameters } as never,
		credential: { apiKey },
		typeVersion: 2,
	});
	if (run.status !== 'success')
		throw new Error(`report failed: ${run.error?.message ?? run.status}`);
	expect(run.items).toHaveLength(1);
	return run.items[0].json;
}
