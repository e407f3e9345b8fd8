/**
 * Pick, don't paste, on a real n8n (2.41.1): the editor's own endpoints
 * (`/rest/dynamic-node-parameters/resource-locator-results` and `/options`) answer with the
 * Stripe Guard look-ups against the emulator's demo data, and workflows saved with plain string
 * IDs (before the resource locators) still run next to ones that use each locator mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5702;
const CREDENTIAL = { id: 'sgE2eLookupCred1', name: 'Stripe Guard (emulator, read)' };
const NODE_TYPE = 'n8n-nodes-stripe-guard.stripeGuard';
let emulator: StripeEmulator;
let userFolder: string;
let n8n: ReturnType<typeof runtime.ensureN8n>;
let env: NodeJS.ProcessEnv;

interface RunResult {
	status: string;
	data: {
		resultData: {
			error?: { message: string };
			runData: Record<
				string,
				Array<{
					error?: { message: string };
					data?: { main: Array<Array<{ json: Record<string, unknown> }>> };
				}>
			>;
		};
	};
}

/** Manual Trigger → the given Stripe Guard nodes, one after another. */
function workflow(id: string, nodes: Array<{ name: string; parameters: Record<string, unknown> }>) {
	const all = [
		{ name: 'Manual', type: 'n8n-nodes-base.manualTrigger', parameters: {} },
		...nodes.map((n) => ({
			...n,
			type: NODE_TYPE,
			credentials: { stripeRestrictedKeyApi: CREDENTIAL },
		})),
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++)
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		connections,
		nodes: all.map((n, i) => ({ id: `${id}-${i}`, typeVersion: 1, position: [i * 220, 0], ...n })),
	};
}

const output = (run: RunResult, node: string) =>
	run.data.resultData.runData[node]?.[0]?.data?.main[0] ?? [];

beforeAll(async () => {
	n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-e2e-lookups-'));
	await runtime.installPackage(userFolder);
	env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	await runtime.importCredentials(n8n, env, [
		{
			...CREDENTIAL,
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testRead,
				environment: 'test',
				accountId: '',
				allowWrites: false,
			},
		},
	]);
});

afterAll(async () => {
	await emulator?.stop();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test('a workflow saved with plain string IDs still runs, next to each locator mode', async () => {
	const customer = emulator.list('customer', 'test')[0].id;
	const invoice = emulator.list('invoice', 'test')[0].id;
	const invoiceCustomer = emulator.list('invoice', 'test')[0].customer as string;
	const price =
		emulator
			.list('price', 'test')
			.find((p) => p.active && typeof p.unit_amount === 'number' && !p.recurring)?.id ??
		emulator.list('price', 'test').find((p) => typeof p.unit_amount === 'number')!.id;
	const wf = workflow('sgE2eOldAndNewIds', [
		// As saved before the locators: plain strings.
		{
			name: 'Old Get Customer',
			parameters: { resource: 'customer', operation: 'get', customerId: customer },
		},
		{
			name: 'Old Invoice Lines',
			parameters: { resource: 'invoice', operation: 'listLineItems', invoiceId: invoice, limit: 1 },
		},
		{
			name: 'Old Filter',
			parameters: {
				resource: 'invoice',
				operation: 'list',
				limit: 100,
				filters: { customer: invoiceCustomer },
			},
		},
		{
			name: 'Old Checkout',
			parameters: {
				resource: 'checkoutSession',
				operation: 'create',
				mode: 'payment',
				successUrl: 'https://example.com/ok',
				lineItems: { item: [{ price, quantity: 1 }] },
			},
		},
		// The locator's modes.
		{
			name: 'From List',
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: { __rl: true, mode: 'list', value: customer },
			},
		},
		{
			name: 'By URL',
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: {
					__rl: true,
					mode: 'url',
					value: `https://dashboard.stripe.com/test/customers/${customer}`,
				},
			},
		},
	]);
	for (const node of wf.nodes)
		if (node.type === NODE_TYPE) Object.assign(node, { executeOnce: true });
	await runtime.importWorkflow(n8n, env, wf);
	const run = (await runtime.executeWorkflow(n8n, env, 'sgE2eOldAndNewIds')) as RunResult;
	expect(run.data.resultData.error?.message).toBeUndefined();
	expect(run.status).toBe('success');
	expect(output(run, 'Old Get Customer')[0].json.id).toBe(customer);
	expect(output(run, 'Old Invoice Lines')).toHaveLength(1);
	const filtered = output(run, 'Old Filter');
	expect(filtered.length).toBeGreaterThan(0);
	expect(filtered.every((i) => i.json.customer === invoiceCustomer)).toBe(true);
	expect(output(run, 'Old Checkout')[0].json).toMatchObject({
		request: { path: '/v1/checkout/sessions' },
	});
	expect(output(run, 'From List')[0].json.id).toBe(customer);
	expect(output(run, 'By URL')[0].json.id).toBe(customer);
});

test("the editor's endpoints answer From List and the dropdowns", async () => {
	const server = await runtime.startServer(n8n, env);
	try {
		const { cookie } = await runtime.setupOwner(server.url);
		const post = async (endpoint: string, body: Record<string, unknown>) => {
			const res = await fetch(`${server.url}/rest/dynamic-node-parameters/${endpoint}`, {
				method: 'POST',
				headers: { cookie, 'content-type': 'application/json' },
				body: JSON.stringify({
					nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
					credentials: { stripeRestrictedKeyApi: CREDENTIAL },
					...body,
				}),
			});
			const json = (await res.json()) as { data?: unknown; message?: string };
			return { status: res.status, json };
		};
		const locate = (
			methodName: string,
			currentNodeParameters: Record<string, unknown>,
			extra: Record<string, unknown> = {},
		) =>
			post('resource-locator-results', {
				path: 'parameters.customerId',
				methodName,
				currentNodeParameters,
				...extra,
			});

		// From List of a customer: the demo's customers, 25 a page, as a person recognises them.
		const getCustomer = {
			resource: 'customer',
			operation: 'get',
			customerId: { __rl: true, mode: 'list', value: '' },
		};
		const first = await locate('searchCustomers', getCustomer);
		expect(first.status).toBe(200);
		const page = first.json.data as {
			results: Array<{ name: string; value: string; url: string }>;
			paginationToken?: string;
		};
		const customers = emulator.list('customer', 'test');
		expect(page.results).toHaveLength(25);
		const known = customers.find((c) => c.id === page.results[0].value)!;
		expect(page.results[0]).toEqual({
			name: `${[known.name, known.email].filter(Boolean).join(' — ')} (${known.id})`,
			value: known.id,
			url: `https://dashboard.stripe.com/test/customers/${known.id}`,
		});
		// The demo has 40 test customers: a second page follows the token, with the other 15.
		expect(customers.length).toBe(40);
		expect(page.paginationToken).toEqual(expect.any(String));
		const next = (
			await locate('searchCustomers', getCustomer, { paginationToken: page.paginationToken })
		).json.data as { results: Array<{ value: string }>; paginationToken?: string };
		expect(next.results).toHaveLength(15);
		expect(next.paginationToken).toBeUndefined();
		expect(new Set([...page.results, ...next.results].map((r) => r.value))).toEqual(
			new Set(customers.map((c) => c.id)),
		);
		// Search by a name: Stripe Search on the emulator.
		const name = String(known.name ?? known.email);
		const searched = (await locate('searchCustomers', getCustomer, { filter: name })).json.data as {
			results: Array<{ value: string }>;
		};
		expect(searched.results.map((r) => r.value)).toContain(known.id);
		expect(
			(await locate('searchCustomers', getCustomer, { filter: 'zzz-nobody-has-this-name' })).json
				.data,
		).toEqual({ results: [] });

		// A filter's From List (inside the Filters collection) answers the same.
		const filterPick = (
			await post('resource-locator-results', {
				path: 'parameters.filters.customer',
				methodName: 'searchCustomers',
				currentNodeParameters: {
					resource: 'subscription',
					operation: 'list',
					filters: { customer: { __rl: true, mode: 'list', value: '' } },
				},
				filter: name,
			})
		).json.data as { results: Array<{ value: string }> };
		expect(filterPick.results.map((r) => r.value)).toContain(known.id);

		// From List of a price: "Product — $49.00 / month (price_…)".
		const prices = (
			await post('resource-locator-results', {
				path: 'parameters.priceId',
				methodName: 'searchPrices',
				currentNodeParameters: { resource: 'price', operation: 'get' },
			})
		).json.data as {
			results: Array<{ name: string; value: string }>;
		};
		expect(prices.results.length).toBeGreaterThan(0);
		expect(prices.results.every((r) => new RegExp(` — .+ \\(${r.value}\\)$`).test(r.name))).toBe(
			true,
		);
		expect(prices.results.some((r) => /\$\d+\.\d\d \/ (month|year)/.test(r.name))).toBe(true);

		// The dropdowns: prices for checkout line items, currencies for a new price.
		const checkout = { resource: 'checkoutSession', operation: 'create' };
		const priceOptions = await post('options', {
			path: 'parameters.lineItems.item[0].price',
			methodName: 'getPrices',
			currentNodeParameters: checkout,
		});
		expect(priceOptions.status).toBe(200);
		const activePrices = emulator.list('price', 'test').filter((p) => p.active);
		expect((priceOptions.json.data as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
			activePrices
				.map((p) => p.id)
				.slice(0, 200)
				.sort(),
		);
		const currencies = await post('options', {
			path: 'parameters.currency',
			methodName: 'getCurrencies',
			currentNodeParameters: { resource: 'price', operation: 'create' },
		});
		expect((currencies.json.data as Array<{ name: string; value: string }>)[0]).toEqual({
			name: 'USD (account default)',
			value: 'usd',
		});
	} finally {
		await server.stop();
	}
});
