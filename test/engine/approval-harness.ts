/**
 * Runs [Items] → [Stripe Guard Approval] as n8n does: WorkflowExecute until the node waits, then
 * the node's webhook in n8n-core's WebhookContext with the waiting execution's data, then the
 * resumed execution (forwarding the webhook's outputs, as n8n's waiting-webhook handler does), or
 * the time-out resume that n8n's wait tracker starts. A resumed execution that reaches the node
 * again waits again, and its links are then answered from that wait.
 */
import { WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type IConnections,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWebhookData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { OUTPUT } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import type { StartOptions } from '../emulator';
import { startReceiver } from '../receiver';
import { useEmulator } from './emulator-context';
export { startReceiver };
import {
	buildAdditionalData,
	ITEMS_NODE,
	nodeTypes,
	STRIPE_GUARD,
	STRIPE_GUARD_APPROVAL,
	type TestCredential,
} from './harness';

const APPROVAL = 'Stripe Guard Approval';

/** The type n8n generates from the approval node to gate an agent's tool calls (human review). */
export const GATE = `${STRIPE_GUARD_APPROVAL}HitlTool`;
/** Emits its fixed items for every input it gets: an agent that calls a tool again. */
export const FIXED_ITEMS = 'test.fixedItems';

/**
 * As n8n's HITL tool generation for a sendAndWait node: the same node under a type ending in
 * HitlTool, with the Message parameter n8n adds. Its connections stay main ones here, so the
 * engine runs it on its own; n8n runs it the same way when the agent's tool call reaches it.
 */
function gateVariant(node: INodeType): INodeType {
	const variant = Object.create(node) as INodeType;
	const message: INodeProperties = {
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: 'The agent wants to run this tool',
	};
	variant.description = {
		...node.description,
		name: `${node.description.name}HitlTool`,
		properties: [message, ...node.description.properties],
	};
	return variant;
}

class FixedItems implements INodeType {
	description = {
		displayName: 'Fixed Items',
		name: 'fixedItems',
		group: ['transform'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Fixed Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[{}]' },
		] as INodeProperties[],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json, pairedItem: { item: 0 } }))];
	}
}

const extraTypes: Record<string, INodeType> = {
	[GATE]: gateVariant(nodeTypes.getByName(STRIPE_GUARD_APPROVAL) as INodeType),
	[FIXED_ITEMS]: new FixedItems(),
};
const approvalNodeTypes: INodeTypes = {
	...nodeTypes,
	getByName: (name) => extraTypes[name] ?? nodeTypes.getByName(name),
	getByNameAndVersion: (name, version) =>
		extraTypes[name] ?? nodeTypes.getByNameAndVersion(name, version),
};

/** The part of an HTTP response the webhook writes, recorded. */
class RecordedResponse {
	statusCode = 0;
	headers: Record<string, string> = {};
	body = '';
	headersSent = false;
	writeHead(status: number, headers: Record<string, string>) {
		this.statusCode = status;
		this.headers = headers;
		this.headersSent = true;
		return this;
	}
	end(body?: string) {
		this.body = body ?? '';
		return this;
	}
}

export interface Outputs {
	expired: INodeExecutionData[];
	approved: INodeExecutionData[];
	rejected: INodeExecutionData[];
	failed: INodeExecutionData[];
}

export interface ApprovalRun {
	run: IRun;
	/** Calls the approval link as a browser would: GET shows the page, POST submits the form. */
	open(
		url: string,
		method?: 'GET' | 'POST',
		body?: IDataObject,
		credential?: TestCredential,
	): Promise<{ page: RecordedResponse; resumed?: IRun }>;
	/** What n8n's wait tracker does when the time limit passes. */
	timeOut(): Promise<IRun>;
	outputs(run: IRun): Outputs;
	/** The items of every run of the notification workflow, in order. */
	notifications: IDataObject[][];
	/** The ID of the workflow each of those runs was asked of. */
	notifiedWorkflows: Array<string | undefined>;
}

/**
 * `stripeGuardTools` adds Stripe Guard tool nodes wired as ai_tool
 * into the Items node, which then stands where an AI Agent would: the
 * approval node accepts proposals from those tools' outputs only.
 * `otherTools` adds tool nodes of other types beside them.
 * `chatModel` adds a chat model node wired as ai_languageModel into the Items node (the agent's).
 * `gate` runs the approval node as n8n's human review of a tool call (GATE).
 * `loop` adds a node fed by the approval's outputs `from` whose output goes back into the same
 * approval node: the workflow asks again in the same execution (Expired → propose again).
 * A notification workflow's runs are recorded in `notifications`.
 */
export async function runApproval(options: {
	proposals: IDataObject[];
	credential: TestCredential;
	parameters: IDataObject;
	stripeGuardTools?: string[];
	otherTools?: Array<{ name: string; type: string }>;
	chatModel?: { name: string; type: string; parameters: IDataObject };
	gate?: boolean;
	loop?: { name: string; type: string; parameters: IDataObject; from: number[] };
	/** The approval node's typeVersion: 1 (saved workflows before version 2) unless given. */
	typeVersion?: number;
}): Promise<ApprovalRun> {
	const nodes: INode[] = [
		{
			id: 'items',
			name: 'Items',
			type: ITEMS_NODE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.proposals) },
		},
		{
			id: 'approval-node-id',
			name: APPROVAL,
			type: options.gate ? GATE : STRIPE_GUARD_APPROVAL,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: { operation: 'sendAndWait', ...options.parameters } as INode['parameters'],
			credentials: { stripeRestrictedKeyApi: { id: 'cred-1', name: 'Stripe test' } },
		},
	];
	const connections: IConnections = {
		Items: { main: [[{ node: APPROVAL, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const tools = [
		...(options.stripeGuardTools ?? []).map((name) => ({ name, type: `${STRIPE_GUARD}Tool` })),
		...(options.otherTools ?? []),
	];
	for (const [i, { name, type }] of tools.entries()) {
		nodes.push({
			id: `tool-${i}`,
			name,
			type,
			typeVersion: 1,
			position: [0, 200],
			parameters: {},
		});
		connections[name] = {
			[NodeConnectionTypes.AiTool]: [
				[{ node: 'Items', type: NodeConnectionTypes.AiTool, index: 0 }],
			],
		};
	}
	const { chatModel, loop } = options;
	if (chatModel) {
		nodes.push({
			id: 'chat-model',
			typeVersion: 1,
			position: [0, 400],
			...chatModel,
			parameters: chatModel.parameters as INode['parameters'],
		});
		connections[chatModel.name] = {
			[NodeConnectionTypes.AiLanguageModel]: [
				[{ node: 'Items', type: NodeConnectionTypes.AiLanguageModel, index: 0 }],
			],
		};
	}
	if (loop) {
		nodes.push({
			id: 'loop-node-id',
			name: loop.name,
			type: loop.type,
			typeVersion: 1,
			position: [400, 200],
			parameters: loop.parameters as INode['parameters'],
			credentials: { stripeRestrictedKeyApi: { id: 'cred-1', name: 'Stripe test' } },
		});
		const back = [{ node: APPROVAL, type: NodeConnectionTypes.Main, index: 0 }];
		connections[APPROVAL] = {
			main: [0, 1, 2, 3].map((output) =>
				loop.from.includes(output)
					? [{ node: loop.name, type: NodeConnectionTypes.Main, index: 0 }]
					: [],
			),
		};
		connections[loop.name] = { main: [back] };
	}
	const id = `wf-approval-${Math.random().toString(36).slice(2)}`;
	const workflow = new Workflow({
		id,
		name: 'Refund approvals',
		nodes,
		connections,
		active: false,
		nodeTypes: approvalNodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const workflowData = {
		id,
		name: 'Refund approvals',
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
	const executionId = `exec-${id}`;
	const additionalData = buildAdditionalData(options.credential, workflowData, executionId);
	const notifications: IDataObject[][] = [];
	// As n8n runs a sub-workflow: it gets the items; the test reads them as delivered.
	const notifiedWorkflows: Array<string | undefined> = [];
	additionalData.executeWorkflow = async (workflowInfo, _data, runOptions) => {
		notifiedWorkflows.push(workflowInfo.id);
		notifications.push((runOptions.inputData ?? []).map((item) => structuredClone(item.json)));
		return { executionId: `sub-${notifications.length}`, data: [runOptions.inputData ?? []] };
	};
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode('Items') ?? undefined,
	});
	// n8n stores the waiting execution and reads it back for each resume attempt.
	let stored = JSON.stringify(run.data);
	const node = workflow.getNode(APPROVAL)!;
	const nodeType = approvalNodeTypes.getByNameAndVersion(node.type);

	const resume = async (
		data: IRunExecutionData,
		extra: Partial<IWorkflowExecuteAdditionalData> = {},
	) => {
		const resumed = await new WorkflowExecute(
			{ ...additionalData, ...extra },
			'manual',
			data,
		).processRunExecutionData(workflow);
		// Back at the approval node: n8n stores the new wait, and its links are answered from it.
		if (resumed.status === 'waiting') stored = JSON.stringify(resumed.data);
		return resumed;
	};

	return {
		run,
		notifications,
		notifiedWorkflows,
		async open(url, method = 'GET', body = {}, credential) {
			const parsed = new URL(url);
			const data = JSON.parse(stored) as IRunExecutionData;
			const page = new RecordedResponse();
			const request = {
				method,
				query: Object.fromEntries(parsed.searchParams),
				body,
				headers: {},
				params: {},
			};
			// A credential changed while the execution waited is what the webhook then reads.
			const credentialsHelper = credential
				? buildAdditionalData(credential, workflowData, executionId).credentialsHelper
				: additionalData.credentialsHelper;
			const requestData = {
				...additionalData,
				credentialsHelper,
				httpRequest: request,
				httpResponse: page,
			} as unknown as IWorkflowExecuteAdditionalData;
			const webhookData = {
				httpMethod: method,
				node: APPROVAL,
				path: node.id,
				webhookDescription: nodeType.description.webhooks!.find((w) => w.httpMethod === method)!,
				workflowId: id,
				workflowExecuteAdditionalData: requestData,
			} as unknown as IWebhookData;
			const context = new WebhookContext(
				workflow,
				node,
				requestData,
				'manual',
				webhookData,
				[],
				data,
			);
			const response = await nodeType.webhook!.call(context);
			if (!response.workflowData) return { page };
			// As n8n's waiting-webhook handler: the node resumes
			// disabled, forwarding the webhook's outputs.
			data.waitTill = undefined;
			const entry = data.executionData!.nodeExecutionStack[0];
			entry.node.disabled = true;
			entry.data.main = response.workflowData;
			entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
			return { page, resumed: await resume(data, { credentialsHelper }) };
		},
		async timeOut() {
			return await resume(JSON.parse(stored) as IRunExecutionData);
		},
		outputs(finished) {
			const main = finished.data.resultData.runData[APPROVAL]?.at(-1)?.data?.main ?? [];
			return {
				expired: main[OUTPUT.expired] ?? [],
				approved: main[OUTPUT.approved] ?? [],
				rejected: main[OUTPUT.rejected] ?? [],
				failed: main[OUTPUT.failed] ?? [],
			};
		},
	};
}

/**
 * The emulator and a chat receiver for an approval test file: each started once and emptied
 * before every test, so that no test sees another's objects or messages.
 */
export function useApprovalSetup(options: StartOptions = { seed: 'none' }) {
	const emulator = useEmulator(options);
	let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
	beforeAll(async () => {
		receiver = await startReceiver();
	});
	afterAll(async () => await receiver?.stop());
	beforeEach(() => {
		emulator().reset();
		receiver!.messages.length = 0;
	});
	return { emulator, receiver: () => receiver! };
}
