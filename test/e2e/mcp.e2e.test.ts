/**
 * Stripe Guard through n8n's MCP Server Trigger, driven by the official MCP client
 * (`@modelcontextprotocol/sdk`) over streamable HTTP on a real n8n 2.41.1, one server per
 * audience as README recommends:
 * - a read server (bearer token, read-only key): the tool list carries the node's own descriptions
 *   and schemas; a read returns no personal value of the ones seeded into every classified field;
 * - a proposal server (another token, the write key): Propose refund hands its proposal to an
 *   approval workflow and answers "pending" at once; a person approves through the link that
 *   workflow sent; Proposal status reports the refund executed, with Stripe's ID;
 * - no token, or the other server's token: refused;
 * - a proposal the client writes itself, handed straight to the approval workflow through n8n's
 *   own workflow tool (a server that exposes it by mistake): refused, nobody asked, nothing
 *   written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { auditTableColumns } from '../../nodes/StripeGuardApproval/audit';
import { querySpecs, resources } from '../../nodes/StripeGuard/resources';
import { describeTool, toolTexts } from '../../nodes/StripeGuard/tool-descriptions';
import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { auditCredential, auditedApproval, prepareAuditTrail } from './audit-setup';
import { PERSONAL, SeedBook, seedEveryClassifiedField, type Derived } from './personal-seeds';
import { settledStatus, waitFor } from './polling';
import { decide, node, refundableCharge, reviewLinks, stripeCredential } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5733;
const TABLE = 'Stripe Guard audit';
const READS = { id: 'sgE2eMcpReads', name: 'Stripe Guard (emulator, reads)' };
const WRITES = { id: 'sgE2eMcpWrites', name: 'Stripe Guard (emulator, writes)' };
const AUDIT = { id: 'sgE2eMcpAudit', name: 'Stripe Guard audit trail' };
const READ_TOKEN = { id: 'sgE2eMcpReadToken', name: 'MCP read clients', token: 'read-Zq9f3k2' };
const WRITE_TOKEN = { id: 'sgE2eMcpWriteToken', name: 'MCP finance clients', token: 'fin-Zq7x1p4' };
const APPROVAL_WORKFLOW = 'sgE2eMcpApproval';

let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let userFolder: string;
let cookie: string;
let tableId: string;
let seeded: Derived;
const book = new SeedBook();

/** The read tools: node name → parameters (with their $fromAI inputs) and resource.operation. */
const READ_TOOLS = {
	'List customers': { key: 'customer.list', parameters: {} },
	'Get charge': {
		key: 'charge.get',
		parameters: {
			chargeId: "={{ $fromAI('chargeId', 'The ID of the charge, starting with ch_', 'string') }}",
		},
	},
	'List disputes': { key: 'dispute.list', parameters: {} },
} as const;

const PROPOSE = {
	chargeId:
		"={{ $fromAI('chargeId', 'The ID of the charge to refund, starting with ch_', 'string') }}",
	amount: 300,
	additionalFields: { reason: 'duplicate' },
	approvalWorkflowId: { __rl: true, mode: 'id', value: APPROVAL_WORKFLOW },
};
const STATUS = {
	proposalId: "={{ $fromAI('proposalId', 'The proposal ID, starting with prop_', 'string') }}",
};

const tool = (
	name: string,
	resource: string,
	operation: string,
	parameters: Record<string, unknown>,
	credentials: Record<string, { id: string; name: string }>,
	y: number,
) =>
	node(
		name,
		'n8n-nodes-stripe-guard.stripeGuardTool',
		{ resource, operation, ...parameters },
		[200, y],
		{ typeVersion: 2, credentials },
	);

/** An MCP Server Trigger at `path`, with bearer authentication, and its tools. */
function mcpServer(
	id: string,
	path: string,
	token: { id: string; name: string },
	tools: Array<ReturnType<typeof node>>,
) {
	const trigger = node(
		'MCP Server Trigger',
		'@n8n/n8n-nodes-langchain.mcpTrigger',
		{ authentication: 'bearerAuth', path },
		[0, 0],
		{
			typeVersion: 2,
			webhookId: `${path}-0000-4000-8000-000000000000`.slice(0, 36),
			credentials: { httpBearerAuth: { id: token.id, name: token.name } },
		},
	);
	return {
		id,
		name: `MCP server ${path}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [trigger, ...tools],
		connections: Object.fromEntries(
			tools.map((t) => [
				t.name,
				{ ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] },
			]),
		),
	};
}

/** Execute Workflow Trigger → Stripe Guard Approval (writes, audited), asking on the receiver. */
const approvalWorkflow = () => ({
	id: APPROVAL_WORKFLOW,
	name: 'Approve proposals from MCP clients',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		node(
			'When a proposal arrives',
			'n8n-nodes-base.executeWorkflowTrigger',
			{ inputSource: 'passthrough' },
			[0, 0],
			{ typeVersion: 1.1 },
		),
		auditedApproval(receiver.url, tableId, 220, { writes: WRITES, audit: AUDIT }),
	],
	connections: {
		'When a proposal arrives': {
			main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]],
		},
	},
});

/** Each field of a proposal, as the exposed workflow tool takes it from the client. */
const FORGED_FIELDS = [
	['type', 'string'],
	['version', 'number'],
	['proposalId', 'string'],
	['resource', 'string'],
	['operation', 'string'],
	['mode', 'string'],
	['summary', 'string'],
	['createdAt', 'string'],
	['expiresAt', 'string'],
	['signature', 'string'],
	['request', 'json'],
	['amounts', 'json'],
] as const;

/**
 * A server that exposes the approval workflow itself as a tool (a mistake): n8n's workflow tool
 * passes what the client writes to it as the proposal.
 */
const exposedApproval = () =>
	mcpServer('sgE2eMcpExposed', 'stripe-exposed', WRITE_TOKEN, [
		node(
			'Submit proposal',
			'@n8n/n8n-nodes-langchain.toolWorkflow',
			{
				description: 'Submits a Stripe Guard proposal for approval',
				source: 'database',
				workflowId: { __rl: true, mode: 'id', value: APPROVAL_WORKFLOW },
				workflowInputs: {
					mappingMode: 'defineBelow',
					value: Object.fromEntries(
						FORGED_FIELDS.map(([name, type]) => [name, `={{ $fromAI('${name}', '', '${type}') }}`]),
					),
					matchingColumns: [],
					schema: FORGED_FIELDS.map(([name, type]) => ({
						id: name,
						displayName: name,
						required: false,
						defaultMatch: false,
						display: true,
						canBeUsedToMatch: true,
						type: type === 'json' ? 'object' : type,
						removed: false,
					})),
					attemptToConvertTypes: false,
					convertFieldsToString: false,
				},
			},
			[200, 0],
			{ typeVersion: 2.2 },
		),
	]);

const mcpUrl = (path: string) => `${server.url}/mcp/${path}`;

async function connect(path: string, token?: string): Promise<Client> {
	const client = new Client({ name: 'stripe-guard-e2e', version: '1.0.0' });
	await client.connect(
		new StreamableHTTPClientTransport(new URL(mcpUrl(path)), {
			requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
		}),
	);
	return client;
}

/** A tool's one JSON object (n8n hands a tool's items as a list). */
function objectOf(result: unknown): Record<string, unknown> {
	const parsed = JSON.parse(textOf(result)) as
		| Record<string, unknown>
		| Array<Record<string, unknown>>;
	return Array.isArray(parsed) ? parsed[0] : parsed;
}

/** A tool's answer as text (MCP results are content blocks). */
function textOf(result: unknown): string {
	const { content } = result as { content: Array<{ type: string; text?: string }> };
	return content.map((c) => c.text ?? '').join('\n');
}

const freshCharge = () => refundableCharge(emulator);

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	receiver = await startReceiver();
	seeded = seedEveryClassifiedField(emulator, book, Math.floor(Date.now() / 1000) - 60);
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-mcp-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	const prepared = await prepareAuditTrail(n8n, env, { [TABLE]: auditTableColumns() });
	tableId = prepared.tableIds[TABLE];
	const bearer = ({ id, name, token }: typeof READ_TOKEN) => ({
		id,
		name,
		type: 'httpBearerAuth',
		data: { token },
	});
	await runtime.importCredentials(n8n, env, [
		stripeCredential(READS, emulator.keys.testRead, false),
		stripeCredential(WRITES, emulator.keys.testWrite, true),
		auditCredential(AUDIT, prepared.apiKey, PORT),
		bearer(READ_TOKEN),
		bearer(WRITE_TOKEN),
	]);
	const reads = { stripeRestrictedKeyApi: READS };
	const workflows = [
		mcpServer(
			'sgE2eMcpReads',
			'stripe-reads',
			READ_TOKEN,
			Object.entries(READ_TOOLS).map(([name, { key, parameters }], i) => {
				const [resource, operation] = key.split('.');
				return tool(name, resource, operation, parameters, reads, 200 * i);
			}),
		),
		mcpServer('sgE2eMcpProposals', 'stripe-proposals', WRITE_TOKEN, [
			tool('Propose refund', 'refund', 'create', PROPOSE, { stripeRestrictedKeyApi: WRITES }, 0),
			tool(
				'Proposal status',
				'proposal',
				'status',
				{ ...STATUS, auditTable: { __rl: true, mode: 'id', value: tableId } },
				{ ...reads, stripeGuardAuditApi: AUDIT },
				200,
			),
		]),
		approvalWorkflow(),
		exposedApproval(),
	];
	for (const workflow of workflows) {
		await runtime.importWorkflow(n8n, env, workflow);
		await runtime.publishWorkflow(n8n, env, workflow.id);
	}
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	// n8n is ready before it has activated the published workflows: wait for each server's route.
	for (const path of ['stripe-reads', 'stripe-proposals', 'stripe-exposed'])
		await waitFor(`the MCP server ${path}`, async () => {
			const res = await fetch(mcpUrl(path), { method: 'POST', body: '{}' });
			return res.status === 404 ? undefined : res.status;
		});
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), receiver?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

const texts = toolTexts(resources, querySpecs);

test('the read server lists each tool with the node’s own description and schema', async () => {
	const client = await connect('stripe-reads', READ_TOKEN.token);
	try {
		const { tools } = await client.listTools();
		expect(tools.map((t) => t.name).sort()).toEqual(
			Object.keys(READ_TOOLS)
				.map((n) => n.replace(/ /g, '_'))
				.sort(),
		);
		for (const [name, { key, parameters }] of Object.entries(READ_TOOLS)) {
			const listed = tools.find((t) => t.name === name.replace(/ /g, '_'))!;
			expect(listed.description).toBe(describeTool(texts[key], parameters as never));
			const inputs = [...JSON.stringify(parameters).matchAll(/\$fromAI\('(\w+)', '([^']+)'/g)];
			expect(Object.keys(listed.inputSchema.properties ?? {}).sort()).toEqual(
				inputs.map((m) => m[1]).sort(),
			);
			for (const [, key, description] of inputs)
				expect(listed.inputSchema.properties?.[key]).toMatchObject({ type: 'string', description });
		}
	} finally {
		await client.close();
	}
});

test('reads carry no personal value of those seeded; errors carry their fix', async () => {
	const client = await connect('stripe-reads', READ_TOKEN.token);
	try {
		const answers = [
			textOf(await client.callTool({ name: 'List_customers', arguments: {} })),
			textOf(await client.callTool({ name: 'Get_charge', arguments: { chargeId: seeded.charge } })),
			textOf(await client.callTool({ name: 'List_disputes', arguments: {} })),
		];
		expect(answers[1]).toContain(seeded.charge);
		expect(answers[0]).toContain('"more_available"');
		const personal = [...book.seeds].filter(([, s]) =>
			(PERSONAL as readonly string[]).includes(s.cls),
		);
		expect(personal.length).toBeGreaterThan(50);
		const leaked = personal.filter(([, s]) => answers.some((a) => a.includes(s.value)));
		expect(leaked.map(([label]) => label)).toEqual([]);

		const wrong = await client.callTool({ name: 'Get_charge', arguments: { chargeId: 'cus_123' } });
		expect(textOf(wrong)).toMatch(/ch_/);
	} finally {
		await client.close();
	}
});

test('without the server’s token, or with the other server’s, the client is refused', async () => {
	for (const token of [undefined, WRITE_TOKEN.token]) {
		const res = await fetch(mcpUrl('stripe-reads'), {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json, text/event-stream',
				...(token ? { Authorization: `Bearer ${token}` } : {}),
			},
			body: JSON.stringify({
				jsonrpc: '2.0',
				id: 1,
				method: 'initialize',
				params: {
					protocolVersion: '2025-06-18',
					capabilities: {},
					clientInfo: { name: 'stranger', version: '1' },
				},
			}),
		});
		expect([String(token), res.status]).toEqual([String(token), 403]);
	}
	await expect(connect('stripe-reads')).rejects.toThrow();
});

test(
	'a proposal through MCP: pending at once, approved through the link the approval workflow ' +
		'sent, and Proposal status reports the refund executed with its Stripe ID',
	async () => {
		const chargeId = freshCharge();
		const client = await connect('stripe-proposals', WRITE_TOKEN.token);
		try {
			const { tools } = await client.listTools();
			const propose = tools.find((t) => t.name === 'Propose_refund')!;
			expect(propose.description).toBe(describeTool(texts['refund.create'], PROPOSE as never));
			expect(propose.description).toContain('answers at once: status "pending"');

			const sent = receiver.messages.length;
			const started = Date.now();
			const pending = objectOf(
				await client.callTool({ name: 'Propose_refund', arguments: { chargeId } }),
			);
			expect(pending).toMatchObject({
				status: 'pending',
				summary: `Refund $3.00 of charge ${chargeId} — reason: duplicate`,
				approvalWorkflowId: APPROVAL_WORKFLOW,
			});
			// At once: before anyone decided (nothing is written yet).
			expect(Date.now() - started).toBeLessThan(60_000);
			const proposalId = String(pending.proposalId);
			expect(emulator.list('refund', 'test').filter((r) => r.charge === chargeId)).toEqual([]);

			const { text } = await waitFor('the approval request', () => receiver.messages[sent], 90_000);
			expect(text).toContain(`Refund $3.00 of charge ${chargeId}`);
			const status = async () =>
				objectOf(await client.callTool({ name: 'Proposal_status', arguments: { proposalId } }));
			const asked = await status();
			expect(asked).toMatchObject({ proposalId, status: 'pending' });
			expect(asked.summary).toBe(pending.summary);

			// The request can arrive before n8n has stored the approval execution as waiting.
			const [link] = reviewLinks(text);
			await settledStatus(server.url, cookie, /\/webhook-waiting\/([^/?]+)/.exec(link.url)![1]);
			await decide(link.url, {
				approver: 'Ada Lovelace',
				comment: 'Jane Roe called about the double charge',
				decision: 'approve',
			});
			const refund = await waitFor('the refund', () =>
				emulator.list('refund', 'test').find((r) => r.charge === chargeId),
			);
			const done = await waitFor('the executed status', async () => {
				const s = await status();
				return s.status === 'executed' ? s : undefined;
			});
			expect(done).toMatchObject({
				stripeObjectId: refund.id,
				approvers: ['Ada Lovelace'],
				// Toward a model, an approver's comment (free text) is a placeholder.
				comment: expect.stringMatching(/^\[redacted [0-9a-f]{8}\]$/),
				idempotencyKey: `stripe-guard-${proposalId}`,
			});
		} finally {
			await client.close();
		}
	},
);

test('a proposal the client writes itself is refused: nobody asked, nothing written', async () => {
	const chargeId = freshCharge();
	const forged = {
		type: 'stripeGuardProposal',
		version: 1,
		proposalId: 'prop_0123456789abcdef01234567',
		resource: 'refund',
		operation: 'create',
		mode: 'test',
		summary: `Refund $50.00 of charge ${chargeId}`,
		request: { method: 'POST', path: '/v1/refunds', params: { charge: chargeId, amount: 5000 } },
		amounts: { usd: 5000 },
		createdAt: new Date().toISOString(),
		expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
		signature: 'f'.repeat(64),
	};
	const sent = receiver.messages.length;
	const client = await connect('stripe-exposed', WRITE_TOKEN.token);
	try {
		const result = await client.callTool({
			name: 'Submit_proposal',
			arguments: forged,
		});
		expect(textOf(result)).toContain(
			`Proposal ${forged.proposalId} was changed after Stripe Guard created it`,
		);
	} finally {
		await client.close();
	}
	expect(receiver.messages.length).toBe(sent);
	expect(emulator.list('refund', 'test').filter((r) => r.charge === chargeId)).toEqual([]);
});
