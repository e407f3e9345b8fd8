/**
 * Where n8n lets the approval node reach a Data Table, read in n8n-core 2.41.1 itself: a node's
 * execute context gets `getDataTableProxy` from the host's data-table module, but the webhook
 * context, where the approval's review links are answered and the approved write is sent to
 * Stripe, gets no data-table helper at all, whatever the host provides. (On a real n8n the host
 * also refuses the helper to every node but its own Data Table nodes: test/e2e/audit.e2e.test.ts.)
 * So the node cannot write a row before it executes a write; it hands its rows on instead.
 */
import { ExecuteContext, WebhookContext } from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type INode,
	type INodeType,
	type IWebhookData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { buildAdditionalData, nodeTypes, STRIPE_GUARD_APPROVAL } from './harness';

const node: INode = {
	id: 'approval',
	name: 'Stripe Guard Approval',
	type: STRIPE_GUARD_APPROVAL,
	typeVersion: 1,
	position: [0, 0],
	parameters: { operation: 'sendAndWait' },
};
const workflowData = {
	id: 'wf-audit',
	name: 'Audit',
	active: false,
	nodes: [node],
	connections: {},
	settings: { executionOrder: 'v1' },
} as unknown as IWorkflowBase;
const workflow = new Workflow({ ...workflowData, nodeTypes });

/** A host with n8n's data-table module: what `n8n start` passes the engine. */
function hostWithDataTables() {
	const provider = {
		getDataTableProxy: jest.fn(async () => ({})),
		getDataTableAggregateProxy: jest.fn(async () => ({})),
	};
	const additionalData = {
		...buildAdditionalData({ apiKey: 'rk_test_x' }, workflowData, 'exec-audit'),
		'data-table': { dataTableProxyProvider: provider },
	} as unknown as IWorkflowExecuteAdditionalData;
	return { provider, additionalData };
}

test('the execute context offers the host’s data-table helper', async () => {
	const { provider, additionalData } = hostWithDataTables();
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		createRunExecutionData(),
		0,
		[],
		{ main: [[]] },
		{ node, data: { main: [[]] }, source: null },
		[],
	);
	expect(typeof context.helpers.getDataTableProxy).toBe('function');
	await context.helpers.getDataTableProxy!('table-1');
	expect(provider.getDataTableProxy).toHaveBeenCalledWith(workflow, node, 'table-1', undefined);
});

test('the webhook context, where a review link is answered and the write sent, has none', () => {
	const { additionalData } = hostWithDataTables();
	const request = { method: 'POST', query: {}, body: {}, headers: {}, params: {} };
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: node.id,
		webhookDescription: (
			nodeTypes.getByName(STRIPE_GUARD_APPROVAL) as INodeType
		).description.webhooks!.find((w) => w.httpMethod === 'POST')!,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as unknown as IWebhookData;
	const context = new WebhookContext(
		workflow,
		node,
		{ ...additionalData, httpRequest: request } as unknown as IWorkflowExecuteAdditionalData,
		'manual',
		webhookData,
		[],
		createRunExecutionData(),
	);
	const helpers = context.helpers as unknown as Record<string, unknown>;
	expect(typeof helpers.httpRequest).toBe('function');
	expect(helpers.getDataTableProxy).toBeUndefined();
	expect(helpers.getDataTableAggregateProxy).toBeUndefined();
	// Nor can it hand rows to a sub-workflow: that helper is the execute context's alone.
	expect((context as unknown as Record<string, unknown>).executeWorkflow).toBeUndefined();
});
