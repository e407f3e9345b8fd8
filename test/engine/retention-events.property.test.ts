/**
 * The subscription events the subscriber reports hold (reports/subscription-events.ts): kept as
 * bytes with their prices once each, taken as pages arrive. The guarantee, against the events
 * themselves: each subscription gets back exactly its changes as `changeOf` reads them, newest
 * first and those of one second in Stripe's order, whatever order the pages arrived in.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import type { OperationContext } from '../../nodes/StripeGuard/framework/operation';
import {
	ChangeLog,
	changesOf,
	readSubscriptionEvents,
} from '../../nodes/StripeGuard/reports/subscription-events';
import { changeOf } from '../../nodes/StripeGuard/reports/subscription-history';
import type { StripeEvent } from '../../nodes/shared/transport';

const RUNS = Number(process.env.PROPERTY_RUNS || 150);

const price = fc.record({
	id: fc.constantFrom('price_a', 'price_b', 'price_ü'),
	currency: fc.constantFrom('usd', 'eur'),
	unit_amount: fc.integer({ min: 0, max: 100_000 }),
	recurring: fc.record({ interval: fc.constantFrom('month', 'year'), interval_count: fc.nat(3) }),
	nickname: fc.string(),
});
const event = fc.record({
	sub: fc.constantFrom('sub_1', 'sub_2', 'sub_3'),
	type: fc.constantFrom('customer.subscription.updated', 'customer.subscription.deleted'),
	// Few seconds, so that changes share one.
	created: fc.integer({ min: 1_700_000_000, max: 1_700_000_004 }),
	quantity: fc.nat(10),
	price,
	status: fc.constantFrom('active', 'past_due', 'canceled'),
});

/** A context whose events list hands the pages over in the given order, each with its rank. */
function contextWith(arrivals: Array<[StripeEvent, readonly [number, number]]>) {
	const list = {
		pagesRead: 1,
		inFlightAtMost: () => list,
		inAnyOrder: () => ({
			async *[Symbol.asyncIterator]() {
				yield* arrivals;
			},
		}),
	};
	return { stripe: { events: { list: () => list } } } as unknown as OperationContext;
}

test('property: a subscription gets back its changes, newest first, in Stripe order', async () => {
	await fc.assert(
		fc.asyncProperty(
			fc.array(event, { maxLength: 40 }),
			fc.array(fc.nat(), { maxLength: 40 }),
			async (specs, shuffle) => {
				// Stripe's order: newest first; one second's events in the order listed. The rank is
				// the event's place in that order (one window).
				const stripeOrder = specs
					.map((s, i) => ({ s, i }))
					.sort((a, b) => b.s.created - a.s.created || a.i - b.i);
				const events = stripeOrder.map(({ s }, position) => ({
					rank: [1_700_000_004, position] as const,
					event: {
						id: `evt_${position}`,
						object: 'event',
						type: s.type,
						created: s.created,
						data: {
							object: { id: s.sub, status: s.status },
							previous_attributes: {
								items: { data: [{ id: 'si_1', quantity: s.quantity, price: s.price }] },
								status: 'active',
							},
						},
					} as unknown as StripeEvent,
				}));
				// Pages arrive in any order.
				const arrivals = [...events];
				shuffle.forEach((k, i) => {
					const j = k % arrivals.length;
					if (arrivals.length)
						[arrivals[i % arrivals.length], arrivals[j]] = [
							arrivals[j],
							arrivals[i % arrivals.length],
						];
				});
				const read = await readSubscriptionEvents(
					contextWith(arrivals.map((e) => [e.event, e.rank])),
					0,
				);
				for (const sub of ['sub_1', 'sub_2', 'sub_3']) {
					const expected = events
						.filter((e) => (e.event.data.object as unknown as IDataObject).id === sub)
						.map((e) => JSON.parse(JSON.stringify(changeOf(e.event))) as unknown);
					expect(changesOf(read, sub)).toEqual(expected);
					expect(read.changes.has(sub)).toBe(expected.length > 0);
				}
			},
		),
		{ numRuns: RUNS },
	);
});

test('the log gives back any text, past the size it started with', () => {
	const log = new ChangeLog();
	const texts: string[] = [];
	for (let i = 0; i < 3000; i++) {
		const text = `${'x'.repeat(i % 97)}€${i}🙂`;
		texts.push(text);
		log.add(`sub_${i % 7}`, text);
	}
	for (let s = 0; s < 7; s++)
		expect(log.texts(`sub_${s}`)).toEqual(texts.filter((_, i) => i % 7 === s).reverse());
	expect(log.texts('sub_none')).toEqual([]);
});
