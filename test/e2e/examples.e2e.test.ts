/**
 * Every workflow in examples/ on a real n8n against the emulator's demo data (what `npm start`
 * serves), changed only as a user would change it: credentials, and the Slack webhook URL pointing
 * at a receiver on 127.0.0.1. Each must open in the editor without a node issue (n8n's own
 * parameter and credential checks, on the node types the server serves), is started as the
 * editor's "Execute workflow" does, must end in `success` and show a result: the last nodes that
 * ran put out items, and what reaches Slack or a mailbox has a text. The approval examples get
 * there through their signed approve link. The MCP servers example is driven by the official MCP
 * client with each server's Bearer token, its proposal approved through the link the MCP approval
 * example sent. As on `npm start`'s first start, the examples that name the audit table are
 * imported over REST once n8n runs and has made the table and the audit trail's API key.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { INode, INodeTypeDescription } from 'n8n-workflow';

import { periodRange } from '../../nodes/StripeGuard/framework/periods';
import { startEmulator, type StripeEmulator } from '../emulator';
import { mailBody } from '../mail-text';
import { auditCredential } from './audit-setup';
import { startReceiver } from '../receiver';
import { startSmtpReceiver } from '../smtp-receiver';
import { executionRun, lastOutputs, executionStatus as statusOf, waitFor } from './polling';
import { startScriptedModel, toolNamed, type ChatRequest } from './scripted-model';
import { approveAs, reviewLinks } from './workflows';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5691;
const TIME_ZONE = 'Europe/Berlin';
const SMTP = { id: 'sgE2eSmtpServer01', name: 'SMTP (127.0.0.1)' };
const OPENAI = { id: 'sgE2eScriptedModel02', name: 'Scripted model' };
/** The credentials the MCP examples name, as `npm start` makes them (its tokens are random). */
const AUDIT = { id: 'stripeGuardAudit', name: 'Stripe Guard audit trail (this n8n)' };
const MCP_TOKENS: Record<string, { name: string; token: string }> = {
	stripeGuardMcpReads: { name: 'MCP clients: Stripe reads', token: 'e2e-reads-Hq4v8w' },
	stripeGuardMcpProposals: { name: 'MCP clients: Stripe proposals', token: 'e2e-props-Kt2m9z' },
};
/** The last 60 days as a custom range, in dates as a model writes them. */
const CUSTOM = {
	start: new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10),
	end: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
};

interface Workflow {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
	}>;
	connections: Record<
		string,
		{ main?: Array<Array<{ node: string }> | null>; ai_tool?: Array<Array<{ node: string }>> }
	>;
}

const examples: Workflow[] = readdirSync(join(runtime.ROOT, 'examples'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => JSON.parse(readFileSync(join(runtime.ROOT, 'examples', f), 'utf8')) as Workflow);

let emulator: StripeEmulator;
let slack: Awaited<ReturnType<typeof startReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;
let chargeId: string;
const covered = new Set<string>();

const toolResults = (request: ChatRequest) =>
	request.messages.filter((m) => m.role === 'tool').length;

/** Both agent examples talk to this model; what it does depends on the tools it is given. */
function script(request: ChatRequest) {
	const step = toolResults(request);
	if (request.tools?.some((t) => t.function.name.includes('MRR'))) {
		if (step === 0) return { toolCalls: [{ name: toolNamed(request, 'MRR'), arguments: {} }] };
		if (step === 1)
			return {
				toolCalls: [{ name: toolNamed(request, 'Revenue'), arguments: { period: 'last_30_days' } }],
			};
		// A custom range: the example's Start and End come from the model too.
		if (step === 2)
			return {
				toolCalls: [
					{
						name: toolNamed(request, 'Revenue'),
						arguments: { period: 'custom', start: CUSTOM.start, end: CUSTOM.end },
					},
				],
			};
		return { answer: 'Here are your MRR and last 30 days of revenue, per currency.' };
	}
	if (step === 0)
		return { toolCalls: [{ name: toolNamed(request, 'Read_charge'), arguments: { chargeId } }] };
	if (step === 1)
		return { toolCalls: [{ name: toolNamed(request, 'Propose_refund'), arguments: { chargeId } }] };
	return { answer: 'I proposed the refund; a person must approve it.' };
}

const executionStatus = (id: string) => statusOf(server.url, cookie, id);

/**
 * Runs the example as the editor's "Execute workflow" does;
 * `triggerData` is what its trigger hands over (a chat message).
 */
async function run(id: string, triggerData?: Record<string, unknown>): Promise<string> {
	covered.add(id);
	const { data: workflowData } = (await (
		await fetch(`${server.url}/rest/workflows/${id}`, { headers: { cookie } })
	).json()) as { data: Workflow };
	const trigger = workflowData.nodes.find(
		(n) => /trigger/i.test(n.type) && !/executeWorkflowTrigger/.test(n.type),
	)!;
	const started = await fetch(`${server.url}/rest/workflows/${id}/run`, {
		method: 'POST',
		headers: { cookie, 'Content-Type': 'application/json' },
		body: JSON.stringify({
			workflowData,
			triggerToStartFrom: {
				name: trigger.name,
				...(triggerData && {
					data: {
						startTime: Date.now(),
						executionTime: 0,
						executionIndex: 0,
						source: [],
						executionStatus: 'success',
						data: { main: [[{ json: triggerData }]] },
					},
				}),
			},
		}),
	});
	const body = (await started.json()) as { data?: { executionId?: string }; message?: string };
	if (!body.data?.executionId) throw new Error(`n8n did not start ${id}: ${JSON.stringify(body)}`);
	return body.data.executionId;
}

const settled = (
	executionId: string,
	states = ['success', 'error', 'crashed', 'canceled', 'waiting'],
) =>
	waitFor(
		`execution ${executionId}`,
		async () => {
			const status = await executionStatus(executionId);
			return states.includes(status) ? status : undefined;
		},
		120_000,
	);

/** Error details for a failed run, so a red test says which node failed and why. */
async function failure(executionId: string): Promise<string> {
	const res = await fetch(`${server.url}/rest/executions/${executionId}`, { headers: { cookie } });
	return (await res.text()).slice(0, 3000);
}

/**
 * The run ended in `success` and shows a result: every node that ran last on its branch (no node
 * after it ran) put out at least one item with fields. A report that found nothing, a filter that
 * let nothing through or a follow-up that sent nothing fails here.
 */
async function expectSuccess(executionId: string, states?: string[]) {
	const status = await settled(executionId, states);
	if (status !== 'success')
		throw new Error(`${executionId} ended ${status}: ${await failure(executionId)}`);
	const run = await executionRun(server.url, cookie, executionId);
	const { data: execution } = (await (
		await fetch(`${server.url}/rest/executions/${executionId}`, { headers: { cookie } })
	).json()) as { data: { workflowData: Workflow } };
	const { connections } = execution.workflowData;
	const ran = Object.keys(run.runData).filter((name) => run.runData[name].at(-1)?.data?.main);
	const last = ran.filter(
		(name) =>
			!(connections[name]?.main ?? []).some((targets) =>
				(targets ?? []).some((t) => ran.includes(t.node)),
			),
	);
	expect(last.length).toBeGreaterThan(0);
	const shown = last.map((name) => [
		name,
		lastOutputs(run, name)
			.flat()
			.filter((item) => Object.keys(item.json ?? {}).length > 0).length,
	]);
	expect(shown.filter(([, items]) => items === 0)).toEqual([]);
}

/** Approves the waiting execution through the link the notification example posted to Slack. */
async function approveFromSlack(executionId: string, before: number) {
	expect(await settled(executionId)).toBe('waiting');
	const { text } = await waitFor(
		'the approval request in Slack',
		() => slack.messages.slice(before).find((m) => m.text.includes(`execution ${executionId}.`)),
		90_000,
	);
	const [{ url }] = reviewLinks(text);
	const res = await approveAs(url, 'Ada Lovelace');
	expect(await res.text()).toMatch(
		/Approved by Ada Lovelace: (\d+) of \1 change\(s\) made in Stripe/,
	);
	await expectSuccess(executionId, ['success', 'error', 'crashed', 'canceled']);
}

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	[slack, smtp, model] = await Promise.all([
		startReceiver(),
		startSmtpReceiver(),
		startScriptedModel(script),
	]);
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-examples-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, {
		userFolder,
		port: PORT,
		stripeEmulatorPort: emulator.port,
		extra: { GENERIC_TIMEZONE: TIME_ZONE },
	});
	await runtime.importCredentials(n8n, env, [
		{
			id: 'stripeGuardLocal',
			name: 'Stripe Guard',
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testRead,
				environment: 'test',
				accountId: '',
				allowWrites: false,
			},
		},
		{
			id: 'stripeGuardWrites',
			name: 'Stripe Guard writes',
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testWrite,
				environment: 'test',
				accountId: '',
				allowWrites: true,
			},
		},
		{
			...SMTP,
			type: 'smtp',
			data: {
				user: '',
				password: '',
				host: smtp.host,
				port: smtp.port,
				secure: false,
				disableStartTls: true,
			},
		},
		{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'sk-scripted-model', url: model.url } },
		...Object.entries(MCP_TOKENS).map(([id, { name, token }]) => ({
			id,
			name,
			type: 'httpBearerAuth',
			data: { token },
		})),
		// Its key once n8n has made it, below.
		auditCredential(AUDIT, '', PORT),
	]);
	const credentials = {
		'n8n-nodes-base.emailSend': { smtp: SMTP },
		'@n8n/n8n-nodes-langchain.lmChatOpenAi': { openAiApi: OPENAI },
	};
	const localised = examples.map((workflow) =>
		runtime.localiseExample(workflow, { slackUrl: slack.url, credentials }),
	);
	const withTable = localised.filter(runtime.needsAuditTable);
	// All others in one n8n command, as `npm start` imports them.
	const imported = localised.filter((w) => !withTable.includes(w));
	await runtime.importWorkflows(n8n, env, imported);
	// n8n 2.x runs only published workflows as sub-workflows (the approval notification).
	for (const workflow of imported.filter(runtime.needsPublishing))
		await runtime.publishWorkflow(n8n, env, workflow.id);
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	// As `npm start` does on a new database: the audit table and key, then the examples naming it.
	const audit = await runtime.createAuditTrail(server.url, cookie);
	await runtime.updateCredential(server.url, cookie, auditCredential(AUDIT, audit.apiKey, PORT));
	const saved = withTable.map((w) => runtime.localiseExample(w, { auditTableId: audit.tableId }));
	await runtime.saveWorkflows(server.url, cookie, saved);
	for (const workflow of saved.filter(runtime.needsPublishing))
		await runtime.publishWorkflowOverRest(server.url, cookie, workflow.id);
	// The oldest such charge: the refund example takes the newest one.
	chargeId = [...emulator.list('charge', 'test')]
		.reverse()
		.find((c) => c.status === 'succeeded' && !c.amount_refunded && c.currency === 'usd')!.id;
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), slack?.stop(), smtp?.stop(), model?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

type NodeType = INodeTypeDescription & { version: number | number[] };

/** The issues the editor shows on the node when the workflow opens (n8n-runtime.js). */
const nodeIssues = (node: INode, types: NodeType[], credentialIds: Set<string>): string[] =>
	runtime.nodeIssues(node, types, credentialIds).map((i: { text: string }) => i.text);

test('every example opens in the editor without a node issue', async () => {
	const types = (await (
		await fetch(`${server.url}/types/nodes.json`, { headers: { cookie } })
	).json()) as NodeType[];
	const { data: credentials } = (await (
		await fetch(`${server.url}/rest/credentials`, { headers: { cookie } })
	).json()) as { data: Array<{ id: string }> };
	const credentialIds = new Set(credentials.map((c) => c.id));
	const issues: string[] = [];
	for (const { id } of examples) {
		const { data: workflow } = (await (
			await fetch(`${server.url}/rest/workflows/${id}`, { headers: { cookie } })
		).json()) as { data: { nodes: INode[] } };
		for (const node of workflow.nodes)
			for (const issue of nodeIssues(node, types, credentialIds))
				issues.push(`${id} / ${node.name}: ${issue}`);
	}
	expect(issues).toEqual([]);
	// The check sees what the editor shows: a Custom Range without its Start is an issue.
	const report = workflowNode('sgExampleRevenue', 'Revenue yesterday');
	expect(
		nodeIssues(
			{ ...report, parameters: { ...report.parameters, period: 'custom' } },
			types,
			credentialIds,
		),
	).toEqual(['start: Parameter "Start" is required.', 'end: Parameter "End" is required.']);
});

/** A node of an example as in its file (with a Stripe Guard credential that exists). */
function workflowNode(id: string, name: string): INode {
	const node = examples.find((w) => w.id === id)!.nodes.find((n) => n.name === name)!;
	return node as unknown as INode;
}

test('list customers and open invoices', async () => {
	await expectSuccess(await run('sgExampleListCust'));
	await expectSuccess(await run('sgExampleOpenInv'));
});

test('daily revenue to Slack posts yesterday’s revenue table', async () => {
	// A payment at noon yesterday in the workflow's time zone.
	const { gte, lt } = periodRange('yesterday', TIME_ZONE);
	emulator.create('balance_transaction', 'test', {
		created: gte + 12 * 3600,
		amount: 123456,
		fee: 3610,
		net: 119846,
		currency: 'usd',
		type: 'charge',
		reporting_category: 'charge',
	});
	// The demo data may hold payments of its own yesterday: expect their sum too.
	const gross = emulator
		.list('balance_transaction', 'test')
		.filter(
			(t) =>
				t.currency === 'usd' &&
				t.reporting_category === 'charge' &&
				(t.created as number) >= gte &&
				(t.created as number) < lt,
		)
		.reduce((sum, t) => sum + (t.amount as number), 0);
	const formatted = `$${(gross / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
	const before = slack.messages.length;
	await expectSuccess(await run('sgExampleRevenue'));
	const { text } = await waitFor('the Slack post', () => slack.messages[before]);
	expect(text).toContain('*Revenue ');
	expect(text).toContain(`(${TIME_ZONE})`);
	// The demo data alone has payments yesterday, so that `npm start` shows a table with figures.
	expect(gross).toBeGreaterThan(123456);
	expect(text).toMatch(new RegExp(`USD\\s+${formatted.replace(/[$.]/g, '\\$&')}\\s`));
});

test('weekly MRR email sends the MRR, movements and metrics tables', async () => {
	const before = smtp.mails.length;
	await expectSuccess(await run('sgExampleMrrMail'));
	const mail = await waitFor('the email', () => smtp.mails[before]);
	expect(mail.to).toEqual(['finance@example.com']);
	expect(mail.subject).toMatch(/^Weekly MRR: .*\$/);
	expect(mail.text).toMatch(/MRR on \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} \(/);
	expect(mail.text).toContain('Subscriptions ');
	expect(mail.text).toContain('Subscription metrics ');
	expect(mail.text).toMatch(/Subscriber churn: [\d.]+ %/);
	expect(mail.text).toMatch(/net revenue retention: ([A-Z]{3} ([\d.]+ %|–)|none)/);
	expect(mail.text).toContain('<table');
	// As the outbox prints it: the tables as rows of text.
	expect(mailBody(mail.raw)).toMatch(/^\S.* \| .*\d/m);
	expect(mailBody(mail.raw)).not.toMatch(/<\/?[a-z]+[ >]/);
});

test('failed-payment follow-up emails each customer with an address', async () => {
	const { gte } = periodRange('yesterday', TIME_ZONE);
	const customer = emulator.create('customer', 'test', {
		email: 'grace@example.com',
		name: 'Grace Hopper',
	});
	const failed = {
		status: 'failed',
		paid: false,
		failure_code: 'card_declined',
		failure_message: 'Your card was declined.',
		outcome: { reason: 'insufficient_funds', type: 'issuer_declined' },
	};
	emulator.create('charge', 'test', {
		...failed,
		created: gte + 9 * 3600,
		amount: 4900,
		currency: 'usd',
		customer: customer.id,
		billing_details: {
			email: 'grace@example.com',
			name: 'Grace Hopper',
			phone: null,
			address: null,
		},
	});
	emulator.create('charge', 'test', {
		...failed,
		created: gte + 10 * 3600,
		amount: 1900,
		currency: 'usd',
		billing_details: { email: null, name: null, phone: null, address: null },
	});
	// Yesterday's failed payments with an address: the one above and the demo data's own.
	const { lt } = periodRange('yesterday', TIME_ZONE);
	const expected = emulator
		.list('charge', 'test')
		.filter(
			(c) =>
				c.status === 'failed' &&
				(c.created as number) >= gte &&
				(c.created as number) < lt &&
				(c.billing_details as { email?: string | null } | null)?.email,
		)
		.map((c) => (c.billing_details as { email: string }).email);
	// Something to show on `npm start` too: the demo data has a failed payment yesterday.
	expect(expected.length).toBeGreaterThan(1);
	const before = smtp.mails.length;
	await expectSuccess(await run('sgExampleFailedPay'));
	const mails = await waitFor('the follow-up emails', () =>
		smtp.mails.length >= before + expected.length ? smtp.mails.slice(before) : undefined,
	);
	expect(mails.map((m) => m.to[0]).sort()).toEqual([...expected].sort());
	const grace = mails.find((m) => m.to[0] === 'grace@example.com')!;
	expect(grace.subject).toBe('Your payment of $49.00 did not go through');
	// The body as the recipient reads it (and the outbox of `npm start` prints it).
	expect(mailBody(grace.raw)).toMatch(
		/^Hello Grace Hopper,\n\nwe could not collect your payment of \$49\.00 on \d{1,2} \w+ \d{4}/,
	);
	for (const mail of mails) expect(mailBody(mail.raw)).toMatch(/^Hello \S.*,\n/);
});

test('new-subscription alert: the trigger’s test event reaches Slack', async () => {
	const before = slack.messages.length;
	await expectSuccess(await run('sgExampleNewSub'));
	const { text } = await waitFor('the Slack post', () => slack.messages[before]);
	expect(text).toMatch(
		/^New subscription sub_\w+ for customer cus_\w+: \d+ × .+ at \d+\.\d\d [A-Z]{3}\/(month|year)/,
	);
});

test('the revenue agent answers from the MRR and revenue reports', async () => {
	const firstRequest = model.requests.length;
	await expectSuccess(
		await run('sgExampleAgentRev', {
			sessionId: 'e2e-revenue',
			action: 'sendMessage',
			chatInput: 'What is our MRR and revenue this month?',
		}),
	);
	const results = model.requests
		.slice(firstRequest)
		.at(-1)!
		.messages.filter((m) => m.role === 'tool')
		.map((m) => String(m.content));
	expect(results[0]).toContain('mrr_formatted');
	expect(results[1]).toContain('gross_formatted');
	expect(results[2]).toContain('gross_formatted');
	expect(results[2]).toContain('custom');
});

test('refund with approval: proposes, asks in Slack, executes once approved', async () => {
	const refunds = new Set(emulator.list('refund', 'test').map((r) => r.id));
	const before = slack.messages.length;
	await approveFromSlack(await run('sgExampleRefundOk'), before);
	const made = emulator.list('refund', 'test').filter((r) => !refunds.has(r.id));
	// The example's Amount field (version 2: a field of its own): $5, not the whole charge.
	expect(made).toEqual([expect.objectContaining({ amount: 500, currency: 'usd' })]);
});

test(
	'agent refund with approval: the agent proposes, ' + 'a person approves, Stripe refunds once',
	async () => {
		const refunds = emulator.list('refund', 'test').length;
		const before = slack.messages.length;
		const executionId = await run('sgExampleAgentRef', {
			sessionId: 'e2e-refund',
			action: 'sendMessage',
			chatInput: `Refund the duplicate charge ${chargeId}`,
		});
		await approveFromSlack(executionId, before);
		expect(emulator.list('refund', 'test').filter((r) => r.charge === chargeId)).toHaveLength(1);
		expect(emulator.list('refund', 'test')).toHaveLength(refunds + 1);
	},
);

test('incident reconstruction: creates the audit table if missing, tells its story', async () => {
	const executionId = await run('sgExampleIncident');
	await expectSuccess(executionId);
	const { story } = lastOutputs(await executionRun(server.url, cookie, executionId), 'Story')[0][0]
		.json as { story: string };
	// No approval here stores its rows: an empty trail says so, with the window it searched.
	expect(story).toMatch(/^No audit rows between \d{4}-\d\d-\d\dT\S+ and \d{4}-\d\d-\d\dT\S+\.$/);
});

/** The MCP servers of the example: trigger name → path, token, and the tools connected to it. */
function mcpServersOf(workflow: Workflow) {
	return workflow.nodes
		.filter((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger')
		.map((trigger) => ({
			name: trigger.name,
			path: String(trigger.parameters.path),
			token: MCP_TOKENS[trigger.credentials!.httpBearerAuth.id].token,
			tools: Object.entries(workflow.connections)
				.filter(([, c]) =>
					c.ai_tool?.some((targets) => targets.some((t) => t.node === trigger.name)),
				)
				.map(([name]) => name.replace(/ /g, '_'))
				.sort(),
		}));
}

/** n8n is ready before it has registered the published MCP servers' routes. */
const mcpRoute = (path: string) =>
	waitFor(`the MCP server ${path}`, async () => {
		const res = await fetch(`${server.url}/mcp/${path}`, { method: 'POST', body: '{}' });
		return res.status === 404 ? undefined : res.status;
	});

async function mcpClient(path: string, token: string): Promise<Client> {
	await mcpRoute(path);
	const client = new Client({ name: 'stripe-guard-examples-e2e', version: '1.0.0' });
	await client.connect(
		new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/${path}`), {
			requestInit: { headers: { Authorization: `Bearer ${token}` } },
		}),
	);
	return client;
}

/** A tool's answer as text, and its one JSON object (n8n hands a tool's items as a list). */
const textOf = (result: unknown) =>
	(result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '').join('\n');
function objectOf(result: unknown): Record<string, unknown> {
	const parsed = JSON.parse(textOf(result)) as
		| Record<string, unknown>
		| Array<Record<string, unknown>>;
	return Array.isArray(parsed) ? parsed[0] : parsed;
}

// After the incident example, which expects an empty audit trail.
test(
	'MCP servers: a client reads with one token, proposes a refund with the other, a person ' +
		'approves through the MCP approval example, and Proposal status says executed',
	async () => {
		const example = examples.find((w) => w.id === 'sgExampleMcpServer')!;
		const [reads, proposals] = mcpServersOf(example);
		expect([reads.path, proposals.path]).toEqual(['stripe-guard-reads', 'stripe-guard-proposals']);
		expect(proposals.tools).toEqual(['Proposal_status', 'Propose_refund']);

		// Each server takes its own token only: the read token does not open the proposals.
		await mcpRoute(proposals.path);
		const refused = await fetch(`${server.url}/mcp/${proposals.path}`, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json, text/event-stream',
				Authorization: `Bearer ${reads.token}`,
			},
			body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
		});
		expect(refused.status).toBe(403);

		const reader = await mcpClient(reads.path, reads.token);
		try {
			const { tools } = await reader.listTools();
			// Least privilege: the read server lists its reads and nothing that proposes.
			expect(tools.map((t) => t.name).sort()).toEqual(reads.tools);
			const charge = textOf(await reader.callTool({ name: 'Get_charge', arguments: { chargeId } }));
			expect(charge).toContain(chargeId);
			expect(textOf(await reader.callTool({ name: 'List_customers', arguments: {} }))).toContain(
				'cus_',
			);
			const query = JSON.stringify({ list: 'subscriptions', filters: { status: 'active' } });
			expect(
				textOf(await reader.callTool({ name: 'Query_Stripe', arguments: { query } })),
			).toContain('sub_');
			expect(textOf(await reader.callTool({ name: 'MRR_report', arguments: {} }))).toContain(
				'mrr_formatted',
			);
		} finally {
			await reader.close();
		}

		const charge = emulator.create<{ id: string }>('charge', 'test', {
			amount: 5_000,
			amount_refunded: 0,
			currency: 'usd',
			status: 'succeeded',
		}).id;
		const proposer = await mcpClient(proposals.path, proposals.token);
		try {
			const before = slack.messages.length;
			const pending = objectOf(
				await proposer.callTool({
					name: 'Propose_refund',
					arguments: { chargeId: charge, amount: 1_200 },
				}),
			);
			expect(pending).toMatchObject({
				status: 'pending',
				summary: `Refund $12.00 of charge ${charge} — reason: requested_by_customer`,
				approvalWorkflowId: 'sgExampleMcpApprove',
			});
			expect(emulator.list('refund', 'test').filter((r) => r.charge === charge)).toEqual([]);
			const proposalId = String(pending.proposalId);
			const status = async () =>
				objectOf(await proposer.callTool({ name: 'Proposal_status', arguments: { proposalId } }));
			// The approval workflow records the proposal as it starts, just after the answer.
			const asked = await waitFor('the pending status', async () => {
				const s = await status();
				return s.status === 'unknown' ? undefined : s;
			});
			expect(asked).toMatchObject({ proposalId, status: 'pending' });
			covered.add('sgExampleMcpServer');
			covered.add('sgExampleMcpApprove');
			// The MCP approval example asked in Slack, through the notification example.
			await approveFromSlack(String(pending.approvalExecutionId), before);
			const refund = emulator.list('refund', 'test').find((r) => r.charge === charge);
			expect(refund).toMatchObject({ amount: 1_200, currency: 'usd' });
			const done = await waitFor('the executed status', async () => {
				const s = await status();
				return s.status === 'executed' ? s : undefined;
			});
			expect(done).toMatchObject({ stripeObjectId: refund!.id, approvers: ['Ada Lovelace'] });
		} finally {
			await proposer.close();
		}
	},
);

test('the examples show what a new node is: every Stripe Guard node in them is version 2', () => {
	const guards = examples.flatMap((w) =>
		w.nodes
			.filter((n) => /\.stripeGuard(Tool)?$/.test(n.type))
			.map((n) => [w.id, n.name, (n as { typeVersion?: number }).typeVersion]),
	);
	expect(guards.length).toBeGreaterThan(10);
	expect(guards.filter(([, , v]) => v !== 2)).toEqual([]);
});

test('every example was run (the notification sub-workflow through the approval examples)', () => {
	covered.add('sgExampleNotify');
	expect(examples.map((w) => w.id).sort()).toEqual([...covered].sort());
});
