/**
 * Stripe Guard version 2 through n8n-core against the emulator, next to the same parameters on
 * version 1 (every saved workflow): Simplify on by default with ISO dates (reads, expansions, line
 * items, the Query, agent tools), a refund's Amount as a field of its own (shown to the approver,
 * empty for what is left), Max Requests per Second as an option that reads empty as automatic.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type RunOptions } from './harness';

jest.setTimeout(30_000);
const emulator = useEmulator({ seed: 'none' });
beforeEach(() => emulator().reset());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;
const iso = (seconds: unknown) => new Date((seconds as number) * 1000).toISOString();
const read = (typeVersion: number, parameters: INodeParameters, extra: Partial<RunOptions> = {}) =>
	runStripeGuard({
		parameters,
		credential: { apiKey: emulator().keys.testRead },
		typeVersion,
		...extra,
	});

describe('Simplify and dates', () => {
	test(
		'a new Get is simplified, its dates ISO 8601; version 1 with ' +
			'the same parameters gives the full object in Unix seconds',
		async () => {
			const customer = emulator().create<{ id: string; created: number; currency: string }>(
				'customer',
				'test',
				{ name: 'Ada Lovelace', email: 'ada@example.com' },
			);
			const parameters = { resource: 'customer', operation: 'get', customerId: customer.id };
			const v2 = await read(2, parameters);
			expect(v2.error).toBeUndefined();
			expect(v2.items[0].json).toEqual({
				id: customer.id,
				name: 'Ada Lovelace',
				email: 'ada@example.com',
				phone: null,
				description: null,
				balance: 0,
				balance_formatted: expect.any(String),
				currency: customer.currency,
				delinquent: false,
				created: iso(customer.created),
				metadata: {},
			});
			const v1 = await read(1, parameters);
			expect(v1.items[0].json).toMatchObject({
				object: 'customer',
				created: customer.created,
				livemode: false,
			});
		},
	);

	test('Simplify off in version 2 gives the full object, Unix seconds kept', async () => {
		const customer = emulator().create<{ id: string; created: number }>('customer', 'test', {
			name: 'Ada',
		});
		const run = await read(2, {
			resource: 'customer',
			operation: 'get',
			customerId: customer.id,
			simplify: false,
		});
		expect(run.items[0].json).toMatchObject({ object: 'customer', created: customer.created });
	});

	test(
		"a List's nested and expanded dates are ISO too: " +
			'subscription items, the expanded latest invoice, its customer',
		async () => {
			const e = emulator();
			const customer = e.create<{ id: string; created: number }>('customer', 'test', {
				name: 'Ada',
			});
			const price = e.create<{ id: string }>('price', 'test', {
				unit_amount: 4900,
				currency: 'usd',
				recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
			});
			const invoice = e.create<{ id: string; created: number; period_start: number }>(
				'invoice',
				'test',
				{ customer: customer.id, currency: 'usd' },
			);
			const sub = e.create<{
				id: string;
				created: number;
				start_date: number;
				items: { data: Array<{ current_period_end: number }> };
			}>('subscription', 'test', {
				customer: customer.id,
				status: 'active',
				latest_invoice: invoice.id,
				items: {
					object: 'list',
					data: [
						{
							object: 'subscription_item',
							id: 'si_1',
							price: e.get('price', 'test', price.id),
							quantity: 1,
							current_period_end: 1_800_000_000,
							current_period_start: 1_797_000_000,
						},
					],
				},
			});
			const run = await read(2, {
				resource: 'subscription',
				operation: 'list',
				returnAll: true,
				options: { expand: ['latest_invoice'] },
			});
			expect(run.error).toBeUndefined();
			const out = run.items[0].json as IDataObject & {
				items: IDataObject[];
				latest_invoice: IDataObject;
			};
			expect([out.id, out.created, out.start_date]).toEqual([
				sub.id,
				iso(sub.created),
				iso(sub.start_date),
			]);
			expect(out.items[0].current_period_end).toBe('2027-01-15T08:00:00.000Z');
			expect(out.latest_invoice).toMatchObject({
				id: invoice.id,
				created: iso(invoice.created),
				period_start: iso(invoice.period_start),
			});
			expect(out.canceled_at).toBeNull(); // a date not set stays null
			const v1 = await read(1, {
				resource: 'subscription',
				operation: 'list',
				returnAll: true,
				simplify: true,
				options: { expand: ['latest_invoice'] },
			});
			expect(
				(v1.items[0].json as IDataObject & { items: IDataObject[] }).items[0].current_period_end,
			).toBe(1_800_000_000);
		},
	);

	test("an invoice's line items: the period as ISO dates", async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test', {});
		const invoice = e.create<{ id: string }>('invoice', 'test', {
			customer: customer.id,
			currency: 'usd',
		});
		e.create('line_item', 'test', { invoice: invoice.id, amount: 1200, currency: 'usd' });
		const parameters = {
			resource: 'invoice',
			operation: 'listLineItems',
			invoiceId: invoice.id,
			returnAll: true,
		};
		const [v1, v2] = [
			(await read(1, { ...parameters, simplify: true })).items[0].json,
			(await read(2, parameters)).items[0].json,
		];
		expect([typeof v1.period_start, typeof v1.period_end]).toEqual(['number', 'number']);
		expect([v2.period_start, v2.period_end]).toEqual([iso(v1.period_start), iso(v1.period_end)]);
	});

	test(
		'the Query (simplified by default in both versions) ' + 'gives ISO dates from version 2 on',
		async () => {
			const charge = emulator().create<{ id: string; created: number }>('charge', 'test', {
				amount: 500,
				currency: 'usd',
			});
			const query = JSON.stringify({ get: 'charges', id: charge.id });
			const [v1, v2] = [
				await read(1, { resource: 'query', operation: 'run', query }),
				await read(2, { resource: 'query', operation: 'run', query }),
			];
			expect([v1.items[0].json.created, v2.items[0].json.created]).toEqual([
				charge.created,
				iso(charge.created),
			]);
		},
	);

	test(
		'an AI agent tool (always simplified) ' +
			'gets ISO dates in version 2, Unix seconds in version 1',
		async () => {
			const payout = emulator().create<{ id: string; created: number; arrival_date: number }>(
				'payout',
				'test',
				{ amount: 1000, currency: 'usd' },
			);
			const parameters = { resource: 'payout', operation: 'get', payoutId: payout.id };
			const [v1, v2] = [
				await read(1, parameters, { asTool: true }),
				await read(2, parameters, { asTool: true }),
			];
			expect([v1.items[0].json.created, v1.items[0].json.arrival_date]).toEqual([
				payout.created,
				payout.arrival_date,
			]);
			expect([v2.items[0].json.created, v2.items[0].json.arrival_date]).toEqual([
				iso(payout.created),
				iso(payout.arrival_date),
			]);
		},
	);

	test('redaction leaves dates alone: ISO dates are not personal data', async () => {
		const customer = emulator().create<{ id: string; created: number }>('customer', 'test', {
			name: 'Ada Lovelace',
			email: 'ada@example.com',
		});
		const run = await read(2, {
			resource: 'customer',
			operation: 'get',
			customerId: customer.id,
			redactPersonalData: true,
		});
		expect(run.items[0].json).toMatchObject({
			name: expect.stringMatching(/^Person /),
			created: iso(customer.created),
		});
		expect(run.items[0].json.created).toMatch(ISO);
	});
});

describe("a refund's Amount", () => {
	const writer = () => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
	const propose = (typeVersion: number, parameters: INodeParameters) =>
		runStripeGuard({
			parameters: { resource: 'refund', operation: 'create', ...parameters },
			credential: writer(),
			typeVersion,
		});
	const charge = (amount_refunded = 0) =>
		emulator().create<{ id: string }>('charge', 'test', {
			amount: 5000,
			amount_refunded,
			currency: 'jpy',
			status: 'succeeded',
		});

	test(
		'version 2 sends the Amount field; empty proposes ' +
			'what is left of the charge, fixed in the request',
		async () => {
			const c = charge(1000);
			const part = await propose(2, {
				chargeId: c.id,
				amount: 1200,
				additionalFields: { reason: 'duplicate' },
			});
			expect(part.error).toBeUndefined();
			expect(part.items[0].json).toMatchObject({
				request: { params: { charge: c.id, amount: 1200, reason: 'duplicate' } },
				summary: `Refund ¥1,200 of charge ${c.id} — reason: duplicate`,
			});
			const whole = await propose(2, { chargeId: c.id });
			expect(whole.items[0].json).toMatchObject({
				request: { params: { charge: c.id, amount: 4000 } },
			});
			// Cleared in the editor (n8n keeps null for an emptied number).
			const cleared = await propose(2, { chargeId: c.id, amount: null });
			expect(cleared.items[0].json).toMatchObject({
				request: { params: { charge: c.id, amount: 4000 } },
			});
		},
	);

	test('version 1 keeps the amount under Additional Fields', async () => {
		const c = charge();
		const run = await propose(1, { chargeId: c.id, additionalFields: { amount: 700 } });
		expect(run.items[0].json).toMatchObject({ request: { params: { charge: c.id, amount: 700 } } });
	});

	test(
		'a bad amount is refused before anything is proposed, ' + 'naming the item and what to fix',
		async () => {
			const c = charge();
			for (const amount of [0, -5, 12.5]) {
				const run = await propose(2, { chargeId: c.id, amount });
				expect(run.error).toMatchObject({
					message: expect.stringMatching(/amount.*\(item 0\)$/i),
					description: expect.stringMatching(/^Nothing was proposed/),
				});
			}
		},
	);

	test('the approver sees the amount of the field, and exactly that is refunded', async () => {
		const receiver = await startReceiver();
		try {
			const c = charge();
			const proposal = (await propose(2, { chargeId: c.id, amount: 1200 })).items[0].json;
			const approval = await runApproval({
				proposals: [proposal],
				credential: writer(),
				parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
			});
			const text = receiver.messages[0].text;
			expect(text).toContain('Total that can move: ¥1,200');
			const url = /^Review and decide: (\S+)$/m.exec(text)![1];
			const done = await approval.open(url, 'POST', { approver: 'Ada', decision: 'approve' });
			expect(approval.outputs(done.resumed!).approved[0].json).toMatchObject({
				object: 'refund',
				amount: 1200,
			});
		} finally {
			await receiver.stop();
		}
	});
});

describe('Max Requests per Second', () => {
	const customers = (n: number) =>
		Array.from(
			{ length: n },
			(_, i) => emulator().create<{ id: string }>('customer', 'test', { name: `C${i}` }).id,
		);
	const getAll = (ids: string[], parameters: INodeParameters) =>
		read(
			2,
			{ resource: 'customer', operation: 'get', customerId: '={{ $json.id }}', ...parameters },
			{ items: ids.map((id) => ({ id })) },
		);
	/** Most requests that started within any one second. */
	const busiestSecond = () => {
		const times = emulator()
			.requests.map((r) => r.time)
			.sort((a, b) => a - b);
		let most = 0;
		for (let i = 0, j = 0; i < times.length; i++) {
			while (times[i] - times[j] >= 1000) j++;
			most = Math.max(most, i - j + 1);
		}
		return most;
	};

	test('as an option it lowers the pace', async () => {
		const run = await getAll(customers(12), { options: { maxRequestsPerSecond: 5 } });
		expect([run.error, run.items.length]).toEqual([undefined, 12]);
		expect(busiestSecond()).toBeLessThanOrEqual(6);
	});

	test("absent or empty reads as automatic (just under Stripe's limits)", async () => {
		const ids = customers(24);
		for (const options of [{}, { maxRequestsPerSecond: null }]) {
			emulator().requests.length = 0;
			const run = await getAll(ids, { options });
			expect([run.error, run.items.length]).toEqual([undefined, 24]);
			// The key's own pace: from 30 % of 24/s in a fresh process (slow start), growing while
			// in use; far over the 5/s an option would set.
			expect(busiestSecond()).toBeGreaterThanOrEqual(10);
		}
	});

	test('0 or below is refused, saying that empty means automatic', async () => {
		const run = await getAll(customers(1), { options: { maxRequestsPerSecond: 0 } });
		expect(run.error).toMatchObject({
			message: 'Max Requests per Second must be a number above 0, not 0 (item 0)',
			description: expect.stringContaining('Leave it empty'),
		});
		expect(emulator().requests).toEqual([]);
	});

	test('version 1 keeps the top-level field where 0 means automatic', async () => {
		const ids = customers(12);
		const v1 = await read(
			1,
			{
				resource: 'customer',
				operation: 'get',
				customerId: '={{ $json.id }}',
				maxRequestsPerSecond: 0,
			},
			{ items: ids.map((id) => ({ id })) },
		);
		expect([v1.error, v1.items.length, busiestSecond()]).toEqual([undefined, 12, 12]);
	});
});
