/**
 * The audit trail on a real n8n 2.41.1: an AI Agent (its model scripted on 127.0.0.1) proposes a
 * refund, a person approves it, and the approval's rows (`auditRows`) go through Split Out into a
 * real n8n Data Table with n8n's own Data Table node; the incident-reconstruction example then
 * reads them back with Stripe's events and prints the story. Also what n8n 2.41.1 allows: its
 * data-table helper refuses every node but its own Data Table nodes (a community node asking for
 * it is refused), so the rows are written after Stripe executed, and a table that refuses them
 * fails the execution without undoing the write.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { auditTableColumns } from '../../nodes/StripeGuardApproval/audit';
import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { executionRun, lastOutputs, executionStatus as statusOf, waitFor } from './polling';
import { startScriptedModel, toolNamed } from './scripted-model';
import { agentNode, decide, node, reviewLinks, scriptedChatModel, webhook } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5713;
const TABLE = 'Stripe Guard audit';
const NARROW_TABLE = 'Narrow table';
const WRITES = { id: 'sgE2eAuditWrites', name: 'Stripe Guard (emulator, writes)' };
const READS = { id: 'stripeGuardLocal', name: 'Stripe Guard (offline emulator)' };
const OPENAI = { id: 'sgE2eAuditModel', name: 'Scripted model' };

let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;
let projectId: string;

type Row = Record<string, unknown>;

/** n8n's REST API as the editor calls it (the owner's session). */
async function rest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
	const res = await fetch(`${server.url}/rest${path}`, {
		method: init.method ?? 'GET',
		headers: { cookie, 'Content-Type': 'application/json' },
		...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
	});
	if (!res.ok)
		throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
	return ((await res.json()) as { data: T }).data;
}

async function tableId(name: string) {
	type Table = { id: string; name: string };
	const tables = await rest<Table[] | { data: Table[] }>(`/projects/${projectId}/data-tables`);
	return (Array.isArray(tables) ? tables : tables.data).find((t) => t.name === name)?.id;
}

const rowsOf = async (name: string) =>
	(
		await rest<{ data: Row[] }>(
			`/projects/${projectId}/data-tables/${await tableId(name)}/rows?take=1000`,
		)
	).data;

/** The approval's rows, from any of its four outputs, into a Data Table by n8n's own node. */
const storeRows = (table: string, x: number) => [
	node(
		'Audit rows',
		'n8n-nodes-base.splitOut',
		{ fieldToSplitOut: 'auditRows', include: 'noOtherFields', options: {} },
		[x, 0],
	),
	node(
		'Store audit rows',
		'n8n-nodes-base.dataTable',
		{
			resource: 'row',
			operation: 'insert',
			dataTableId: { __rl: true, mode: 'name', value: table },
			columns: { mappingMode: 'autoMapInputData', value: {}, matchingColumns: [], schema: [] },
			options: {},
		},
		[x + 220, 0],
		{ typeVersion: 1.1 },
	),
];

const approvalNode = (x: number) =>
	node(
		'Stripe Guard Approval',
		'n8n-nodes-stripe-guard.stripeGuardApproval',
		{ operation: 'sendAndWait', webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
		[x, 0],
		{ credentials: { stripeRestrictedKeyApi: WRITES } },
	);

const intoRows = {
	'Stripe Guard Approval': {
		main: [0, 1, 2, 3].map(() => [{ node: 'Audit rows', type: 'main', index: 0 }]),
	},
	'Audit rows': { main: [[{ node: 'Store audit rows', type: 'main', index: 0 }]] },
};

/** Webhook → AI Agent (scripted model, a Stripe Guard tool that proposes refunds) → approval. */
function agentWorkflow() {
	const fromAi = "={{ $fromAI('chargeId', 'The ID of the charge, starting with ch_', 'string') }}";
	return {
		id: 'sgE2eAuditAgent',
		name: 'Agent refund, audited',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-audit-agent', 'onReceived'),
			agentNode([220, 0]),
			scriptedChatModel(OPENAI, [100, 200]),
			node(
				'Propose refund',
				'n8n-nodes-stripe-guard.stripeGuardTool',
				{
					resource: 'refund',
					operation: 'create',
					chargeId: fromAi,
					additionalFields: { amount: 300, reason: 'duplicate' },
				},
				[300, 200],
				{ credentials: { stripeRestrictedKeyApi: WRITES } },
			),
			approvalNode(440),
			...storeRows(TABLE, 660),
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			'Propose refund': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			...intoRows,
		},
	};
}

/** Webhook → propose a refund → approval → rows into a table that lacks most columns. */
function narrowTableWorkflow() {
	return {
		id: 'sgE2eAuditNarrow',
		name: 'Refund, audited into a table that refuses the rows',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-audit-narrow', 'onReceived'),
			node(
				'Propose refund',
				'n8n-nodes-stripe-guard.stripeGuard',
				{
					resource: 'refund',
					operation: 'create',
					chargeId: '={{ $json.body.chargeId }}',
					additionalFields: { amount: 200 },
				},
				[220, 0],
				{ credentials: { stripeRestrictedKeyApi: WRITES } },
			),
			approvalNode(440),
			...storeRows(NARROW_TABLE, 660),
		],
		connections: {
			Webhook: { main: [[{ node: 'Propose refund', type: 'main', index: 0 }]] },
			'Propose refund': { main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]] },
			...intoRows,
		},
	};
}

/**
 * A community node (loaded as n8n loads any node file) that asks n8n for the data-table helper,
 * beside n8n's own Data Table node writing to the same table.
 */
const PROBE_NODE = `
class DataTableProbe {
	constructor() {
		this.description = {
			displayName: 'Data Table Probe', name: 'dataTableProbe', group: ['transform'], version: 1,
			description: 'Asks n8n for a data table', defaults: { name: 'Data Table Probe' },
			inputs: ['main'], outputs: ['main'],
			properties: [{ displayName: 'Table', name: 'table', type: 'string', default: '' }],
		};
	}
	async execute() {
		const out = { helper: typeof this.helpers.getDataTableProxy };
		try {
			const table = await this.helpers.getDataTableProxy(this.getNodeParameter('table', 0));
			out.inserted = await table.insertRows([{ event: 'probe' }], 'count');
		} catch (error) {
			out.refused = error.message;
		}
		return [[{ json: out }]];
	}
}
module.exports = { DataTableProbe };
`;

function probeWorkflow(table: string) {
	return {
		name: 'Data table probe',
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', {}, [0, 0]),
			node('Probe', 'CUSTOM.dataTableProbe', { table }, [220, 0]),
			node(
				'n8n Data Table node',
				'n8n-nodes-base.dataTable',
				{
					resource: 'row',
					operation: 'insert',
					dataTableId: { __rl: true, mode: 'id', value: table },
					columns: {
						mappingMode: 'defineBelow',
						value: { event: 'written by n8n’s own node' },
						matchingColumns: [],
						schema: [],
					},
					options: {},
				},
				[440, 0],
				{ typeVersion: 1.1 },
			),
		],
		connections: {
			Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
			Probe: { main: [[{ node: 'n8n Data Table node', type: 'main', index: 0 }]] },
		},
	};
}

const executionStatus = (id: string) => statusOf(server.url, cookie, id);

const finished = (id: string, timeoutMs = 120_000) =>
	waitFor(
		`execution ${id} to finish`,
		async () => {
			const status = await executionStatus(id);
			return ['success', 'error', 'crashed', 'canceled'].includes(status) ? status : undefined;
		},
		timeoutMs,
	);

/** Waits for success, else fails with what n8n stored: a red test says which node and why. */
async function succeeded(id: string) {
	const status = await finished(id);
	if (status !== 'success') {
		const res = await fetch(`${server.url}/rest/executions/${id}`, { headers: { cookie } });
		throw new Error(`${id} ended ${status}: ${(await res.text()).slice(0, 4000)}`);
	}
}

/** Runs a workflow from its manual trigger, as the editor's "Execute workflow" does. */
async function runManually(workflow: Record<string, unknown>, trigger: string): Promise<string> {
	const { executionId } = await rest<{ executionId: string }>(
		`/workflows/${String(workflow.id)}/run`,
		{ method: 'POST', body: { workflowData: workflow, triggerToStartFrom: { name: trigger } } },
	);
	return executionId;
}

/** Starts a run through a webhook and returns the approval request it sent. */
async function trigger(path: string, body: Record<string, unknown>) {
	const before = receiver.messages.length;
	await waitFor(`webhook ${path}`, async () => {
		const r = await fetch(`${server.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		return r.status === 404 ? undefined : r;
	});
	const { text } = await waitFor('the approval request', () => receiver.messages[before], 90_000);
	return { executionId: /execution (\S+)\. /.exec(text)![1], url: reviewLinks(text)[0].url };
}

const freshCharge = () =>
	emulator.create<{ id: string }>('charge', 'test', {
		amount: 5_000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
	}).id;

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	receiver = await startReceiver();
	model = await startScriptedModel((request) => {
		const asked = JSON.stringify(request.messages.filter((m) => m.role === 'user'));
		if (!request.messages.some((m) => m.role === 'tool'))
			return {
				toolCalls: [
					{
						name: toolNamed(request, 'Propose_refund'),
						arguments: { chargeId: /ch_\w+/.exec(asked)![0] },
					},
				],
			};
		return { answer: 'I proposed the refund; a person must approve it.' };
	});
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-audit-e2e-'));
	runtime.installPackage(userFolder);
	const custom = join(userFolder, 'custom');
	mkdirSync(custom);
	writeFileSync(join(custom, 'DataTableProbe.node.js'), PROBE_NODE);
	const env = runtime.n8nEnv(n8n, {
		userFolder,
		port: PORT,
		stripeEmulatorPort: emulator.port,
		extra: { N8N_CUSTOM_EXTENSIONS: custom },
	});
	const stripe = (credential: typeof WRITES, apiKey: string, allowWrites: boolean) => ({
		...credential,
		type: 'stripeRestrictedKeyApi',
		data: { apiKey, environment: 'test', accountId: '', allowWrites },
	});
	await runtime.importCredentials(n8n, env, [
		stripe(WRITES, emulator.keys.testWrite, true),
		stripe(READS, emulator.keys.testRead, false),
		{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: model.url } },
	]);
	const example = JSON.parse(
		readFileSync(join(runtime.ROOT, 'examples/incident-reconstruction.json'), 'utf8'),
	) as { id: string };
	for (const workflow of [agentWorkflow(), narrowTableWorkflow(), example]) {
		await runtime.importWorkflow(n8n, env, workflow);
		if (workflow !== example) await runtime.publishWorkflow(n8n, env, workflow.id);
	}
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	projectId = (await rest<{ id: string }>('/projects/personal')).id;
	// The table a user creates once: the columns the node's rows have (README, Audit trail).
	await rest(`/projects/${projectId}/data-tables`, {
		method: 'POST',
		body: { name: TABLE, columns: auditTableColumns() },
	});
	await rest(`/projects/${projectId}/data-tables`, {
		method: 'POST',
		body: { name: NARROW_TABLE, columns: [{ name: 'event', type: 'string' }] },
	});
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), receiver?.stop(), model?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test('n8n 2.41.1 gives its data-table helper to its own Data Table nodes only', async () => {
	const table = (await tableId(NARROW_TABLE))!;
	const workflow = await rest<Record<string, unknown>>('/workflows', {
		method: 'POST',
		body: probeWorkflow(table),
	});
	const executionId = await runManually(workflow, 'Start');
	await succeeded(executionId);
	const run = await executionRun(server.url, cookie, executionId);
	expect(lastOutputs(run, 'Probe')[0][0].json).toEqual({
		helper: 'function',
		refused: 'This proxy is only available for Data table nodes',
	});
	expect((await rowsOf(NARROW_TABLE)).map((r) => r.event)).toEqual(['written by n8n’s own node']);
});

test(
	'an agent proposes a refund, a person approves it: the rows reach a real Data Table, ' +
		'and the reconstruction example tells the story with Stripe’s events',
	async () => {
		const chargeId = freshCharge();
		const asked = await trigger('sg-audit-agent', { question: `Refund ${chargeId}` });
		expect(await executionStatus(asked.executionId)).toBe('waiting');
		// Nothing leaves the node while it waits: a pending proposal has no row yet.
		expect(await rowsOf(TABLE)).toEqual([]);

		const page = await decide(asked.url, {
			approver: 'Ada Lovelace',
			comment: 'Charged twice',
			decision: 'approve',
		});
		expect(await page.text()).toContain('Approved by Ada Lovelace: 1 of 1 change(s)');
		await succeeded(asked.executionId);

		const [refund] = emulator.list('refund', 'test').filter((r) => r.charge === chargeId);
		const rows = (await rowsOf(TABLE)).sort((a, b) => Number(a.id) - Number(b.id));
		expect(rows.map((r) => r.event)).toEqual(['proposed', 'approved', 'executed']);
		const proposalId = String(rows[0].proposalId);
		const post = emulator.requests.find(
			(r) => r.path === '/v1/refunds' && r.idempotencyKey === `stripe-guard-${proposalId}`,
		)!;
		for (const row of rows)
			expect(row).toMatchObject({
				proposalId,
				resource: 'refund',
				operation: 'create',
				mode: 'test',
				idempotencyKey: `stripe-guard-${proposalId}`,
				amounts: JSON.stringify({ usd: 300 }),
				workflowId: 'sgE2eAuditAgent',
				executionId: asked.executionId,
				agentNode: 'AI Agent',
				agentTool: 'Propose_refund',
				chatModelNode: 'OpenAI Chat Model',
				chatModel: 'gpt-4o-mini',
			});
		expect(JSON.parse(String(rows[0].request))).toEqual({
			method: 'POST',
			path: '/v1/refunds',
			params: { charge: chargeId, amount: 300, reason: 'duplicate' },
		});
		expect(JSON.parse(String(rows[0].agentToolInput))).toMatchObject({ chargeId });
		expect(rows[1]).toMatchObject({
			approver: 'Ada Lovelace',
			approverIdentity: 'typed name',
			linkDeliveredTo: 'Slack-compatible webhook',
			comment: 'Charged twice',
		});
		expect(rows[2]).toMatchObject({
			outcome: 'executed',
			stripeObjectId: refund.id,
			requestId: post.id,
			replayed: false,
		});

		// The example, as a user runs it: the charge the customer asks about, the last day.
		const example = await rest<Record<string, unknown> & { nodes: Array<Row> }>(
			'/workflows/sgExampleIncident',
		);
		const look = example.nodes.find((n) => n.name === 'What to look for')!;
		const fields = (look.parameters as { assignments: { assignments: Row[] } }).assignments;
		fields.assignments.find((a) => a.name === 'objectId')!.value = chargeId;
		const reconstruction = await runManually(example, 'Reconstruct');
		await succeeded(reconstruction);
		const run = await executionRun(server.url, cookie, reconstruction);
		const { story } = lastOutputs(run, 'Story')[0][0].json as { story: string };
		const events = emulator.list('event', 'test').filter((e) => {
			const request = e.request as { id: string | null };
			return request.id === post.id;
		});
		expect(events.map((e) => e.type).sort()).toEqual(['charge.refunded', 'refund.created']);
		expect(story).toContain(
			`Proposal ${proposalId} (test mode): Refund $3.00 of charge ${chargeId}`,
		);
		expect(story).toMatch(
			new RegExp(
				String.raw`proposed by AI agent "AI Agent" \(tool Propose_refund, model gpt-4o-mini ` +
					String.raw`on "OpenAI Chat Model"\) with \{"chargeId":"${chargeId}"`,
			),
		);
		expect(story).toContain(
			'approved by Ada Lovelace (typed name, link via Slack-compatible webhook): "Charged twice"',
		);
		expect(story).toContain(
			`executed in Stripe: ${String(refund.id)} (request ${post.id}, ` +
				`idempotency key stripe-guard-${proposalId})`,
		);
		for (const event of events)
			expect(story).toContain(
				`${String(event.type)} ${String((event.data as { object: Row }).object.id)} ` +
					`(event ${String(event.id)}, request ${post.id})`,
			);
	},
);

test(
	'a table that refuses the rows fails the execution, but only after Stripe executed: ' +
		'the rows leave the node with its outputs',
	async () => {
		const chargeId = freshCharge();
		const asked = await trigger('sg-audit-narrow', { chargeId });
		await decide(asked.url, { approver: 'Grace Hopper', decision: 'approve' });
		expect(await finished(asked.executionId)).toBe('error');
		const run = await executionRun(server.url, cookie, asked.executionId);
		expect(lastOutputs(run, 'Stripe Guard Approval')[1]).toHaveLength(1);
		expect(JSON.stringify(run.runData['Store audit rows'])).toContain('unknown column name');
		expect(emulator.list('refund', 'test').filter((r) => r.charge === chargeId)).toHaveLength(1);
	},
);
