/**
 * Runs [Items] → [Stripe Guard Approval] as n8n does: WorkflowExecute until the node waits, then
 * the node's webhook in n8n-core's WebhookContext with the waiting execution's data, then the
 * resumed execution (forwarding the webhook's outputs, as n8n's waiting-webhook handler does), or
 * the time-out resume that n8n's wait tracker starts.
 */
import { WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type IRunExecutionData,
	type IWebhookData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { OUTPUT } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
export { startReceiver } from '../receiver';
import {
	buildAdditionalData,
	ITEMS_NODE,
	nodeTypes,
	STRIPE_GUARD,
	STRIPE_GUARD_APPROVAL,
	type TestCredential,
} from './harness';

const APPROVAL = 'Stripe Guard Approval';

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
}

/**
 * `stripeGuardTools` adds Stripe Guard tool nodes wired as ai_tool
 * into the Items node, which then stands where an AI Agent would: the
 * approval node accepts proposals from those tools' outputs only.
 */
export async function runApproval(options: {
	proposals: IDataObject[];
	credential: TestCredential;
	parameters: IDataObject;
	stripeGuardTools?: string[];
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
			type: STRIPE_GUARD_APPROVAL,
			typeVersion: 1,
			position: [200, 0],
			parameters: { operation: 'sendAndWait', ...options.parameters } as INode['parameters'],
			credentials: { stripeRestrictedKeyApi: { id: 'cred-1', name: 'Stripe test' } },
		},
	];
	const connections: IConnections = {
		Items: { main: [[{ node: APPROVAL, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	for (const [i, name] of (options.stripeGuardTools ?? []).entries()) {
		nodes.push({
			id: `tool-${i}`,
			name,
			type: `${STRIPE_GUARD}Tool`,
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
	const id = `wf-approval-${Math.random().toString(36).slice(2)}`;
	const workflow = new Workflow({
		id,
		name: 'Refund approvals',
		nodes,
		connections,
		active: false,
		nodeTypes,
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
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode('Items') ?? undefined,
	});
	// n8n stores the waiting execution and reads it back for each resume attempt.
	const stored = JSON.stringify(run.data);
	const node = workflow.getNode(APPROVAL)!;
	const nodeType = nodeTypes.getByNameAndVersion(STRIPE_GUARD_APPROVAL);

	const resume = async (
		data: IRunExecutionData,
		extra: Partial<IWorkflowExecuteAdditionalData> = {},
	) =>
		await new WorkflowExecute(
			{ ...additionalData, ...extra },
			'manual',
			data,
		).processRunExecutionData(workflow);

	return {
		run,
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
