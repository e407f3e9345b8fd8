/**
 * The audit trail on a real n8n 2.41.1. An AI Agent (its model scripted on 127.0.0.1) proposes a
 * refund; Stripe Guard Approval, with Audit Trail on, appends each event to a real n8n Data Table
 * through n8n's public API (an API key limited to rows), before what depends on it: the proposal
 * before anyone is asked, the approval before Stripe is called. Proposal Status reads the rows
 * (pending, then executed with the refund's ID), and the incident-reconstruction example prints the
 * story with Stripe's events. A table that refuses the proposal's row stops the execution before
 * anyone is asked; one that refuses the approval's row stops the write before Stripe is called.
 * Also why the public API: n8n's data-table helper refuses every node but its own Data Table nodes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { auditTableColumns } from '../../nodes/StripeGuardApproval/audit';
import { startEmulator, type StripeEmulator } from '../emulator';
import { auditCredential, auditedApproval, ownerRest, prepareAuditTrail } from './audit-setup';
import { startReceiver } from '../receiver';
import {
	executionRun,
	lastOutputs,
	settledStatus,
	executionStatus as statusOf,
	waitFor,
} from './polling';
import { startScriptedModel, toolNamed } from './scripted-model';
import {
	agentNode,
	decide,
	node,
	refundableCharge,
	reviewLinks,
	scriptedChatModel,
	stripeCredential,
	webhook,
} from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5713;
const TABLE = 'Stripe Guard audit';
const NARROW_TABLE = 'Narrow table';
const SHRINKING_TABLE = 'Table that loses a column';
const WRITES = { id: 'sgE2eAuditWrites', name: 'Stripe Guard (emulator, writes)' };
const READS = { id: 'stripeGuardLocal', name: 'Stripe Guard (offline emulator)' };
const OPENAI = { id: 'sgE2eAuditModel', name: 'Scripted model' };
const AUDIT = { id: 'sgE2eAuditTrail', name: 'Stripe Guard audit trail (n8n API)' };

let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;
let projectId: string;
/** The tables' IDs by name, as n8n gave them. */
const tables: Record<string, string> = {};

type Row = Record<string, unknown>;

const rest = <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
	ownerRest(server.url, cookie)<T>(path, init);

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

/** The approval with Audit Trail on, into the table named. */
const approvalNode = (table: string, x: number) =>
	auditedApproval(receiver.url, tables[table], x, { writes: WRITES, audit: AUDIT });

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
			approvalNode(TABLE, 440),
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			'Propose refund': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** Webhook → propose a refund → approval, audited into `table`. */
function refundWorkflow(id: string, path: string, table: string) {
	return {
		id,
		name: `Refund, audited into ${table}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook(path, 'onReceived'),
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
			approvalNode(table, 440),
		],
		connections: {
			Webhook: { main: [[{ node: 'Propose refund', type: 'main', index: 0 }]] },
			'Propose refund': { main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]] },
		},
	};
}

/** Webhook (answers with the last node) → Proposal: Get Status, from the audit table. */
function statusWorkflow() {
	return {
		id: 'sgE2eAuditStatus',
		name: 'Proposal status',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-audit-status', 'lastNode'),
			node(
				'Proposal status',
				'n8n-nodes-stripe-guard.stripeGuard',
				{
					resource: 'proposal',
					operation: 'status',
					proposalId: '={{ $json.body.proposalId }}',
					auditTable: { __rl: true, mode: 'id', value: tables[TABLE] },
				},
				[220, 0],
				{
					typeVersion: 2,
					credentials: { stripeRestrictedKeyApi: READS, stripeGuardAuditApi: AUDIT },
				},
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'Proposal status', type: 'main', index: 0 }]] },
		},
	};
}

/** What Proposal Status answers, through the status workflow's webhook. */
async function statusOfProposal(proposalId: string): Promise<Row> {
	const res = await fetch(`${server.url}/webhook/sg-audit-status`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ proposalId }),
	});
	if (!res.ok) throw new Error(`status ${res.status}: ${await res.text()}`);
	return (await res.json()) as Row;
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
	const executionId = /execution (\S+)\. /.exec(text)![1];
	// The request can arrive before n8n has stored the execution as waiting.
	await settledStatus(server.url, cookie, executionId);
	return { executionId, url: reviewLinks(text)[0].url };
}

const freshCharge = () => refundableCharge(emulator);

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
	await runtime.importCredentials(n8n, env, [
		stripeCredential(WRITES, emulator.keys.testWrite, true),
		stripeCredential(READS, emulator.keys.testRead, false),
		{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: model.url } },
	]);
	// What a user does once, in n8n's editor: the tables, and an API key limited to rows.
	const prepared = await prepareAuditTrail(n8n, env, {
		[TABLE]: auditTableColumns(),
		[SHRINKING_TABLE]: auditTableColumns(),
		[NARROW_TABLE]: [{ name: 'event', type: 'string' }],
	});
	Object.assign(tables, prepared.tableIds);
	// The workflows name the tables by their IDs, as workflows saved in the editor do.
	await runtime.importCredentials(n8n, env, [auditCredential(AUDIT, prepared.apiKey, PORT)]);
	const example = JSON.parse(
		readFileSync(join(runtime.ROOT, 'examples/incident-reconstruction.json'), 'utf8'),
	) as { id: string };
	const published = [
		agentWorkflow(),
		refundWorkflow('sgE2eAuditNarrow', 'sg-audit-narrow', NARROW_TABLE),
		refundWorkflow('sgE2eAuditShrinking', 'sg-audit-shrinking', SHRINKING_TABLE),
		statusWorkflow(),
	];
	for (const workflow of [...published, example]) {
		await runtime.importWorkflow(n8n, env, workflow);
		if (workflow !== example) await runtime.publishWorkflow(n8n, env, workflow.id);
	}
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	projectId = (await rest<{ id: string }>('/projects/personal')).id;
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
		expect(await settledStatus(server.url, cookie, asked.executionId)).toBe('waiting');
		// Recorded before anyone was asked; Proposal Status says it waits, and until when.
		const proposed = await rowsOf(TABLE);
		expect(proposed.map((r) => r.event)).toEqual(['proposed']);
		const proposalId = String(proposed[0].proposalId);
		const pending = await statusOfProposal(proposalId);
		expect(pending).toMatchObject({
			proposalId,
			status: 'pending',
			resource: 'refund',
			operation: 'create',
			summary: `Refund $3.00 of charge ${chargeId} — reason: duplicate`,
			stripeObjectId: null,
		});
		expect(Date.parse(String(pending.decideBy))).toBeGreaterThan(Date.now() + 50 * 60_000);
		expect(String(pending.note)).toContain('Waiting for a person');

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
		expect(await statusOfProposal(proposalId)).toMatchObject({
			status: 'executed',
			stripeObjectId: refund.id,
			approvers: ['Ada Lovelace'],
			comment: 'Charged twice',
			idempotencyKey: `stripe-guard-${proposalId}`,
		});
		expect((await statusOfProposal('prop_0000000000000000')).status).toBe('unknown');
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

/** The last finished execution of a workflow. */
const lastFinished = (workflowId: string) =>
	waitFor(`an execution of ${workflowId} to finish`, async () => {
		const query = encodeURIComponent(JSON.stringify({ workflowId }));
		const res = await fetch(`${server.url}/rest/executions?filter=${query}`, {
			headers: { cookie },
		});
		const { data } = (await res.json()) as {
			data: { results: Array<{ id: string; status: string }> };
		};
		return data.results.find((e) => !['new', 'running', 'waiting'].includes(e.status));
	});

const refundPosts = (chargeId: string) =>
	emulator.requests.filter(
		(r) => r.method === 'POST' && r.path === '/v1/refunds' && r.body.charge === chargeId,
	);

test("a table that refuses the proposal's row: nobody is asked", async () => {
	const chargeId = freshCharge();
	const sent = receiver.messages.length;
	const res = await fetch(`${server.url}/webhook/sg-audit-narrow`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ chargeId }),
	});
	expect(res.status).toBe(200);
	const execution = await lastFinished('sgE2eAuditNarrow');
	expect(execution.status).toBe('error');
	const run = (await executionRun(server.url, cookie, execution.id)) as unknown as {
		runData: Record<string, Array<{ error?: { message?: string; description?: string } }>>;
	};
	const { error } = run.runData['Stripe Guard Approval'][0];
	expect(error?.message).toContain(
		`The proposals were not recorded: the audit trail (data table ${tables[NARROW_TABLE]}) ` +
			'did not take the row:',
	);
	expect(error?.message).toContain('unknown column name');
	expect(error?.description).toContain('Nothing was sent for approval and nothing was executed');
	expect(receiver.messages.length).toBe(sent);
	expect(refundPosts(chargeId)).toEqual([]);
});

test("a table that refuses the approval's row: the write stops before Stripe", async () => {
	const chargeId = freshCharge();
	const asked = await trigger('sg-audit-shrinking', { chargeId });
	expect((await rowsOf(SHRINKING_TABLE)).map((r) => r.event)).toEqual(['proposed']);
	// Someone removes a column the approval's row needs while the proposal waits.
	const columns = await rest<Array<{ id: string; name: string }>>(
		`/projects/${projectId}/data-tables/${tables[SHRINKING_TABLE]}/columns`,
	);
	const approver = columns.find((c) => c.name === 'approver')!;
	await rest(
		`/projects/${projectId}/data-tables/${tables[SHRINKING_TABLE]}/columns/${approver.id}`,
		{ method: 'DELETE' },
	);
	const page = await decide(asked.url, { approver: 'Grace Hopper', decision: 'approve' });
	const text = await page.text();
	expect(text).toContain('Approved by Grace Hopper, but not executed');
	expect(text).toContain('Nothing was written to Stripe.');
	await succeeded(asked.executionId);
	const run = await executionRun(server.url, cookie, asked.executionId);
	const [expired, approved, rejected, failed] = lastOutputs(run, 'Stripe Guard Approval');
	expect([expired.length, approved.length, rejected.length, failed.length]).toEqual([0, 0, 0, 1]);
	expect(String(failed[0].json.error)).toMatch(
		new RegExp(
			String.raw`^Not executed: the audit trail \(data table ${tables[SHRINKING_TABLE]}\) ` +
				String.raw`did not take the row: .*unknown column name 'approver'`,
		),
	);
	expect(refundPosts(chargeId)).toEqual([]);
	expect(emulator.list('refund', 'test').filter((r) => r.charge === chargeId)).toEqual([]);
});
