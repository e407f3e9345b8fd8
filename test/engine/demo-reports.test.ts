/**
 * The demo account (`npm start`, test/emulator/seed.ts) through MRR and Subscription Movements:
 * what a person trying the package sees must reconcile, and each subscription case the seed adds
 * must move the figures exactly as worked out by hand below.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import Stripe from 'stripe';

import { WRITE_BUILDERS } from '../../nodes/StripeGuard/writes';

import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'demo' });

async function report(operation: string, parameters: IDataObject = {}) {
	const run = await runStripeGuard({
		parameters: { resource: 'report', operation, includeTable: false, ...parameters } as never,
		credential: { apiKey: emulator().keys.testRead },
		// Version 2, as a node added today: Paused Collection is its switch (version 1 excludes).
		typeVersion: 2,
	});
	if (run.status !== 'success')
		throw new Error(`${operation} failed: ${run.error?.message ?? run.status}`);
	return run.items[0].json;
}
const inCurrency = (json: IDataObject, currency: string) =>
	(json.by_currency as IDataObject)[currency] as IDataObject;
const LAST_30 = { period: 'last_30_days', timeZone: 'UTC' };

test(
	'MRR now is where the last 30 days of movements end, ' +
		'per currency, with nothing left to rounding',
	async () => {
		const mrr = await report('mrr');
		const moves = await report('subscriptionMovements', LAST_30);
		for (const currency of Object.keys(mrr.by_currency as IDataObject)) {
			const m = inCurrency(moves, currency);
			expect([currency, m.mrr_at_end]).toEqual([currency, inCurrency(mrr, currency).mrr]);
			expect(m.rounding).toBe(0);
		}
		expect(moves.limits).toMatchObject({ events_read: true, removed_discounts_unknown: 0 });
	},
);

test('the weekly MRR example runs offline: subscriber churn and NRR', async () => {
	const example = JSON.parse(
		readFileSync(join(__dirname, '../../examples/weekly-mrr-email.json'), 'utf8'),
	) as { nodes: Array<{ name: string; type: string; parameters: IDataObject }> };
	const reports = example.nodes.filter((n) => n.type === 'n8n-nodes-stripe-guard.stripeGuard');
	const json: Record<string, IDataObject> = {};
	// Its own parameters, tables included, on the demo account.
	for (const node of reports)
		json[node.name] = await report(String(node.parameters.operation), node.parameters);
	const metrics = json['Subscription metrics last week'];
	// What the email's line reads: the rate and its parts, NRR per currency (null: none at start).
	expect(typeof metrics.subscriber_churn_rate_percent).toBe('number');
	for (const k of [
		'churned_subscribers',
		'active_subscribers_at_start',
		'new_subscribers',
		'reactivated_subscribers',
	])
		expect(typeof metrics[k]).toBe('number');
	const usd = inCurrency(metrics, 'usd');
	expect(typeof usd.net_revenue_retention_percent).toBe('number');
	expect(typeof usd.mrr_churn_rate_percent).toBe('number');
	for (const name of Object.keys(json)) expect(json[name].table_html).toContain('<table');
});

test(
	'the subscription cases: a paused trial and a cancellation are out; ' +
		'coupons, cancellations and paused collection follow the switches',
	async () => {
		const base = await report('mrr');
		expect(base.not_counted).toMatchObject({ paused: 1, cancellation_requested: 1 });
		expect(base.not_counted).not.toHaveProperty('collection_paused');
		const usd = (json: IDataObject) => inCurrency(json, 'usd').mrr as number;
		// Paused collection counts by its status (active) unless excluded: Starter, −$19.00.
		const excluded = await report('mrr', { pausedCollection: 'exclude' });
		expect(excluded.not_counted).toMatchObject({ collection_paused: 1 });
		expect(usd(excluded) - usd(base)).toBe(-1900);
		// Cancellation at period end: the Pro subscription leaving in 10 days counts again (+$49.00).
		expect(usd(await report('mrr', { scheduledCancellations: 'atPeriodEnd' })) - usd(base)).toBe(
			4900,
		);
		// WELCOME50 (repeating, 50 % of Pro): −$24.50; SORRY10 (once, $10 off Starter): −$10.00.
		expect(usd(await report('mrr', { countDiscounts: 'foreverAndRepeating' })) - usd(base)).toBe(
			-2450,
		);
		expect(usd(await report('mrr', { countDiscounts: 'foreverAndOnce' })) - usd(base)).toBe(-1000);
	},
);

test(
	'the last 30 days in USD: seats up and down, ' +
		'the cancellation request and paused collection, the converted trial',
	async () => {
		const usd = inCurrency(await report('subscriptionMovements', LAST_30), 'usd');
		// Seats 8 → 12 (2 → 3 packs of $10.00): +$10.00;
		// the second subscription 15 → 10 seats: −$10.00.
		expect(usd.expansion_mrr).toBe(1000);
		expect(usd.contraction_mrr).toBe(1000);
		expect(usd.reactivation_mrr).toBe(0);
		// With repeating coupons counted, WELCOME50 halves a Pro subscription a minute after it starts.
		const withRepeating = inCurrency(
			await report('subscriptionMovements', { ...LAST_30, countDiscounts: 'foreverAndRepeating' }),
			'usd',
		);
		expect(withRepeating.contraction_mrr).toBe(1000 + 2450);
		expect(withRepeating.new_mrr).toBe(usd.new_mrr);
	},
);

test(
	'an approved "cancel at period end" leaves MRR at the ' +
		'request by default and shows as churn, as Stripe records it',
	async () => {
		const e = emulator();
		// The exact request Stripe Guard Approval sends for this proposal.
		const sub = e
			.list('subscription', 'test')
			.find(
				(s) =>
					s.status === 'active' &&
					s.currency === 'usd' &&
					!s.cancel_at_period_end &&
					!(s.discounts as unknown[] | undefined)?.length &&
					!s.pause_collection &&
					!s.test_clock &&
					(s.items as { data: unknown[] }).data.length === 1,
			)!;
		const item = (
			sub.items as {
				data: Array<{
					quantity: number;
					price: {
						unit_amount: number;
						recurring: { interval: string };
						transform_quantity: unknown;
						billing_scheme: string;
					};
				}>;
			}
		).data[0];
		expect([
			item.price.recurring.interval,
			item.price.transform_quantity,
			item.price.billing_scheme,
		]).toEqual(['month', null, 'per_unit']);
		const value = item.price.unit_amount * item.quantity;
		const before = {
			mrr: await report('mrr'),
			moves: await report('subscriptionMovements', LAST_30),
		};
		const draft = WRITE_BUILDERS['subscription.update'](
			{ subscriptionId: sub.id, cancelAtPeriodEnd: true },
			{},
		);
		await new Stripe(e.keys.testWrite, { maxNetworkRetries: 0 }).rawRequest(
			draft.request.method,
			draft.request.path,
			draft.request.params,
		);

		const updates = e
			.list('event', 'test')
			.filter(
				(ev) =>
					ev.type === 'customer.subscription.updated' &&
					(ev.data as { object: { id: string } }).object.id === sub.id,
			);
		const updated = updates.reduce((a, b) =>
			(b.created as number) >= (a.created as number) ? b : a,
		);
		expect((updated.data as IDataObject).previous_attributes).toEqual({
			cancel_at_period_end: false,
			cancel_at: null,
			canceled_at: null,
		});
		const after = {
			mrr: await report('mrr'),
			moves: await report('subscriptionMovements', LAST_30),
		};
		expect(
			(inCurrency(before.mrr, 'usd').mrr as number) - (inCurrency(after.mrr, 'usd').mrr as number),
		).toBe(value);
		expect(
			(inCurrency(after.moves, 'usd').churned_mrr as number) -
				(inCurrency(before.moves, 'usd').churned_mrr as number),
		).toBe(value);
		expect(inCurrency(after.moves, 'usd').mrr_at_end).toBe(inCurrency(after.mrr, 'usd').mrr);
		// Counted until it ends with "Scheduled Cancellations: At Period End".
		expect(
			inCurrency(await report('mrr', { scheduledCancellations: 'atPeriodEnd' }), 'usd').mrr,
		).toBe((inCurrency(before.mrr, 'usd').mrr as number) + 4900);
	},
);
