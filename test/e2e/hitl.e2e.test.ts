/**
 * n8n's own human review of an AI agent's tool calls, on a real n8n (`n8n start`): a Stripe Guard
 * tool connected to the agent through the Stripe Guard Approval node's generated HITL tool type
 * (`stripeGuardApprovalHitlTool`, n8n makes one for every node with a sendAndWait operation).
 * The model (scripted on 127.0.0.1) calls the gated tool; the execution waits and the request
 * reaches a Slack-compatible receiver; the link's Approve lets the tool run and the model gets its
 * result, Reject keeps the tool from running and the model is told the call was rejected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { settledStatus, executionStatus as statusOf, waitFor } from './polling';
import { agentNode, scriptedChatModel, webhook } from './workflows';
import { startScriptedModel, toolNamed, type ChatRequest } from './scripted-model';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5697;
const WORKFLOW_ID = 'sgE2eHitlToolReview';
const CREDENTIAL = { id: 'sgE2eHitlWriteCred01', name: 'Stripe Guard (emulator, HITL)' };
const OPENAI_CREDENTIAL = { id: 'sgE2eHitlScriptModel', name: 'Scripted model (HITL)' };
const HITL_TYPE = 'n8n-nodes-stripe-guard.stripeGuardApprovalHitlTool';
const ANSWER = 'Done: I looked the customer up.';
let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;
let customer: { id: string; email: string };

/**
 * Webhook → AI Agent (scripted model) with one tool: Stripe Guard "Read customer", connected
 * (ai_tool) into the Stripe Guard Approval HITL node, which is connected (ai_tool) into the agent.
 */
function hitlWorkflow() {
	return {
		id: WORKFLOW_ID,
		name: 'Agent tool call behind human review',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-hitl', 'onReceived'),
			{
				...agentNode(),
				parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
			},
			scriptedChatModel(OPENAI_CREDENTIAL),
			{
				id: 'node-hitl',
				name: 'Human review',
				type: HITL_TYPE,
				typeVersion: 1,
				position: [300, 200],
				parameters: {
					operation: 'sendAndWait',
					webhookUrl: receiver.url,
					expireAfter: 30,
					expireUnit: 'minutes',
				},
				credentials: { stripeRestrictedKeyApi: CREDENTIAL },
			},
			{
				id: 'node-read-customer',
				name: 'Read customer',
				type: 'n8n-nodes-stripe-guard.stripeGuardTool',
				typeVersion: 1,
				position: [300, 400],
				parameters: {
					resource: 'customer',
					operation: 'get',
					customerId:
						"={{ $fromAI('customerId', 'The ID of the customer, starting with cus_', 'string') }}",
				},
				credentials: { stripeRestrictedKeyApi: CREDENTIAL },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			'Read customer': { ai_tool: [[{ node: 'Human review', type: 'ai_tool', index: 0 }]] },
			'Human review': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/**
 * The emulator's requests for the customer: the gated tool's read (the HITL node reads nothing).
 */
const customerReads = () =>
	emulator.requests.filter((r) => r.path === `/v1/customers/${customer.id}`);

const executionStatus = (id: string) => statusOf(server.url, cookie, id);

const finished = (id: string, timeoutMs = 60_000) =>
	waitFor(
		`execution ${id} to finish`,
		async () => {
			const status = await executionStatus(id);
			return ['success', 'error', 'crashed', 'canceled'].includes(status) ? status : undefined;
		},
		timeoutMs,
	);

const toolMessages = (request: ChatRequest) =>
	request.messages.filter((m) => m.role === 'tool').map((m) => String(m.content));

/**
 * Starts a run through the webhook; returns the review
 * request it sent and the model's requests so far.
 */
async function ask(question: string) {
	const messagesBefore = receiver.messages.length;
	const modelBefore = model.requests.length;
	const res = await waitFor('webhook sg-hitl', async () => {
		const r = await fetch(`${server.url}/webhook/sg-hitl`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ question }),
		});
		return r.status === 404 ? undefined : r; // registration can trail readiness by a moment
	});
	expect(res.status).toBe(200);
	const { text } = await waitFor(
		'the review request',
		() => receiver.messages[messagesBefore],
		90_000,
	);
	const link = /Review and decide: (\S+)$/.exec(text)?.[1];
	if (!link) throw new Error(`no review link in: ${text}`);
	const executionId = /\/webhook-waiting\/([^/?]+)/.exec(link)?.[1];
	if (!executionId) throw new Error(`no execution id in the link ${link}`);
	// The request can arrive before n8n has stored the execution as waiting.
	await settledStatus(server.url, cookie, executionId);
	return {
		text,
		link,
		executionId,
		modelRequests: () => model.requests.slice(modelBefore),
		messagesBefore,
	};
}

const decide = (url: string, decision: 'approve' | 'reject') =>
	fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ decision }).toString(),
	});

/** The run waits on the review: one request sent, the model asked once, the gated tool not run. */
async function expectWaitingOnReview(run: Awaited<ReturnType<typeof ask>>) {
	expect(run.text).toContain('An AI agent wants to run a tool');
	expect(run.text).toContain('Read_customer');
	expect(await executionStatus(run.executionId)).toBe('waiting');
	expect(run.modelRequests()).toHaveLength(1);
	expect(customerReads()).toEqual([]);

	// Opening the link shows the request and decides nothing.
	const page = await fetch(run.link);
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('name="decision"');
	expect(await executionStatus(run.executionId)).toBe('waiting');
	expect(customerReads()).toEqual([]);
}

/** The execution as n8n stores it (flatted JSON), to find the agent's final output in it. */
async function executionText(id: string): Promise<string> {
	const res = await fetch(`${server.url}/rest/executions/${id}`, { headers: { cookie } });
	return await res.text();
}

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator({ seed: 'demo' });
	const seeded = emulator
		.list('customer', 'test')
		.find((c) => typeof c.email === 'string' && c.email)!;
	customer = { id: seeded.id as string, email: seeded.email as string };
	receiver = await startReceiver();
	// One tool call per question; once a tool result (or a rejection) is back, a final answer.
	model = await startScriptedModel((request) => {
		if (request.messages.at(-1)?.role === 'tool') return { answer: ANSWER };
		return {
			toolCalls: [
				{
					name: toolNamed(request, 'Read_customer'),
					arguments: { toolParameters: { customerId: customer.id }, hitlParameters: {} },
				},
			],
		};
	});
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-hitl-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	await runtime.importCredentials(n8n, env, [
		{
			...CREDENTIAL,
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testWrite,
				environment: 'test',
				accountId: '',
				allowWrites: true,
			},
		},
		{
			...OPENAI_CREDENTIAL,
			type: 'openAiApi',
			data: { apiKey: 'sk-scripted-model', url: model.url },
		},
	]);
	const wf = hitlWorkflow();
	await runtime.importWorkflow(n8n, env, wf);
	await runtime.publishWorkflow(n8n, env, wf.id);
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	emulator.clearRequests();
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), receiver?.stop(), model?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

test(
	'approved: the gated tool call waits for a person, ' + 'then runs and the model gets its result',
	async () => {
		emulator.clearRequests();
		const run = await ask(`What is the email of customer ${customer.id}?`);
		expect(toolMessages(run.modelRequests()[0])).toEqual([]);
		await expectWaitingOnReview(run);

		const decision = await decide(run.link, 'approve');
		expect(decision.status).toBe(200);
		expect(await decision.text()).toContain('Approved');
		expect(await finished(run.executionId)).toBe('success');

		// The tool ran once, after the approval, and its result reached the model.
		expect(customerReads().map((r) => r.method)).toEqual(['GET']);
		const requests = run.modelRequests();
		expect(requests).toHaveLength(2);
		const results = toolMessages(requests[1]);
		expect(results).toHaveLength(1);
		expect(results[0]).toContain(customer.id);
		// A tool's output reaches the model with personal data redacted (the default for tools).
		expect(results[0]).toContain('@redacted.invalid');
		expect(results[0]).not.toContain(String(customer.email));
		expect(results[0]).not.toMatch(/rejected/i);
		expect(receiver.messages).toHaveLength(run.messagesBefore + 1);
		expect(await executionText(run.executionId)).toContain(ANSWER);

		// The same link again decides nothing more and runs nothing more.
		await decide(run.link, 'reject');
		expect(customerReads()).toHaveLength(1);
		expect(run.modelRequests()).toHaveLength(2);
		expect(await executionStatus(run.executionId)).toBe('success');
	},
);

test(
	'rejected: the gated tool never runs and ' + 'the model is told the call was rejected',
	async () => {
		emulator.clearRequests();
		const run = await ask(`What is the email of customer ${customer.id}? (second question)`);
		await expectWaitingOnReview(run);

		const decision = await decide(run.link, 'reject');
		expect(decision.status).toBe(200);
		expect(await decision.text()).toContain('Rejected');
		expect(await finished(run.executionId)).toBe('success');

		expect(customerReads()).toEqual([]);
		const requests = run.modelRequests();
		expect(requests).toHaveLength(2);
		const results = toolMessages(requests[1]);
		expect(results).toHaveLength(1);
		expect(results[0]).toMatch(/rejected the tool call to Read customer/i);
		expect(results[0]).not.toContain(customer.email);
		expect(receiver.messages).toHaveLength(run.messagesBefore + 1);
		expect(await executionText(run.executionId)).toContain(ANSWER);
	},
);

test("the reviewer sees the tool call's input, in the request and on the page", async () => {
	const run = await ask(`Look up customer ${customer.id} (third question)`);
	expect(await executionStatus(run.executionId)).toBe('waiting');
	const page = await (await fetch(run.link)).text();
	// Decided first, so a failure below leaves no execution waiting.
	expect((await decide(run.link, 'reject')).status).toBe(200);
	expect(await finished(run.executionId)).toBe('success');
	expect(run.text).not.toContain('[object Object]');
	expect(run.text).toContain(customer.id);
	expect(page).toContain(customer.id);
});
