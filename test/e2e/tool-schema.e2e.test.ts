/**
 * What a model reads about Stripe Guard tools on a real n8n (`n8n execute`): the `tools` array n8n
 * sends an OpenAI-compatible model (scripted on 127.0.0.1) for an AI Agent with a read Get, a List,
 * the Query, a Refund Create and a report. Each function's description must be the node's own text
 * for models (from its hidden `toolDescription` parameter, built from the node's own `$fromAI`
 * inputs), never n8n's default "<action> in Stripe Guard": it lists exactly the function's
 * parameters, the write says it only proposes, the Query carries its grammar.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { querySpecs, resources } from '../../nodes/StripeGuard/resources';
import {
	describeTool,
	LINKS,
	PRIVACY_ON,
	toolTexts,
} from '../../nodes/StripeGuard/tool-descriptions';
import { startScriptedModel } from './scripted-model';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(10 * 60_000);

/** No server is started: the port only places the task runner's broker (port + 1000). */
const PORT = 5696;
const WORKFLOW_ID = 'sgE2eToolSchema0001';
const CREDENTIAL = { id: 'sgE2eToolSchemaSG01', name: 'Stripe Guard (emulator, tool schema)' };
const OPENAI_CREDENTIAL = { id: 'sgE2eToolSchemaAI01', name: 'Scripted model (tool schema)' };
const QUERY_INPUT = "A Stripe Guard JSON query; see this tool's description for the grammar";

/** Tool node name → its resource.operation and the $fromAI inputs it declares. */
const TOOLS: Record<
	string,
	{ key: string; parameters: Record<string, unknown>; inputs: Record<string, string> }
> = {
	'Get customer': {
		key: 'customer.get',
		parameters: {
			customerId:
				"={{ $fromAI('customerId', 'The ID of the customer, starting with cus_', 'string') }}",
		},
		inputs: { customerId: 'The ID of the customer, starting with cus_' },
	},
	'List invoices': { key: 'invoice.list', parameters: {}, inputs: {} },
	'Query Stripe': {
		key: 'query.run',
		parameters: {
			query: `={{ $fromAI('query', '${QUERY_INPUT.replace(/'/g, "\\'")}', 'string') }}`,
		},
		inputs: { query: QUERY_INPUT },
	},
	'Propose refund': {
		key: 'refund.create',
		parameters: {
			chargeId:
				"={{ $fromAI('chargeId', 'The ID of the charge to refund, starting with ch_', 'string') }}",
		},
		inputs: { chargeId: 'The ID of the charge to refund, starting with ch_' },
	},
	'Failed payments': { key: 'report.failedPayments', parameters: {}, inputs: {} },
};

interface ToolFunction {
	name: string;
	description: string;
	parameters: {
		type: string;
		properties: Record<string, { type: string; description?: string }>;
		required?: string[];
	};
}

let emulator: StripeEmulator;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let userFolder: string;
let tools: ToolFunction[];

/**
 * Manual Trigger → AI Agent (scripted model) with the
 * Stripe Guard tools above, each at its defaults.
 */
function agentWorkflow() {
	const names = Object.keys(TOOLS);
	return {
		id: WORKFLOW_ID,
		name: 'Tool schema',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'node-manual',
				name: 'Manual',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'node-agent',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [220, 0],
				parameters: {
					promptType: 'define',
					text: 'Which Stripe Guard tools do you have?',
					options: {},
				},
			},
			{
				id: 'node-model',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [100, 200],
				parameters: {
					model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' },
					options: {},
					responsesApiEnabled: false,
				},
				credentials: { openAiApi: OPENAI_CREDENTIAL },
			},
			...names.map((name, i) => ({
				id: `node-tool-${i}`,
				name,
				type: 'n8n-nodes-stripe-guard.stripeGuardTool',
				typeVersion: 1,
				position: [220 + i * 120, 200],
				parameters: {
					resource: TOOLS[name].key.split('.')[0],
					operation: TOOLS[name].key.split('.')[1],
					...TOOLS[name].parameters,
				},
				credentials: { stripeRestrictedKeyApi: CREDENTIAL },
			})),
		],
		connections: {
			Manual: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			...Object.fromEntries(
				names.map((t) => [t, { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] }]),
			),
		},
	};
}

interface RunResult {
	status: string;
	data: { resultData: { error?: { message: string; context?: unknown; description?: string } } };
}

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator();
	model = await startScriptedModel(() => ({
		answer: 'I can read Stripe data and propose refunds.',
	}));
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-tool-schema-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
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
		{
			...OPENAI_CREDENTIAL,
			type: 'openAiApi',
			data: { apiKey: 'sk-scripted-model', url: model.url },
		},
	]);
	await runtime.importWorkflow(n8n, env, agentWorkflow());
	const run = (await runtime.executeWorkflow(n8n, env, WORKFLOW_ID)) as RunResult;
	const error = run.data.resultData.error;
	if (error || model.requests.length === 0) {
		throw new Error(
			`the agent's run ended ${run.status} before the model saw ` +
				`its tools (${model.requests.length} model request(s)): ` +
				`${error?.message} ${JSON.stringify(error?.context ?? {})}`,
		);
	}
	tools = (
		model.requests[0].tools as unknown as Array<{ type: string; function: ToolFunction }>
	).map((t) => t.function);
});

afterAll(async () => {
	await Promise.all([emulator?.stop(), model?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

const texts = toolTexts(resources, querySpecs);
const tool = (name: string) => tools.find((t) => t.name === name.replace(/ /g, '_'))!;

test('the model is offered one function per Stripe Guard tool, named after its node', () => {
	expect(model.requests).toHaveLength(1);
	expect(tools.map((t) => t.name).sort()).toEqual(
		Object.keys(TOOLS)
			.map((n) => n.replace(/ /g, '_'))
			.sort(),
	);
});

test.each(Object.keys(TOOLS))(
	"%s: described by the node for models, not by n8n's default",
	(name) => {
		const { description } = tool(name);
		expect(description).not.toMatch(/ in Stripe Guard$/);
		expect(description).toBe(describeTool(texts[TOOLS[name].key], TOOLS[name].parameters as never));
	},
);

test(
	'each function takes exactly the inputs its ' + '$fromAI calls declare, with their descriptions',
	() => {
		for (const [name, { inputs }] of Object.entries(TOOLS)) {
			const { parameters } = tool(name);
			expect(Object.keys(parameters.properties).sort()).toEqual(Object.keys(inputs).sort());
			// The description lists exactly these, and says so when there are none.
			const listed = [...tool(name).description.matchAll(/^- ([\w-]+): /gm)].map((m) => m[1]);
			expect(listed.sort()).toEqual(Object.keys(inputs).sort());
			if (listed.length === 0) expect(tool(name).description).toMatch(/This tool takes no inputs/);
			for (const [key, description] of Object.entries(inputs)) {
				expect(parameters.properties[key]).toMatchObject({ type: 'string', description });
				expect(parameters.required).toContain(key);
			}
		}
	},
);

test(
	'the write says it only proposes; reads say personal ' +
		'data is redacted; the Query carries its grammar',
	() => {
		expect(tool('Propose refund').description).toContain(
			'Returns a proposal for a person to approve; nothing changes in Stripe until then',
		);
		for (const read of ['Get customer', 'List invoices', 'Query Stripe']) {
			expect(tool(read).description).toContain(PRIVACY_ON);
			expect(tool(read).description).toContain(LINKS);
		}
		// The List's filters are all fixed in the workflow: it offers none of them.
		expect(tool('List invoices').description).toContain('at most 100 per call');
		expect(tool('List invoices').description).not.toMatch(/status|filtered by/);
		const grammar = tool('Query Stripe').description;
		for (const part of [
			'- customers (IDs start with cus_)',
			'- charges (IDs start with ch_)',
			'- events (IDs start with evt_)',
			'status: one of',
			'"limit": 1–1000',
			'{"get": "<resource>", "id": "<ID>"}',
			'no verb changes data',
		]) {
			expect(grammar).toContain(part);
		}
	},
);
