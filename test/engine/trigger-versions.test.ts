/**
 * Stripe Guard Trigger's versions through n8n-core's poll machinery against the emulator. Version
 * 1 (saved workflows) is unchanged: Simplify off by default, the full event as Stripe sends it.
 * Version 2 (new nodes) simplifies by default as the Stripe Guard node's version-2 reads do: the
 * event as Event → Get gives it, the object as Get of its resource gives it (both run here as
 * oracles), and, as a fast-check property over Stripe's example object of every type the node
 * reads with its Unix times planted at random, ISO dates (Stripe's definitions say which fields
 * are Unix times) and formatted amounts (Stripe's documented currency decimals), in the changed
 * fields' previous values too.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import Stripe from 'stripe';

import { objectTypeOf } from '../../nodes/StripeGuard/framework/read-resource';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { StripeGuardTrigger } from '../../nodes/StripeGuardTrigger/StripeGuardTrigger.node';
import { template } from '../emulator/fixtures';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';
import { newNodeAt } from './node-surface';
import { createPollWorkflow } from './poll-harness';
import {
	expectFormattedAmounts,
	expectIsoDates,
	iso,
	money,
	places,
	UNIX_TIMES,
} from './simplified-oracle';

const RUNS = Number(process.env.PROPERTY_RUNS || 20);
// Without Stripe's rate limits: the SDK that acts as Stripe's client here does not retry a 429.
const emulator = useEmulator({ rateLimits: false });
beforeEach(() => emulator().reset());

const trigger = (typeVersion: number | undefined, parameters: IDataObject = {}) =>
	createPollWorkflow({
		parameters: { events: ['*'], ...parameters },
		credential: { apiKey: emulator().keys.testRead },
		typeVersion,
	});
const emitted = (result: INodeExecutionData[][] | null) =>
	(result ?? [[]])[0].map((item) => item.json);
const sdk = () => new Stripe(emulator().keys.testWrite, { maxNetworkRetries: 0 });
/** README: client secrets are removed at every depth of every output. */
const withoutClientSecrets = (value: unknown) =>
	JSON.parse(JSON.stringify(value), (k, v: unknown) =>
		k === 'client_secret' ? undefined : v,
	) as IDataObject;

test('a new trigger is version 2 with Simplify on; version 1 keeps Simplify off', () => {
	const description = new StripeGuardTrigger().description;
	expect([description.version, description.defaultVersion]).toEqual([[1, 2], 2]);
	const surface = (typeVersion: number) => {
		const { defaults, shown } = newNodeAt(description, typeVersion);
		return { defaults, shown: shown.map((p) => [p.name, p.type, p.default]) };
	};
	// Version 1 as it was before version 2 existed.
	expect(surface(1)).toEqual({
		defaults: { startsNow: '', events: [], simplify: false },
		shown: [
			['startsNow', 'notice', ''],
			['events', 'multiOptions', []],
			['simplify', 'boolean', false],
		],
	});
	expect(surface(2)).toEqual({
		defaults: { startsNow: '', events: [], simplify: true },
		shown: [
			['startsNow', 'notice', ''],
			['events', 'multiOptions', []],
			['simplify', 'boolean', true],
		],
	});
});

test(
	'version 1 without Simplify set emits the full event as Stripe sends it; ' +
		'version 2 does with Simplify off',
	async () => {
		const v1 = trigger(undefined);
		const v2 = trigger(2, { simplify: false });
		emulator().create('event', 'test', { type: 'customer.created' });
		for (const wf of [v1, v2]) expect(await wf.poll()).toBeNull();
		const customer = await sdk().customers.create({ name: 'Ada', email: 'ada@example.com' });
		await sdk().customers.update(customer.id, { email: 'ada.lovelace@example.com' });
		// An event about a payment intent, with the client secret Stripe puts in it.
		emulator().create('event', 'test', {
			type: 'payment_intent.created',
			data: { object: { id: 'pi_1', object: 'payment_intent', client_secret: 'pi_1_secret_x' } },
		});
		// Every event after the one the first poll started from, oldest first.
		const events = (await sdk().events.list({ limit: 10 })).data.reverse().slice(1);
		const full = events.map(withoutClientSecrets);
		expect(emitted(await v1.poll())).toEqual(full);
		expect(emitted(await v2.poll())).toEqual(full);
		expect(JSON.stringify(full)).not.toContain('secret');
	},
);

test(
	"version 2's Simplify: the event as Stripe Guard's version-2 Event → Get gives it, its object " +
		'as Get of its resource gives it, the previous values in that shape',
	async () => {
		const wf = trigger(2);
		emulator().create('event', 'test', { type: 'customer.created' });
		expect(await wf.poll()).toBeNull();
		const customer = await sdk().customers.create({ name: 'Ada', email: 'ada@example.com' });
		await sdk().customers.update(customer.id, { email: 'ada.lovelace@example.com' });
		const charge = emulator().create<{ id: string }>('charge', 'test', {
			amount: 5000,
			amount_refunded: 0,
			refunded: false,
			currency: 'jpy',
			customer: customer.id,
		});
		const refund = await sdk().refunds.create({ charge: charge.id, amount: 1200 });
		const items = emitted(await wf.poll());
		const byType = Object.fromEntries(items.map((i) => [String(i.type), i]));
		expect(Object.keys(byType)).toEqual(
			expect.arrayContaining(['customer.created', 'customer.updated', 'refund.created']),
		);

		const read = async (parameters: IDataObject) => {
			const run = await runStripeGuard({
				parameters: parameters as never,
				credential: { apiKey: emulator().keys.testRead },
				typeVersion: 2,
			});
			expect(run.error).toBeUndefined();
			return run.items[0].json;
		};
		for (const item of items) {
			const { object: _o, previous_attributes: _p, ...event } = item;
			expect(Object.keys(item)).toEqual([...Object.keys(event), 'object', 'previous_attributes']);
			expect(event).toEqual(await read({ resource: 'event', operation: 'get', eventId: item.id }));
		}
		// The latest event of each object holds it as Stripe has it now.
		const updated = byType['customer.updated'];
		expect(updated.object).toEqual(
			await read({ resource: 'customer', operation: 'get', customerId: customer.id }),
		);
		expect(updated.previous_attributes).toEqual({ email: 'ada@example.com' });
		expect(byType['refund.created'].object).toEqual(
			await read({ resource: 'refund', operation: 'get', refundId: refund.id }),
		);
		expect(byType['charge.refunded'].object).toEqual(
			await read({ resource: 'charge', operation: 'get', chargeId: charge.id }),
		);
	},
);

/** Amount fields a shape may format, given other values as the previous ones. */
const AMOUNTS = [
	'amount',
	'amount_refunded',
	'amount_received',
	'amount_off',
	'unit_amount',
	'balance',
	'total',
	'amount_due',
	'amount_paid',
	'amount_remaining',
	'amount_total',
];
const CASES = querySpecs.map((spec) => objectTypeOf(spec));

test(
	"version 2's Simplify, for an event about an object of any type the node reads: ISO dates of " +
		"the object's Unix times, formatted amounts, and the previous values in that shape",
	async () => {
		const wf = trigger(2);
		emulator().create('event', 'test', { type: 'customer.created' });
		expect(await wf.poll()).toBeNull();
		// After the cursor's event, each a second after the one before.
		let clock = Math.floor(Date.now() / 1000) + 1;
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...CASES),
				fc.uniqueArray(fc.integer({ min: 1_000_000_000, max: 2_100_000_000 }), {
					minLength: 400,
					maxLength: 400,
				}),
				fc.constantFrom('usd', 'jpy', 'bhd', 'eur', 'krw'),
				fc.integer({ min: 0, max: 9_999_999 }),
				async (type, times, currency, amount) => {
					let i = 0;
					const object = template(
						(type === 'checkout.session' ? 'checkout_session' : type) as never,
					) as IDataObject;
					if ('currency' in object) object.currency = currency;
					for (const path of UNIX_TIMES[type])
						for (const { parent, key } of places(object, path)) parent[key] = times[i++];
					const previous: IDataObject = { metadata: { plan: 'basic' } };
					for (const path of UNIX_TIMES[type])
						if (!path.includes('.') && path in object) previous[path] = times[i++];
					for (const name of AMOUNTS) if (typeof object[name] === 'number') previous[name] = amount;
					const event = emulator().create<IDataObject>('event', 'test', {
						type: `${type}.updated`,
						created: ++clock,
						data: { object, previous_attributes: previous },
					});
					const [item] = emitted(await wf.poll());
					const raw = withoutClientSecrets(
						(emulator().get('event', 'test', String(event.id))!.data as IDataObject).object,
					);
					expect([item.id, item.created, item.object_type]).toEqual([
						event.id,
						iso(event.created as number),
						type,
					]);
					const simple = item.object as IDataObject;
					expect(simple.id).toBe(raw.id);
					expectIsoDates(simple, raw, type);
					expectFormattedAmounts(simple, raw);
					const before = item.previous_attributes as IDataObject;
					for (const [key, value] of Object.entries(previous)) {
						if (key === 'metadata' || !(key in simple)) {
							expect([key, before[key]]).toEqual([key, value]);
						} else if (AMOUNTS.includes(key)) {
							expect([key, before[key]]).toEqual([key, value]);
							if (`${key}_formatted` in simple)
								expect(before[`${key}_formatted`]).toBe(money(value as number, currency));
						} else expect([key, before[key]]).toEqual([key, iso(value as number)]);
					}
				},
			),
			{ numRuns: RUNS, endOnFailure: true },
		);
	},
	120_000,
);
