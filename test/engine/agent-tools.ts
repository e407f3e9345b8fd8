/**
 * Stripe Guard tools as an AI agent gets them from n8n-core: a probe node with an `ai_tool` input
 * calls n8n-core's getInputConnectionData, which makes each connected Stripe Guard tool node a
 * tool (createNodeAsTool: the name, the description from the node's `toolDescription` expression,
 * the schema from its `$fromAI` calls) and runs it when invoked (makeHandleToolInvocation: the
 * string the agent hands the model). Nothing here stands in for n8n's part.
 */
import { WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	nodeNameToToolName,
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWorkflowBase,
} from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { buildAdditionalData, CREDENTIAL_TYPE, STRIPE_GUARD, type TestCredential } from './harness';

const PROBE = 'test.toolProbe';
const TOOL = `${STRIPE_GUARD}Tool`;

/** What n8n-core made of one tool node. */
export interface AgentTool {
	name: string;
	description: string;
	/** The schema's properties, as the model is offered them. */
	inputs: string[];
}

/** One call of a tool, by name, with the arguments a model would give. */
export interface ToolCall {
	tool: string;
	args: IDataObject;
}

/** A call's outcome: the string the agent hands the model, or the error the tool threw. */
export type ToolAnswer = { text: string } | { error: string };

interface LangChainTool {
	name: string;
	description: string;
	schema: { shape: Record<string, unknown> };
	invoke(args: IDataObject): Promise<unknown>;
}

/** The agent's stand-in: lists the connected tools and makes the calls it is given. */
class ToolProbe implements INodeType {
	description = {
		displayName: 'Tool Probe',
		name: 'toolProbe',
		group: ['transform'],
		version: 1,
		description: 'Reads its tools as an agent does',
		defaults: { name: 'Tool Probe' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, displayName: 'Tools' }],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Calls', name: 'calls', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const found = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as
			| LangChainTool
			| LangChainTool[];
		const tools = Array.isArray(found) ? found : [found];
		const calls = JSON.parse(this.getNodeParameter('calls', 0) as string) as ToolCall[];
		const answers: ToolAnswer[] = [];
		for (const call of calls) {
			const tool = tools.find((t) => t.name === call.tool);
			if (!tool) throw new Error(`no tool ${call.tool}`);
			try {
				answers.push({ text: String(await tool.invoke(call.args)) });
			} catch (error) {
				answers.push({ error: (error as Error).message });
			}
		}
		const described = tools.map((t) => ({
			name: t.name,
			description: t.description,
			inputs: Object.keys(t.schema.shape),
		}));
		return [[{ json: { tools: described, answers } as unknown as IDataObject }]];
	}
}

/** As n8n's tool generation (convertNodeToAiTool): no main input, an `ai_tool` output. */
function toolVariant(node: INodeType): INodeType {
	const variant = Object.create(node) as INodeType;
	variant.description = {
		...node.description,
		name: `${node.description.name}Tool`,
		displayName: `${node.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
	};
	return variant;
}

const types: Record<string, INodeType> = {
	[PROBE]: new ToolProbe(),
	[TOOL]: toolVariant(new StripeGuard()),
};
const nodeTypes: INodeTypes = {
	getByName: (name) => types[name],
	getByNameAndVersion: (name) => types[name],
	getKnownTypes: () => ({}),
};

export interface AgentOptions {
	/** Tool node name → its parameters (raw, `$fromAI` calls included). */
	tools: Record<string, INodeParameters>;
	calls?: ToolCall[];
	credential: TestCredential;
	typeVersion?: number;
}

export interface AgentRun {
	tools: AgentTool[];
	answers: ToolAnswer[];
	/** Each tool node's parameters as the workflow holds them (n8n fills in the defaults). */
	parameters: Record<string, INodeParameters>;
}

let counter = 0;

/** Runs [Tool Probe] with the Stripe Guard tool nodes connected to it, through WorkflowExecute. */
export async function runAgent(options: AgentOptions): Promise<AgentRun> {
	const toolNodes: INode[] = Object.entries(options.tools).map(([name, parameters], i) => ({
		id: `tool-${i}`,
		name,
		type: TOOL,
		typeVersion: options.typeVersion ?? 2,
		position: [200 * i, 200],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Stripe test' } },
	}));
	const nodes: INode[] = [
		{
			id: 'probe',
			name: 'Tool Probe',
			type: PROBE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { calls: JSON.stringify(options.calls ?? []) },
		},
		...toolNodes,
	];
	const connections = Object.fromEntries(
		toolNodes.map((n) => [
			n.name,
			{
				[NodeConnectionTypes.AiTool]: [
					[{ node: 'Tool Probe', type: NodeConnectionTypes.AiTool, index: 0 }],
				],
			},
		]),
	);
	const id = `agent-wf-${++counter}`;
	const settings = { executionOrder: 'v1' as const };
	const workflow = new Workflow({
		id,
		name: 'agent',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings,
	});
	const workflowData = {
		id,
		name: 'agent',
		active: false,
		isArchived: false,
		nodes,
		connections,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as IWorkflowBase;
	const additionalData = buildAdditionalData(options.credential, workflowData, `agent-${counter}`);
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode('Tool Probe') ?? undefined,
	});
	const task = run.data.resultData.runData['Tool Probe']?.[0];
	if (task?.error || !task?.data?.main?.[0]?.[0])
		throw new Error(
			`the probe failed: ${task?.error?.message ?? run.data.resultData.error?.message}`,
		);
	const { tools, answers } = task.data.main[0][0].json as unknown as AgentRun;
	const parameters = Object.fromEntries(
		toolNodes.map((n) => [n.name, workflow.getNode(n.name)!.parameters]),
	);
	return { tools, answers, parameters };
}

/** A parameter value the model fills: `={{ $fromAI('key', 'description', 'type') }}`. */
export const fromAI = (key: string, description = '', type = 'string') =>
	`={{ $fromAI('${key}', '${description.replace(/'/g, "\\'")}', '${type}') }}`;

/** The name n8n gives a tool node's tool (what the model calls it by). */
export const toolName = (nodeName: string) => nodeNameToToolName(nodeName);
