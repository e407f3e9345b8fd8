/**
 * Stripe Guard on a real n8n (2.41.1, Node 24): the packed package installed as n8n's community
 * installer does, workflows run with `n8n execute` against the Stripe emulator, and `n8n start`
 * serving the node, its agent-tool variant and the credential.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Stripe from 'stripe';

import { startEmulator, type StripeEmulator } from '../emulator';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const CREDENTIAL = { id: 'sgE2eCredential1', name: 'Stripe Guard (emulator)' };
const timings: Record<string, number> = {};
const suiteStart = Date.now();
let emulator: StripeEmulator;
let server: Awaited<ReturnType<typeof runtime.startServer>> | undefined;
let userFolder: string;
let n8n: ReturnType<typeof runtime.ensureN8n>;
let env: NodeJS.ProcessEnv;

async function timed<T>(name: string, step: () => T | Promise<T>): Promise<T> {
	const start = Date.now();
	try {
		return await step();
	} finally {
		timings[name] = Date.now() - start;
	}
}

interface Node {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	executeOnce?: boolean;
	typeVersion?: number;
	credentials?: Record<string, { id: string; name: string }>;
}

/** A workflow of a Manual Trigger followed by the given nodes in a chain. */
function workflow(id: string, name: string, nodes: Node[]) {
	const all = [{ name: 'Manual', type: 'n8n-nodes-base.manualTrigger', parameters: {} }, ...nodes];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++)
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections,
		nodes: all.map((n, i) => ({
			id: `${id}-${i}`,
			typeVersion: 1,
			position: [i * 220, 0],
			...n,
			...(n.type.startsWith('n8n-nodes-stripe-guard')
				? { credentials: { stripeRestrictedKeyApi: CREDENTIAL } }
				: {}),
		})),
	};
}

const guard = (name: string, parameters: Record<string, unknown>): Node => ({
	name,
	type: 'n8n-nodes-stripe-guard.stripeGuard',
	parameters,
	executeOnce: true,
});

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

const output = (run: RunResult, node: string) =>
	run.data.resultData.runData[node]?.[0]?.data?.main[0] ?? [];

beforeAll(async () => {
	n8n = await timed('install n8n (cached after the first run)', () => runtime.ensureN8n());
	emulator = await timed('start the Stripe emulator', async () => {
		const emu = await startEmulator({ seed: 'demo' });
		// 137 test customers in all: two pages of 100.
		emu.createMany('customer', 'test', 137 - emu.list('customer', 'test').length, (i) => ({
			email: `bulk${i}@example.com`,
			name: `Bulk Customer ${i}`,
		}));
		return emu;
	});
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-e2e-'));
	await timed('pack and install the package', () => runtime.installPackage(userFolder));
	env = runtime.n8nEnv(n8n, { userFolder, port: 5688, stripeEmulatorPort: emulator.port });
	await timed('import credential', () =>
		runtime.importCredentials(n8n, env, [
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
		]),
	);
});

afterAll(async () => {
	await server?.stop();
	await emulator?.stop();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	timings['whole suite'] = Date.now() - suiteStart;
	console.log(`e2e timings (ms): ${JSON.stringify(timings, null, 2)}`);
});

/** Fails with n8n's own words when the run did not succeed (an unknown node type, a node error). */
function expectSuccess(run: RunResult) {
	const error = run.data.resultData.error?.message;
	if (error && /Unrecognized node type/.test(error))
		throw new Error(`n8n did not load the Stripe Guard package: ${error}`);
	expect(error).toBeUndefined();
	expect(run.status).toBe('success');
}

test('a workflow lists every customer from the emulator', async () => {
	await runtime.importWorkflow(
		n8n,
		env,
		workflow('sgE2eListCustomers', 'List customers', [
			guard('List Customers', { resource: 'customer', operation: 'list', returnAll: true }),
		]),
	);
	emulator.clearRequests();
	const run = (await timed('execute: list customers', () =>
		runtime.executeWorkflow(n8n, env, 'sgE2eListCustomers'),
	)) as RunResult;
	expectSuccess(run);
	const ids = output(run, 'List Customers').map((i) => i.json.id);
	expect(ids).toHaveLength(emulator.list('customer', 'test').length);
	expect(ids.length).toBe(137);
	expect(new Set(ids)).toEqual(new Set(emulator.list('customer', 'test').map((c) => c.id)));
	const lists = emulator.requests.filter((r) => r.path === '/v1/customers');
	// Pages of 100, read in windows of `created` (nodes/shared/transport/windows.ts):
	// within its bound of (⌈N/100⌉ + 26) ÷ 0.95.
	expect(lists.every((r) => r.query.limit === '100')).toBe(true);
	expect(lists.length).toBeGreaterThanOrEqual(2);
	expect(lists.length).toBeLessThanOrEqual(Math.floor((Math.ceil(137 / 100) + 26) / 0.95));
	// The API version the installed stripe SDK pins, and the package's user agent.
	expect(
		lists.every(
			(r) =>
				r.stripeVersion === (Stripe as unknown as { API_VERSION: string }).API_VERSION &&
				/n8n-nodes-stripe-guard/.test(r.userAgent ?? ''),
		),
	).toBe(true);
	// n8n called https://api.stripe.com; the route preloaded into that n8n process brought it here.
	expect(lists.every((r) => r.host === 'api.stripe.com')).toBe(true);
});

test('a workflow reads every resource', async () => {
	const t = (id: string) => emulator.list(id as never, 'test')[0]?.id as string;
	const reads: Array<[string, Record<string, unknown>]> = [
		['customer', { operation: 'get', customerId: t('customer') }],
		['customer', { operation: 'search', query: "email~'example.com'", limit: 5 }],
		['product', { operation: 'list', limit: 5 }],
		['price', { operation: 'list', limit: 5, filters: { currency: 'usd' } }],
		['subscription', { operation: 'list', limit: 5, filters: { status: 'active' } }],
		['invoice', { operation: 'list', limit: 5, simplify: true }],
		['invoice', { operation: 'listLineItems', invoiceId: t('invoice') }],
		['paymentIntent', { operation: 'list', limit: 5 }],
		['charge', { operation: 'list', limit: 5, redactPersonalData: true }],
		['refund', { operation: 'list', limit: 5 }],
		['balance', { operation: 'get' }],
		['balanceTransaction', { operation: 'list', limit: 5, filters: { type: 'charge' } }],
		['payout', { operation: 'list', limit: 5 }],
		['checkoutSession', { operation: 'list', limit: 5 }],
		['event', { operation: 'list', limit: 5 }],
		[
			'query',
			{ operation: 'run', query: '{"list": "subscriptions", "filters": {"status": "past_due"}}' },
		],
	];
	const nodes = reads.map(([resource, params], i) =>
		guard(`Read ${i + 1} ${resource} ${params.operation}`, { resource, ...params }),
	);
	await runtime.importWorkflow(
		n8n,
		env,
		workflow('sgE2eReadEverything', 'Read every resource', nodes),
	);
	const run = (await timed('execute: read every resource', () =>
		runtime.executeWorkflow(n8n, env, 'sgE2eReadEverything'),
	)) as RunResult;
	expectSuccess(run);
	for (const node of nodes) {
		const items = output(run, node.name);
		expect({ node: node.name, count: items.length > 0 }).toEqual({ node: node.name, count: true });
	}
	const charges = JSON.stringify(output(run, nodes[8].name));
	expect(charges).toContain('redacted.invalid');
	expect(charges).not.toMatch(/"email":"[a-z.]+\d*@example\.com"/);
});

test(
	'version 2 next to version 1 on a real n8n: a saved version 1 node ' +
		'keeps its output and settings, a new one simplifies with ISO dates',
	async () => {
		const customer = emulator.list('customer', 'test')[0] as { id: string; created: number };
		const get = { resource: 'customer', operation: 'get', customerId: customer.id };
		const nodes: Node[] = [
			{ ...guard('Version 1', { ...get, maxRequestsPerSecond: 5 }), typeVersion: 1 },
			{ ...guard('Version 2', { ...get, options: { maxRequestsPerSecond: 5 } }), typeVersion: 2 },
			{
				...guard('Version 2 refund', {
					resource: 'refund',
					operation: 'create',
					chargeId: emulator
						.list('charge', 'test')
						.find((c) => c.status === 'succeeded' && c.currency === 'usd')!.id,
					amount: 300,
				}),
				typeVersion: 2,
			},
		];
		await runtime.importWorkflow(n8n, env, workflow('sgE2eVersions', 'Versions 1 and 2', nodes));
		const run = (await timed('execute: versions 1 and 2', () =>
			runtime.executeWorkflow(n8n, env, 'sgE2eVersions'),
		)) as RunResult;
		expectSuccess(run);
		expect(output(run, 'Version 1')[0].json).toMatchObject({
			object: 'customer',
			id: customer.id,
			created: customer.created,
		});
		const v2 = output(run, 'Version 2')[0].json;
		expect(v2).toMatchObject({
			id: customer.id,
			created: new Date(customer.created * 1000).toISOString(),
		});
		expect(v2).not.toHaveProperty('object');
		expect(output(run, 'Version 2 refund')[0].json).toMatchObject({
			type: 'stripeGuardProposal',
			request: { params: { amount: 300 } },
		});
	},
);

test(
	"n8n's HTTP Request node cannot use the credential: only Stripe Guard's nodes may, " +
		'so a key that can write never writes without an approval',
	async () => {
		const http: Node = {
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: 'https://api.stripe.com/v1/customers',
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'stripeRestrictedKeyApi',
				options: {},
			},
			credentials: { stripeRestrictedKeyApi: CREDENTIAL },
		};
		await runtime.importWorkflow(
			n8n,
			env,
			workflow('sgE2eHttpRequest', 'HTTP Request with the Stripe Guard credential', [http]),
		);
		emulator.clearRequests();
		const run = (await timed('execute: HTTP Request refused the credential', () =>
			runtime.executeWorkflow(n8n, env, 'sgE2eHttpRequest'),
		)) as RunResult;
		expect(run.status).toBe('error');
		expect(
			run.data.resultData.runData['HTTP Request']?.[0]?.error?.message ??
				run.data.resultData.error?.message,
		).toBe('Credential type "stripeRestrictedKeyApi" is restricted to specific nodes');
		expect(emulator.requests).toEqual([]);
	},
);

test(
	'n8n serves the node, its agent tool with every operation, ' + 'the trigger and the credential',
	async () => {
		server = await timed('n8n start until ready', () => runtime.startServer(n8n, env));
		try {
			// The editor's type lists need a signed-in user: set up the instance owner as a person would.
			const { cookie } = await runtime.setupOwner(server.url);
			// /types/*.json answer 401 without a session.
			expect((await fetch(`${server.url}/types/nodes.json`)).status).toBe(401);
			const nodeTypes = (await (
				await fetch(`${server.url}/types/nodes.json`, { headers: { cookie } })
			).json()) as Array<{
				name: string;
				usableAsTool?: boolean;
				properties: Array<{
					name: string;
					options?: Array<{ value: string }>;
					displayOptions?: { show?: Record<string, string[]> };
				}>;
			}>;
			const names = nodeTypes.map((n) => n.name);
			expect(names).toContain('n8n-nodes-stripe-guard.stripeGuard');
			expect(names).toContain('n8n-nodes-stripe-guard.stripeGuardTool');
			// The approval node, and the human-review gate n8n derives from its sendAndWait operation.
			expect(names).toContain('n8n-nodes-stripe-guard.stripeGuardApproval');
			expect(names).toContain('n8n-nodes-stripe-guard.stripeGuardApprovalHitlTool');
			expect(names).not.toContain('n8n-nodes-stripe-guard.stripeGuardApprovalTool');
			const tool = nodeTypes.find((n) => n.name === 'n8n-nodes-stripe-guard.stripeGuardTool')!;
			// n8n adds "Custom API Call" to nodes whose credential
			// authenticates itself (it points to the HTTP Request node).
			const resources = tool.properties
				.find((p) => p.name === 'resource')
				?.options?.map((o) => o.value)
				.filter((v) => v !== '__CUSTOM_API_CALL__');
			expect(resources).toEqual([
				'customer',
				'product',
				'price',
				'subscription',
				'invoice',
				'paymentIntent',
				'charge',
				'refund',
				'dispute',
				'balance',
				'balanceTransaction',
				'payout',
				'checkoutSession',
				'event',
				'coupon',
				'report',
				'query',
				'proposal',
			]);
			const operationsOf = (resource: string) =>
				tool.properties
					.find(
						(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
					)
					?.options?.map((o) => o.value)
					.filter((v) => v !== '__CUSTOM_API_CALL__');
			expect(operationsOf('customer')).toEqual([
				'get',
				'list',
				'search',
				'create',
				'update',
				'delete',
			]);
			expect(operationsOf('refund')).toEqual(['get', 'list', 'create']);
			expect(operationsOf('dispute')).toEqual(['get', 'list', 'updateEvidence', 'close']);
			expect(operationsOf('invoice')).toEqual([
				'get',
				'list',
				'search',
				'listLineItems',
				'create',
				'finalize',
				'send',
				'void',
			]);
			expect(operationsOf('query')).toEqual(['run']);
			expect(operationsOf('proposal')).toEqual(['status']);
			expect(operationsOf('report')).toEqual([
				'mrr',
				'revenue',
				'subscriptionMovements',
				'subscriptionMetrics',
				'cohorts',
				'failedPayments',
				'payouts',
			]);
			// The polling trigger, marked as one so n8n polls it.
			const trigger = nodeTypes.find(
				(n) => n.name === 'n8n-nodes-stripe-guard.stripeGuardTrigger',
			) as { polling?: boolean } | undefined;
			expect(trigger?.polling).toBe(true);
			const credentials = (await (
				await fetch(`${server.url}/types/credentials.json`, { headers: { cookie } })
			).json()) as Array<{
				name: string;
				displayName: string;
				documentationUrl?: string;
				properties: Array<{ type: string; displayName: string }>;
			}>;
			expect(credentials.map((c) => c.name)).toContain('stripeRestrictedKeyApi');

			// Findable and distinct in the editor, as n8n serves it: the search words of the node
			// creator, an icon per node, and a credential no one mistakes for n8n's own "Stripe API".
			const ours = (name: string) =>
				nodeTypes.find((n) => n.name === `n8n-nodes-stripe-guard.${name}`) as unknown as {
					description: string;
					iconUrl?: unknown;
					codex?: { alias?: string[] };
				};
			expect(ours('stripeGuard').codex?.alias).toEqual(
				expect.arrayContaining([
					'refund',
					'MRR',
					'ARR',
					'churn',
					'report',
					'revenue',
					'charge',
					'subscription',
					'invoice',
				]),
			);
			expect(ours('stripeGuard').description).toMatch(/^Read Stripe data/);
			// A node added in the editor is version 3; saved workflows keep versions 1 and 2.
			expect(ours('stripeGuard')).toMatchObject({ version: [1, 2, 3], defaultVersion: 3 });
			// The pictures themselves differ (each node has its own file, so compare what n8n serves).
			const icons = await Promise.all(
				['stripeGuard', 'stripeGuardTrigger', 'stripeGuardApproval'].map(async (n) => {
					const url = (ours(n).iconUrl as { light: string }).light;
					const res = await fetch(`${server!.url}/${url}`, { headers: { cookie } });
					expect([url, res.status]).toEqual([url, 200]);
					return await res.text();
				}),
			);
			expect(icons.every((svg) => svg.startsWith('<svg'))).toBe(true);
			expect(new Set(icons).size).toBe(3);
			const credential = credentials.find((c) => c.name === 'stripeRestrictedKeyApi')!;
			expect(credential.displayName).toBe('Stripe Guard (Restricted Key) API');
			expect(credential.documentationUrl).toMatch(/^https:\/\//);
			expect(credential.properties[0]).toMatchObject({
				type: 'notice',
				displayName: expect.stringContaining(
					'<a href="https://dashboard.stripe.com/apikeys/create' +
						'?name=n8n%20Stripe%20Guard&amp;permissions[]=rak_customer_read',
				),
			});
		} finally {
			await timed('n8n stop', () => server?.stop());
			server = undefined;
		}
	},
);
