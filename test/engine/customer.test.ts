import { inOneSecond, useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator();

function customerRequests() {
	return emulator().requests.filter((r) => r.path.startsWith('/v1/customers'));
}

beforeEach(() => {
	emulator().reset();
});

describe('customer → get', () => {
	test('returns the customer Stripe has', async () => {
		const e = emulator();
		const created = e.create<{ id: string }>('customer', 'test', {
			email: 'jenny.rosen@example.com',
			name: 'Jenny Rosen',
		});
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: created.id },
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({
			id: created.id,
			object: 'customer',
			email: 'jenny.rosen@example.com',
			livemode: false,
		});
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
	});

	test('one output per input item, each paired with its input', async () => {
		const e = emulator();
		const ids = [0, 1, 2].map(
			(i) => e.create<{ id: string }>('customer', 'test', { email: `c${i}@example.com` }).id,
		);
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
			credential: { apiKey: e.keys.testRead },
			items: ids.map((id) => ({ id })),
		});
		expect(run.items.map((i) => i.json.id)).toEqual(ids);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test.each([
		['a subscription ID', 'sub_1MowQVLkdIwHu7ix'],
		['an email', 'jenny@example.com'],
		['a prefix only with spaces inside', 'cus_ 123'],
	])('%s is refused before any request', async (_name, id) => {
		const e = emulator();
		e.clearRequests();
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: id },
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/is not a customer ID \(item 0\)/);
		expect(run.error?.description).toMatch(/start with cus_/);
		expect(e.requests).toHaveLength(0);
	});

	test('an ID that resolves to empty is refused and names the item', async () => {
		const existing = emulator().create<{ id: string }>('customer', 'test').id;
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
			credential: { apiKey: emulator().keys.testRead },
			items: [{ id: existing }, { id: '' }],
		});
		expect(run.error?.message).toBe('The customer ID is empty (item 1)');
	});

	test('a blank required ID stops n8n before the run', async () => {
		await expect(
			runStripeGuard({
				parameters: { resource: 'customer', operation: 'get', customerId: '' },
				credential: { apiKey: emulator().keys.testRead },
			}),
		).rejects.toThrow('Parameter "Customer" is required.');
	});

	test('a missing customer is a clear "not found" with the item index', async () => {
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: 'cus_DoesNotExist1' },
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe("No such customer: 'cus_DoesNotExist1'");
		expect(run.error?.httpCode).toBe('404');
		expect(run.error?.context?.itemIndex).toBe(0);
		expect(run.error?.description).toMatch(/other environment/);
	});

	test('a key without Customers: Read gets the permission named (legacy wording)', async () => {
		const e = emulator();
		const key = e.addKey({
			mode: 'test',
			permissions: { subscription: 'read' },
			permissionErrorStyle: 'legacy',
		});
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: 'cus_NffrFeUfNV2Hib' },
			credential: { apiKey: key },
		});
		expect(run.error?.message).toBe(
			'This key is missing Customers: Read (rak_customer_read). ' +
				'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.',
		);
		expect(run.error?.httpCode).toBe('403');
		expect(run.error?.name).toBe('NodeApiError');
	});

	test('the modern 403 wording is mapped the same way', async () => {
		const e = emulator();
		const key = e.addKey({ mode: 'test', permissions: {}, permissionErrorStyle: 'modern' });
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'list', returnAll: false, limit: 5 },
			credential: { apiKey: key },
		});
		expect(run.error?.message).toBe(
			'This key is missing Customers: Read (rak_customer_read). ' +
				'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.',
		);
	});

	test('Continue On Fail emits an error item for the bad item and keeps going', async () => {
		const e = emulator();
		const good = e.create<{ id: string }>('customer', 'test').id;
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
			credential: { apiKey: e.keys.testRead },
			items: [{ id: 'in_wrong' }, { id: good }, { id: 'cus_Missing000001' }],
			continueOnFail: true,
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(3);
		expect(run.items[0].json.error).toMatch(/"in_wrong" is not a customer ID \(item 0\)/);
		expect(run.items[1].json.id).toBe(good);
		expect(run.items[2].json.error).toBe("No such customer: 'cus_Missing000001'");
		expect(run.items[2].json.description).toMatch(/item 2/);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('test keys do not see live objects', async () => {
		const e = emulator();
		const live = e.create<{ id: string }>('customer', 'live').id;
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'get', customerId: live },
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.error?.message).toBe(`No such customer: '${live}'`);
	});
});

describe('customer → list', () => {
	const list = (extra: Record<string, unknown> = {}) =>
		runStripeGuard({
			parameters: { resource: 'customer', operation: 'list', ...extra } as never,
			credential: { apiKey: emulator().keys.testRead },
		});

	test('an empty account gives no items, in one request', async () => {
		const run = await list({ returnAll: true });
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(0);
		expect(customerRequests()).toHaveLength(1);
	});

	// All created in one second: its pages by cursor, and past
	// the first page one window below that second (empty).
	test.each([
		[1, 1],
		[100, 1],
		[101, 3],
		[250, 4],
	])(
		'Return All over %i customers: every customer once, in %i requests of 100',
		async (count, requests) => {
			const e = emulator();
			e.createMany('customer', 'test', count, inOneSecond());
			e.clearRequests();
			const run = await list({ returnAll: true });
			expect(run.items).toHaveLength(count);
			expect(new Set(run.items.map((i) => i.json.id)).size).toBe(count);
			const calls = customerRequests();
			expect(calls).toHaveLength(requests);
			expect(calls.every((c) => c.query.limit === '100')).toBe(true);
			expect(run.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		},
	);

	test('newest first, as Stripe lists', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 30, (i) => ({ created: 1_700_000_000 + i * 60 }));
		const run = await list({ returnAll: true });
		const created = run.items.map((i) => i.json.created as number);
		expect(created).toEqual([...created].sort((a, b) => b - a));
	});

	test('the default limit is 50 and asks Stripe for no more', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 120, inOneSecond());
		e.clearRequests();
		const run = await list();
		expect(run.items).toHaveLength(50);
		expect(customerRequests().map((c) => c.query.limit)).toEqual(['50']);
	});

	test('a limit above 100 pages with 100 and stops when enough are in', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 400, inOneSecond());
		e.clearRequests();
		const run = await list({ returnAll: false, limit: 150 });
		expect(run.items).toHaveLength(150);
		expect(customerRequests()).toHaveLength(2);
	});

	test('Max Rows stops Return All and says so', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 260, inOneSecond());
		e.clearRequests();
		const run = await list({ returnAll: true, maxRows: 120 });
		expect(run.items).toHaveLength(120);
		expect(customerRequests()).toHaveLength(2);
		expect(run.hints.map((h) => h.message)).toEqual([
			expect.stringMatching(/Stopped at Max Rows \(120\).*Stripe has more/),
		]);
	});

	test('no hint when everything fits under Max Rows', async () => {
		emulator().createMany('customer', 'test', 120, inOneSecond());
		const run = await list({ returnAll: true, maxRows: 120 });
		expect(run.items).toHaveLength(120);
		expect(run.hints).toEqual([]);
	});

	test('filters reach Stripe as its parameters', async () => {
		const e = emulator();
		e.create('customer', 'test', { email: 'ada@example.com', created: 1_767_225_600 });
		e.create('customer', 'test', { email: 'ada@example.com', created: 1_700_000_000 });
		e.create('customer', 'test', { email: 'bob@example.com', created: 1_767_225_600 });
		e.clearRequests();
		const run = await list({
			returnAll: true,
			filters: {
				email: 'ada@example.com',
				createdFrom: '2026-01-01T00:00:00Z',
				createdBefore: '2026-02-01T00:00:00Z',
			},
		});
		expect(customerRequests()[0].query).toMatchObject({
			email: 'ada@example.com',
			created: { gte: '1767225600', lt: '1769904000' },
		});
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json.email).toBe('ada@example.com');
	});

	test('a date that is not a date is refused before any request', async () => {
		const e = emulator();
		e.clearRequests();
		const run = await list({ filters: { createdFrom: 'last tuesday-ish' } });
		expect(run.error?.message).toMatch(/Filter Created gte is not a date/);
		expect(e.requests).toHaveLength(0);
	});
});

describe('retries', () => {
	test('429s are retried with backoff and the list completes', async () => {
		const e = emulator();
		e.createMany('customer', 'test', 150, inOneSecond());
		e.clearRequests();
		e.addFault({ kind: 'rate_limit', count: 2, pathPrefix: '/v1/customers' });
		try {
			const run = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'list', returnAll: true },
				credential: { apiKey: e.keys.testRead },
			});
			expect(run.status).toBe('success');
			expect(run.items).toHaveLength(150);
			expect(customerRequests().filter((r) => r.status === 429)).toHaveLength(2);
		} finally {
			e.clearFaults();
		}
	});

	test('a 500 is retried by the transport', async () => {
		const e = emulator();
		const id = e.create<{ id: string }>('customer', 'test').id;
		e.clearRequests();
		e.addFault({ kind: 'server_error', count: 1 });
		try {
			const run = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'get', customerId: id },
				credential: { apiKey: e.keys.testRead },
			});
			expect(run.items[0].json.id).toBe(id);
			expect(e.requests.map((r) => r.status)).toEqual([500, 200]);
		} finally {
			e.clearFaults();
		}
	});
});
