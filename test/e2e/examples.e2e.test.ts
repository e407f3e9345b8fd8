/**
 * Every workflow in examples/ on a real n8n against the emulator's demo data (what `npm start`
 * serves), changed only as a user would change it: credentials, and the Slack webhook URL pointing
 * at a receiver on 127.0.0.1. Each must open in the editor without a node issue (n8n's own
 * parameter and credential checks, on the node types the server serves), is started as the
 * editor's "Execute workflow" does, must end in `success` and show a result: the last nodes that
 * ran put out items, and what reaches Slack or a mailbox has a text. The approval examples get
 * there through their signed approve link.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NodeHelpers, type INode, type INodeTypeDescription } from 'n8n-workflow';

import { periodRange } from '../../nodes/StripeGuard/framework/periods';
import { startEmulator, type StripeEmulator } from '../emulator';
import { mailBody } from '../mail-text';
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
/** The last 60 days as a custom range, in dates as a model writes them. */
const CUSTOM = {
	start: new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10),
	end: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
};

interface Workflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
	connections: Record<string, { main?: Array<Array<{ node: string }> | null> }>;
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
	]);
	const credentials = {
		'n8n-nodes-base.emailSend': { smtp: SMTP },
		'@n8n/n8n-nodes-langchain.lmChatOpenAi': { openAiApi: OPENAI },
	};
	// All examples in one n8n command, as `npm start` imports them.
	await runtime.importWorkflows(
		n8n,
		env,
		examples.map((workflow) =>
			runtime.localiseExample(workflow, { slackUrl: slack.url, credentials }),
		),
	);
	// n8n 2.x runs only published workflows as sub-workflows (the approval notification).
	for (const workflow of examples)
		if (workflow.nodes.some((n) => n.type === 'n8n-nodes-base.executeWorkflowTrigger'))
			await runtime.publishWorkflow(n8n, env, workflow.id);
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
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

/**
 * The issues the editor shows on a node when the workflow opens, as n8n computes them: the
 * parameters (filled with their defaults first, as the editor does when it loads a workflow)
 * through n8n-workflow's NodeHelpers.getNodeParametersIssues, on the node type the server serves;
 * a credential the node needs that it lacks or that does not exist; a node type n8n does not know.
 */
function nodeIssues(node: INode, types: NodeType[], credentialIds: Set<string>): string[] {
	const type = types.find(
		(t) => t.name === node.type && [t.version].flat().includes(node.typeVersion),
	);
	if (!type) return [`node type ${node.type} version ${node.typeVersion} is unknown`];
	const parameters = NodeHelpers.getNodeParameters(
		type.properties,
		node.parameters,
		true,
		false,
		node,
		type,
	);
	const found = NodeHelpers.getNodeParametersIssues(
		type.properties,
		{ ...node, parameters: parameters ?? {} },
		type,
	);
	const issues = Object.entries(found?.parameters ?? {}).map(
		([name, messages]) => `${name}: ${[...new Set(messages)].join(' ')}`,
	);
	for (const credential of type.credentials ?? []) {
		if (!NodeHelpers.displayParameter(parameters ?? {}, credential, node, type)) continue;
		const given = node.credentials?.[credential.name];
		if (!given && credential.required) issues.push(`credential ${credential.name}: none selected`);
		if (given?.id && !credentialIds.has(given.id))
			issues.push(`credential ${credential.name}: ${given.id} does not exist`);
	}
	return issues;
}

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
