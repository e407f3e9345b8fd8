import { StripeRestrictedKeyApi } from '../../credentials/StripeRestrictedKeyApi.credentials';
import { WRITE_PROBES } from '../../nodes/StripeGuard/writes';
import { useEmulator } from './emulator-context';
import type { ObjectType } from '../emulator';
import { captureLogs, runStripeGuard, testCredential } from './harness';
import { createPollWorkflow } from './poll-harness';

const BODY = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6'; // 32 characters, like a real key's tail

describe('credential: keys refused before any request', () => {
	const emulator = useEmulator();

	const cases: Array<[string, unknown, RegExp]> = [
		[
			'sk_live_ secret key',
			`sk_live_${BODY}`,
			new RegExp(
				String.raw`secret key \(sk_live_…\).*restricted keys` +
					String.raw`.*the link at the top of the Stripe Guard credential form.*rk_live_\.$`,
			),
		],
		[
			'sk_test_ secret key',
			`sk_test_${BODY}`,
			/secret key \(sk_test_…\).*read permissions Stripe Guard needs already chosen.*rk_test_\.$/,
		],
		[
			'pk_ publishable key',
			`pk_test_${BODY}`,
			/publishable key \(pk_…\).*cannot read your Stripe data/,
		],
		['whsec_ webhook secret', `whsec_${BODY}`, /webhook signing secret \(whsec_…\)/],
		['empty key', '', /No API key entered/],
		['missing key', undefined, /No API key entered/],
		['whitespace-padded key', `  rk_test_${BODY}\n`, /spaces or line breaks/],
		['truncated key', 'rk_test_a1B2c3D4', /looks cut off: it has 8 characters after rk_test_/],
		['garbage', 'hello-world', /not a Stripe restricted key/],
		['restricted prefix with symbols', `rk_test_${BODY}!!`, /not a Stripe restricted key/],
	];

	test.each(cases)('%s is refused with its own message', async (_name, apiKey, expected) => {
		const before = emulator().requests.length;
		const result = await testCredential({
			apiKey: apiKey as string,
			environment: 'test',
			accountId: '',
			allowWrites: false,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(expected);
		expect(emulator().requests.length).toBe(before);
	});

	test('each refusal is distinct', async () => {
		const messages = await Promise.all(
			cases
				.slice(0, 9)
				.filter(([n]) => n !== 'missing key')
				.map(([, apiKey]) =>
					testCredential({
						apiKey: apiKey as string,
						environment: 'test',
						accountId: '',
						allowWrites: false,
					}),
				),
		);
		expect(new Set(messages.map((m) => m.message)).size).toBe(messages.length);
	});

	test('a live key with environment Test is refused', async () => {
		const result = await testCredential({ apiKey: `rk_live_${BODY}`, environment: 'test' });
		expect(result).toMatchObject({ status: 'Error' });
		expect(result.message).toMatch(
			/live-mode key \(rk_live_…\) but the Environment is set to Test/,
		);
	});

	test('a test key with environment Live is refused', async () => {
		const result = await testCredential({ apiKey: `rk_test_${BODY}`, environment: 'live' });
		expect(result.message).toMatch(
			/test-mode key \(rk_test_…\) but the Environment is set to Live/,
		);
	});

	test('a malformed account id is refused', async () => {
		const result = await testCredential({ apiKey: `rk_test_${BODY}`, accountId: 'account-1' });
		expect(result.message).toMatch(/Account ID must look like acct_/);
	});

	test('messages never repeat the key', async () => {
		for (const apiKey of [`sk_live_${BODY}`, `rk_test_${BODY}`, `  rk_test_${BODY}`]) {
			const result = await testCredential({ apiKey, environment: 'live' });
			expect(result.message).not.toContain(BODY);
		}
	});
});

describe('credential: checks against Stripe (emulator)', () => {
	const emulator = useEmulator({ seed: 'demo' });

	test('a read-only test key passes', async () => {
		const result = await testCredential({ apiKey: emulator().keys.testRead });
		expect(result).toEqual({
			status: 'OK',
			message: 'Connected to Stripe in test mode with a read-only key.',
		});
	});

	test('a read-only live key passes in Live', async () => {
		const result = await testCredential({ apiKey: emulator().keys.liveRead, environment: 'live' });
		expect(result.status).toBe('OK');
	});

	test('the test makes a real read and the write probes, and writes nothing', async () => {
		const e = emulator();
		e.clearRequests();
		const customersBefore = e.list('customer', 'test').length;
		await testCredential({ apiKey: e.keys.testRead });
		const calls = e.requests.map((r) => `${r.method} ${r.path}`);
		expect(calls).toContain('GET /v1/customers');
		expect(e.requests.find((r) => r.path === '/v1/customers')?.query).toMatchObject({ limit: '1' });
		expect(calls.filter((c) => !c.startsWith('GET'))).toHaveLength(WRITE_PROBES.length);
		expect(e.requests.filter((r) => r.method !== 'GET').every((r) => r.status === 403)).toBe(true);
		expect(e.list('customer', 'test').length).toBe(customersBefore);
	});

	test(
		'a key that can write while Allow Writes ' + 'is off fails and names what it can write',
		async () => {
			const e = emulator();
			const key = e.addKey({
				mode: 'test',
				permissions: { customer: 'write', charge: 'read', refund: 'write' },
			});
			e.clearRequests();
			const result = await testCredential({ apiKey: key });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				new RegExp(
					String.raw`can write Customers: Write \(rak_customer_write\), ` +
						String.raw`Refunds: Write \(rak_refund_write\), but Allow Writes is off`,
				),
			);
			expect(result.message).not.toMatch(/Products/);
			// Writable endpoints refuse the probe's unknown
			// parameter (400); the others refuse the key (403).
			const statuses = Object.fromEntries(
				e.requests.filter((r) => r.method !== 'GET').map((r) => [r.path.split('/')[2], r.status]),
			);
			expect(statuses).toEqual({
				customers: 400,
				products: 403,
				prices: 403,
				subscriptions: 403,
				invoices: 403,
				payment_intents: 403,
				refunds: 400,
				checkout: 403,
				coupons: 403,
				disputes: 403,
			});
		},
	);

	test('the same key passes when Allow Writes is on', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { customer: 'write' } });
		const result = await testCredential({ apiKey: key, allowWrites: true });
		expect(result.status).toBe('OK');
		expect(result.message).not.toMatch(/read-only/);
	});

	test('a key without Customers: Read is told which permission is missing', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { subscription: 'read' } });
		const result = await testCredential({ apiKey: key });
		expect(result.message).toBe(
			'This key is missing Customers: Read (rak_customer_read). ' +
				'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.',
		);
	});

	test('a revoked key (401) is refused', async () => {
		const e = emulator();
		const key = e.addKey({ mode: 'test', permissions: 'read' });
		e.revokeKey(key);
		const result = await testCredential({ apiKey: key });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/did not accept this API key: it may have been deleted, rolled or expired/,
		);
		expect(result.message).not.toContain(key.slice(8));
	});

	test('an unknown key (401) is refused', async () => {
		const result = await testCredential({ apiKey: `rk_test_${BODY}` });
		expect(result.message).toMatch(/did not accept this API key/);
	});

	test('the right account id passes', async () => {
		const e = emulator();
		const result = await testCredential({ apiKey: e.keys.testRead, accountId: e.accountId });
		expect(result).toMatchObject({ status: 'OK', message: expect.stringContaining(e.accountId) });
	});

	test('an account id mismatch fails and names both accounts', async () => {
		const e = emulator();
		const result = await testCredential({
			apiKey: e.keys.testRead,
			accountId: 'acct_1SomeoneElse00',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			`This key belongs to account ${e.accountId}, not acct_1SomeoneElse00. ` +
				'Use a key of acct_1SomeoneElse00, or correct the Account ID.',
		);
	});
});

describe('credential: the over-permission probe changes nothing', () => {
	const emulator = useEmulator({ seed: 'demo' });
	/**
	 * Product and plan (so price) IDs can be chosen by whoever
	 * creates them: objects with the IDs the probe names may exist.
	 */
	const PROBE = 'StripeGuardWriteProbe0000';
	/**
	 * One object per group the probe covers, each in a state
	 * a real delete, cancel, expire or refund would change.
	 */
	const targets: Array<[ObjectType, { id: string } & Record<string, unknown>]> = [
		['customer', { id: `cus_${PROBE}` }],
		['product', { id: `prod_${PROBE}` }],
		['price', { id: `price_${PROBE}`, active: true }],
		['subscription', { id: `sub_${PROBE}`, status: 'active' }],
		['invoice', { id: `in_${PROBE}`, status: 'draft' }],
		['payment_intent', { id: `pi_${PROBE}`, status: 'requires_payment_method' }],
		['charge', { id: `ch_${PROBE}`, amount: 2000, amount_refunded: 0, refunded: false }],
		['checkout_session', { id: `cs_${PROBE}`, status: 'open' }],
		['coupon', { id: PROBE, percent_off: 10 }],
		['dispute', { id: `dp_${PROBE}`, status: 'needs_response' }],
	];

	test(
		'objects carrying the IDs the probe names are unchanged ' +
			'after it runs with a key that can write everything',
		async () => {
			const e = emulator();
			for (const [type, fields] of targets) e.create(type, 'test', fields);
			const state = () => ({
				objects: targets.map(([type, { id }]) => structuredClone(e.get(type, 'test', id))),
				refunds: e.list('refund', 'test').length,
				events: e.list('event', 'test').length,
			});
			const before = state();
			e.clearRequests();

			const result = await testCredential({ apiKey: e.keys.testWrite });

			expect(result.status).toBe('Error');
			for (const p of [
				'customer',
				'product',
				'plan',
				'subscription',
				'invoice',
				'payment_intent',
				'refund',
				'checkout_session',
				'coupon',
				'dispute',
			]) {
				expect(result.message).toContain(`(rak_${p}_write)`);
			}
			expect(state()).toEqual(before);
			const writes = e.requests.filter((r) => r.method !== 'GET');
			expect(writes).toHaveLength(WRITE_PROBES.length);
			for (const w of writes)
				expect([w.method, w.path, w.status >= 400 && w.status < 500]).toEqual([
					w.method,
					w.path,
					true,
				]);
			// The probe really aimed at the seeded objects (the refund probe names no charge at all).
			for (const [type, { id }] of targets)
				if (type !== 'charge') expect(writes.map((w) => w.path).join(' ')).toContain(id);
		},
	);
});

describe("credential: n8n's HTTP helpers send it, and only Stripe Guard's nodes may", () => {
	const emulator = useEmulator({ seed: 'demo' });

	test(
		'authenticate is a Bearer header from the key; ' +
			'n8n decrypts it only for the nodes that declare it',
		() => {
			const credential = new StripeRestrictedKeyApi();
			expect(credential.authenticate).toEqual({
				type: 'generic',
				properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
			});
			expect(credential.restrictToSupportedNodes).toBe(true);
		},
	);

	test("the key reaches Stripe as a Bearer header through n8n's helper", async () => {
		const e = emulator();
		e.clearRequests();
		const run = await runStripeGuard({
			parameters: { resource: 'customer', operation: 'list', limit: 1 } as never,
			credential: { apiKey: e.keys.testRead },
		});
		expect(run.status).toBe('success');
		expect(e.requests.map((r) => [r.keyHint, r.status])).toEqual([
			[`rk_test_***${e.keys.testRead.slice(-4)}`, 200],
		]);
	});

	test(
		'the "Custom API Call" n8n adds to nodes whose credential ' +
			'authenticates is refused in words, before any request',
		async () => {
			const e = emulator();
			e.clearRequests();
			const run = await runStripeGuard({
				parameters: { resource: '__CUSTOM_API_CALL__', operation: '__CUSTOM_API_CALL__' } as never,
				credential: { apiKey: e.keys.testRead },
			});
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe(
				'Stripe Guard has no Custom API Call: it sends only the requests of its own operations',
			);
			expect(e.requests).toEqual([]);
		},
	);
});

describe('credential: a write credential on a node that only reads is pointed out', () => {
	const emulator = useEmulator();
	const WARNING = /has Allow Writes on, but this node only reads\. Choose a read-only credential/;

	test(
		'a read or a report with Allow Writes on gets a warning in the editor; ' +
			'a proposal or a read-only credential does not',
		async () => {
			const e = emulator();
			const write = { apiKey: e.keys.testWrite, allowWrites: true };
			const read = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'list' } as never,
				credential: write,
			});
			expect(read.hints).toEqual([
				expect.objectContaining({
					message: expect.stringMatching(WARNING),
					type: 'warning',
					location: 'ndv',
				}),
			]);
			const report = await runStripeGuard({
				parameters: { resource: 'report', operation: 'mrr' } as never,
				credential: write,
			});
			expect(report.hints.map((h) => h.message)).toEqual([expect.stringMatching(WARNING)]);
			const proposal = await runStripeGuard({
				parameters: {
					resource: 'customer',
					operation: 'create',
					email: 'ada@example.com',
					additionalFields: {},
				} as never,
				credential: write,
			});
			expect(proposal.status).toBe('success');
			expect(proposal.hints).toEqual([]);
			const readOnly = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'list' } as never,
				credential: { apiKey: e.keys.testRead },
			});
			expect(readOnly.hints).toEqual([]);
		},
	);

	test("the trigger says it in n8n's log", async () => {
		const e = emulator();
		e.create('event', 'test', { type: 'customer.created' });
		const poll = (allowWrites: boolean) =>
			createPollWorkflow({
				parameters: { events: ['customer.created'] },
				credential: { apiKey: allowWrites ? e.keys.testWrite : e.keys.testRead, allowWrites },
			}).poll('manual');
		expect((await captureLogs(() => poll(true))).lines).toContainEqual(
			expect.stringMatching(WARNING),
		);
		expect((await captureLogs(() => poll(false))).lines.join('\n')).not.toMatch(WARNING);
	});
});
