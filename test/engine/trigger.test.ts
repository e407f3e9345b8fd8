/**
 * Stripe Guard Trigger through n8n-core's poll machinery against the emulator: no history on
 * activation, every new event exactly once and in order, a cursor that survives restarts and a
 * lost cursor event, type filters, "Fetch Test Event" and a key without Events: Read.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { EVENT_TYPE_OPTIONS } from '../../nodes/StripeGuardTrigger/eventTypes';
import { useEmulator } from './emulator-context';
import { createPollWorkflow, type PollWorkflow } from './poll-harness';

const emulator = useEmulator();

/**
 * Event times: each test's events are a second apart, starting a day ago (Stripe keeps 30 days).
 */
let clock = 0;
beforeEach(() => {
	emulator().reset();
	clock = Math.floor(Date.now() / 1000) - 86_400;
});

/**
 * Inserts an event the way Stripe would have made it,
 * about an object of the type its name starts with.
 */
function addEvent(
	type: string,
	fields: { created?: number; object?: IDataObject; previous?: IDataObject } = {},
): { id: string; type: string; created: number } {
	const objectType = type.startsWith('customer.subscription.')
		? 'subscription'
		: type.split('.')[0];
	return emulator().create('event', 'test', {
		type,
		created: fields.created ?? ++clock,
		data: {
			object: {
				id: `${objectType.slice(0, 3)}_${Math.random().toString(36).slice(2, 12)}`,
				object: objectType,
				...fields.object,
			},
			...(fields.previous && { previous_attributes: fields.previous }),
		},
	});
}

const trigger = (
	events: string[],
	extra: { simplify?: boolean; apiKey?: string; staticData?: IDataObject } = {},
) =>
	createPollWorkflow({
		parameters: { events, ...(extra.simplify !== undefined && { simplify: extra.simplify }) },
		credential: { apiKey: extra.apiKey ?? emulator().keys.testRead },
		staticData: extra.staticData,
	});

const emitted = (result: INodeExecutionData[][] | null) =>
	(result ?? [[]])[0].map((item) => item.json);
const ids = (result: INodeExecutionData[][] | null) => emitted(result).map((e) => e.id);
const eventRequests = () => emulator().requests.filter((r) => r.path === '/v1/events');
const failure = async (promise: Promise<unknown>) => {
	try {
		await promise;
	} catch (error) {
		return error as Error & { httpCode?: string; description?: string };
	}
	throw new Error('expected the poll to fail');
};

/** Activates the trigger (first poll) and checks that it emitted nothing. */
async function activate(wf: PollWorkflow) {
	expect(await wf.poll()).toBeNull();
	return wf;
}

test(
	'the first poll emits nothing, even with old events, ' + 'and stores the newest event as cursor',
	async () => {
		addEvent('customer.created');
		addEvent('invoice.paid');
		const newest = addEvent('customer.created');
		const wf = trigger(['*']);
		emulator().clearRequests();

		expect(await wf.poll()).toBeNull();

		expect(wf.cursor()).toEqual({ lastEventId: newest.id, lastCreated: newest.created });
		// n8n saves static data only when it is marked changed.
		expect(
			(wf.workflow.staticData as IDataObject & { __dataChanged?: boolean }).__dataChanged,
		).toBe(true);
		expect(eventRequests().map((r) => r.query)).toEqual([{ limit: '1' }]);
		// Nothing new since activation: still nothing, and the cursor stays.
		expect(await wf.poll()).toBeNull();
		expect(wf.cursor()).toEqual({ lastEventId: newest.id, lastCreated: newest.created });
	},
);

test(
	'250 events between polls: exactly the matching ones, ' + 'once each, oldest first; then nothing',
	async () => {
		addEvent('invoice.paid');
		const wf = await activate(trigger(['invoice.paid', 'customer.created']));
		const types = [
			'invoice.paid',
			'customer.created',
			'charge.succeeded',
			'invoice.created',
			'customer.updated',
		];
		const created: Array<{ id: string; type: string }> = [];
		const base = clock + 1;
		// Three events per second, so the order within a second is tested too.
		for (let i = 0; i < 250; i++)
			created.push(addEvent(types[i % types.length], { created: base + Math.floor(i / 3) }));
		emulator().clearRequests();

		const second = await wf.poll();

		const expected = created
			.filter((e) => e.type === 'invoice.paid' || e.type === 'customer.created')
			.map((e) => e.id);
		expect(expected).toHaveLength(100);
		expect(ids(second)).toEqual(expected);
		// The cursor moves past every event, including the
		// last one that did not match (customer.updated).
		expect(wf.cursor()).toMatchObject({ lastEventId: created[249].id });
		// Three pages walking forward from the cursor, never filtered by type on Stripe's side.
		const requests = eventRequests();
		expect(requests).toHaveLength(3);
		for (const r of requests) {
			expect(r.query).toMatchObject({ limit: '100' });
			expect(r.query.ending_before).toMatch(/^evt_/);
			expect(r.query).not.toHaveProperty('types');
			expect(r.query).not.toHaveProperty('type');
		}

		expect(await wf.poll()).toBeNull();
	},
);

test(
	'after a restart from the saved static data, ' +
		'only the new events come, none lost or repeated',
	async () => {
		addEvent('customer.created');
		const before = await activate(trigger(['*']));
		const first = [addEvent('customer.created'), addEvent('customer.updated')];
		expect(ids(await before.poll())).toEqual(first.map((e) => e.id));

		// n8n stores the static data as JSON and builds a new
		// Workflow from it after a restart (or on another worker).
		const saved = JSON.stringify(before.savedStaticData());
		const second = [
			addEvent('invoice.created'),
			addEvent('invoice.paid'),
			addEvent('customer.deleted'),
		];
		const after = trigger(['*'], { staticData: JSON.parse(saved) as IDataObject });

		expect(ids(await after.poll())).toEqual(second.map((e) => e.id));
		expect(await after.poll()).toBeNull();
	},
);

test(
	'All Events emits every type, also unlisted ones; ' + 'a list of types emits only those',
	async () => {
		addEvent('customer.created');
		const all = await activate(trigger(['*']));
		const only = await activate(trigger(['payout.paid', 'charge.refunded']));
		const events = [
			addEvent('payout.paid'),
			addEvent('coupon.created'),
			addEvent('charge.refunded'),
			addEvent('customer.updated'),
		];

		expect(ids(await all.poll())).toEqual(events.map((e) => e.id));
		const filtered = emitted(await only.poll());
		expect(filtered.map((e) => e.type)).toEqual(['payout.paid', 'charge.refunded']);
		// The full Stripe event by default.
		expect(filtered[0]).toMatchObject({
			id: events[0].id,
			object: 'event',
			type: 'payout.paid',
			data: { object: { object: 'payout' } },
		});
	},
);

test('Simplify emits the small shape, and a client secret is never passed on', async () => {
	addEvent('customer.created');
	const simple = await activate(trigger(['*'], { simplify: true }));
	const full = await activate(trigger(['*']));
	const updated = addEvent('customer.updated', {
		object: { email: 'new@example.com' },
		previous: { email: 'old@example.com' },
	});
	const paid = addEvent('payment_intent.succeeded', {
		object: { client_secret: 'pi_123_secret_abc', amount: 500 },
	});

	const [customer, intent] = emitted(await simple.poll());
	expect(customer).toEqual({
		id: updated.id,
		type: 'customer.updated',
		created: updated.created,
		object_type: 'customer',
		object_id: expect.stringMatching(/^cus_/),
		object: expect.objectContaining({ email: 'new@example.com' }),
		previous_attributes: { email: 'old@example.com' },
	});
	expect(intent).toMatchObject({
		id: paid.id,
		object_type: 'payment_intent',
		previous_attributes: null,
		object: { amount: 500 },
	});
	expect(JSON.stringify(intent)).not.toContain('secret');
	expect(JSON.stringify(emitted(await full.poll()))).not.toContain('pi_123_secret');
});

describe('Fetch Test Event (manual mode)', () => {
	test('returns the latest matching event and leaves the cursor alone', async () => {
		addEvent('invoice.paid');
		const latest = addEvent('invoice.paid');
		addEvent('customer.created'); // newer, but not selected
		const wf = trigger(['invoice.paid']);

		expect(ids(await wf.poll('manual'))).toEqual([latest.id]);
		expect(wf.savedStaticData()).toEqual({});

		await activate(wf);
		const cursor = wf.cursor();
		const newest = addEvent('invoice.paid');
		expect(ids(await wf.poll('manual'))).toEqual([newest.id]);
		expect(wf.cursor()).toEqual(cursor);
		// The event shown in the editor is still delivered by the next real poll.
		expect(ids(await wf.poll())).toEqual([newest.id]);
	});

	test(
		'asks Stripe for at most 20 types at a ' + 'time and finds the newest over all of them',
		async () => {
			const every = EVENT_TYPE_OPTIONS.map((o) => o.value as string).filter((v) => v !== '*');
			expect(every.length).toBeGreaterThan(40);
			addEvent('customer.created');
			const newest = addEvent('price.deleted');
			addEvent('coupon.created');
			emulator().clearRequests();

			expect(ids(await trigger(every).poll('manual'))).toEqual([newest.id]);
			const lists = eventRequests();
			expect(lists.length).toBe(Math.ceil(every.length / 20));
			for (const r of lists)
				expect(Object.values(r.query.types as object).length).toBeLessThanOrEqual(20);
		},
	);

	test('with no matching event, says so and how to create one', async () => {
		addEvent('customer.created');
		const error = await failure(trigger(['payout.failed']).poll('manual'));
		expect(error.message).toContain('No payout.failed event exists yet');
		expect(error.message).toContain('last 30 days');
		expect(error.message).toContain('stripe trigger');
	});
});

test('a key without Events: Read gets an error naming rak_event_read', async () => {
	const key = emulator().addKey({ mode: 'test', permissions: { customer: 'read' } });
	for (const mode of ['trigger', 'manual'] as const) {
		const error = await failure(trigger(['*'], { apiKey: key }).poll(mode));
		expect(error.message).toContain('Events: Read (rak_event_read)');
		expect(error.httpCode).toBe('403');
		expect(`${error.message} ${error.description}`).not.toContain(key);
	}
});

test(
	'a cursor event Stripe no longer has: ' + 'falls back to its time and emits only newer events',
	async () => {
		const cutoff = clock + 10;
		addEvent('customer.created', { created: cutoff - 5 });
		addEvent('customer.created', { created: cutoff - 1 });
		const wf = trigger(['*'], {
			staticData: {
				'node:Stripe Guard Trigger': {
					lastEventId: 'evt_1GoneLongAgo0000000000000',
					lastCreated: cutoff,
				},
			},
		});
		const newer = [
			addEvent('customer.updated', { created: cutoff + 1 }),
			addEvent('invoice.paid', { created: cutoff + 2 }),
		];
		clock = cutoff + 2;
		emulator().clearRequests();

		expect(ids(await wf.poll())).toEqual(newer.map((e) => e.id));

		const [missing, byTime] = eventRequests();
		expect(missing).toMatchObject({
			status: 404,
			query: { ending_before: 'evt_1GoneLongAgo0000000000000' },
		});
		expect(byTime).toMatchObject({ status: 200, query: { created: { gte: String(cutoff) } } });
		expect(wf.cursor()).toEqual({ lastEventId: newer[1].id, lastCreated: newer[1].created });
		// Back on a real cursor: nothing again, and the next new event once.
		expect(await wf.poll()).toBeNull();
		const next = addEvent('invoice.paid');
		expect(ids(await wf.poll())).toEqual([next.id]);
	},
);

test(
	'a lost cursor with nothing newer keeps only its ' +
		'time and stops asking for the missing event',
	async () => {
		addEvent('customer.created', { created: clock - 100 });
		const wf = trigger(['*'], {
			staticData: {
				'node:Stripe Guard Trigger': {
					lastEventId: 'evt_1GoneLongAgo0000000000000',
					lastCreated: clock,
				},
			},
		});

		expect(await wf.poll()).toBeNull();
		expect(wf.cursor()).toEqual({ lastCreated: clock });
		emulator().clearRequests();
		const next = addEvent('charge.succeeded');
		expect(ids(await wf.poll())).toEqual([next.id]);
		expect(eventRequests().map((r) => r.status)).toEqual([200]);
	},
);

test('activated on an account without events: the first events after it are emitted', async () => {
	const wf = await activate(trigger(['*']));
	expect(wf.cursor()).toEqual({ lastCreated: expect.any(Number) });
	const first = [
		addEvent('customer.created', { created: Math.floor(Date.now() / 1000) }),
		addEvent('invoice.created', { created: Math.floor(Date.now() / 1000) + 1 }),
	];

	expect(ids(await wf.poll())).toEqual(first.map((e) => e.id));
	expect(wf.cursor()).toMatchObject({ lastEventId: first[1].id });
	expect(await wf.poll()).toBeNull();
});

test(
	'a backlog larger than the poll budget allows ' + 'is finished by the next polls, in order',
	async () => {
		addEvent('customer.created');
		const wf = await activate(trigger(['*']));
		const backlog = Array.from({ length: 230 }, () => addEvent('invoice.paid'));

		// A spent budget: one page per poll.
		const got = [
			...ids(await wf.poll('trigger', 0)),
			...ids(await wf.poll('trigger', 0)),
			...ids(await wf.poll('trigger', 0)),
		];
		expect(got).toEqual(backlog.map((e) => e.id));
		expect(await wf.poll('trigger', 0)).toBeNull();
	},
);

test('no event type chosen is a clear error', async () => {
	const error = await failure(trigger([]).poll());
	expect(error.message).toContain('Choose at least one event type');
});
