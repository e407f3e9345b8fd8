import {
	NodeConnectionTypes,
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { createNodeStripeClient } from '../shared/client';
import { readCredentials } from '../shared/credentials';
import { stripeRestrictedKeyApiTest } from '../shared/credential-test';
import { checkBatch } from './batch';
import { executeApproved, notExecutedItem, type Decision } from './execute-writes';
import { decisionOf, isToolGate, readForm, respond, summaryPage } from './webhook';
import { buildRequest, sendRequest } from './request';

/**
 * Output order matters: when the time limit ends the wait, n8n resumes the node as if it were
 * disabled and passes its input (the unexecuted proposals) to output 0. Expired is output 0 so
 * that a time-out can never reach the Approved output.
 */
export const OUTPUT = { expired: 0, approved: 1, rejected: 2 } as const;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

// Deliberately not an agent tool: an agent must never be able to approve. (n8n derives its
// human-review gate for agents' tool calls from the sendAndWait operation instead.)
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class StripeGuardApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Guard Approval',
		name: 'stripeGuardApproval',
		icon: { light: 'file:stripeGuardApproval.svg', dark: 'file:stripeGuardApproval.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Send for approval and wait',
		description: 'Asks a person to approve Stripe Guard proposals, waits, then executes exactly what was approved',
		defaults: { name: 'Stripe Guard Approval' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Expired', 'Approved', 'Rejected'],
		credentials: [{ name: 'stripeRestrictedKeyApi', required: true, testedBy: 'stripeRestrictedKeyApiTest' }],
		webhooks: (['GET', 'POST'] as const).map((httpMethod) => ({
			name: 'default',
			httpMethod,
			responseMode: 'onReceived',
			responseData: '',
			path: '={{ $nodeId }}',
			restartWebhook: true,
			isFullPath: true,
		})),
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				// n8n verifies the signature of resume links only for a sendAndWait operation.
				options: [{ name: 'Send for Approval and Wait', value: SEND_AND_WAIT_OPERATION, action: 'Send proposals for approval and wait' }],
				default: SEND_AND_WAIT_OPERATION,
			},
			{
				displayName:
					'Connect the output of Stripe Guard write operations (or an AI Agent with Return Intermediate Steps on). Output 1 gets proposals that expired, output 2 the executed writes, output 3 the rejected ones.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Notification Workflow ID',
				name: 'notificationWorkflowId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 8Xb3kd9LmQ2wZ1pA',
				description:
					'A workflow (Execute Workflow Trigger → any channel: Slack, email, Teams, Telegram…) that delivers the request. It receives one item with text, approveUrl, rejectUrl, proposals, totals and expiresAt.',
			},
			{
				displayName: 'Slack-Compatible Webhook URL',
				name: 'webhookUrl',
				type: 'string',
				default: '',
				placeholder: 'https://hooks.slack.com/services/…',
				description: 'An incoming webhook (Slack, Mattermost, Rocket.Chat, Teams workflows) that gets the request as {"text": …}',
			},
			{
				displayName: 'Expire After',
				name: 'expireAfter',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 24,
				description: 'How long to wait for a decision before the proposals leave through the Expired output',
			},
			{
				displayName: 'Expire Unit',
				name: 'expireUnit',
				type: 'options',
				options: [
					{ name: 'Minutes', value: 'minutes' },
					{ name: 'Hours', value: 'hours' },
					{ name: 'Days', value: 'days' },
				],
				default: 'hours',
			},
			{
				displayName: 'Require Approver Name',
				name: 'askName',
				type: 'boolean',
				default: true,
				description: 'Whether the approval page requires a name, which goes into the audit record',
			},
		],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const waitMs = Number(this.getNodeParameter('expireAfter', 0, 24)) * UNIT_MS[this.getNodeParameter('expireUnit', 0, 'hours') as keyof typeof UNIT_MS];
		if (!(waitMs > 0)) throw new NodeOperationError(this.getNode(), 'Expire After must be a positive number');
		const expiresAt = new Date(Date.now() + waitMs);
		const links = {
			approveUrl: this.getSignedResumeUrl({ decision: 'approve' }),
			rejectUrl: this.getSignedResumeUrl({ decision: 'reject' }),
		};
		const context = { workflow: this.getWorkflow().name ?? '', executionId: this.getExecutionId(), expiresAt };

		if (isToolGate(this.getNode())) {
			// n8n's human review of an agent's tool call: the message n8n fills in is the whole request.
			const message = String(this.getNodeParameter('message', 0, ''));
			await sendRequest(this, { ...buildRequest([], links, { ...context, mode: 'test' }), title: 'Approval needed: an AI agent tool call', text: `${message}\n\nReview and approve: ${links.approveUrl}\nReview and reject: ${links.rejectUrl}` });
			await this.putExecutionToWait(expiresAt);
			return [this.getInputData()];
		}

		const credentials = await readCredentials(this);
		if (!credentials.allowWrites) {
			throw new NodeOperationError(this.getNode(), 'The Stripe Guard credential has Allow Writes off, so approved proposals could not run', {
				description: 'Nothing was sent for approval. Turn on Allow Writes on the credential, with a key that has the write permissions, and run again.',
			});
		}
		const { entries, problems } = checkBatch(this.getInputData(), credentials.apiKey, credentials.mode);
		if (problems.length > 0) {
			const [first] = problems;
			throw new NodeOperationError(this.getNode(), `${first.reason} (item ${first.itemIndex})`, {
				itemIndex: first.itemIndex,
				description: `Nothing was sent for approval. ${problems.length > 1 ? `${problems.length - 1} more item(s) were refused too: ${problems.slice(1).map((p) => `item ${p.itemIndex}`).join(', ')}.` : ''}`.trim(),
			});
		}
		if (entries.length === 0) throw new NodeOperationError(this.getNode(), 'No proposals to approve: the node got no items');
		await sendRequest(this, buildRequest(entries, links, { ...context, mode: credentials.mode }));
		await this.putExecutionToWait(expiresAt);
		return [this.getInputData()];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const decision = decisionOf(this);
		if (!decision) return respond(this, 400, { title: 'This link is not an approval link', lines: [] });
		if (isToolGate(this.getNode())) {
			const message = String(this.getNodeParameter('message', ''));
			if (this.getRequestObject().method !== 'POST') return respond(this, 200, { title: 'An AI agent wants to run a tool', lines: [message], decision, askName: false });
			respond(this, 200, { title: 'An AI agent wants to run a tool', lines: [message], result: decision === 'approve' ? 'Approved: the agent goes on.' : 'Rejected: the agent is told.' });
			return { noWebhookResponse: true, workflowData: [[{ json: { data: { approved: decision === 'approve' } } }]] };
		}

		// A resumed execution's webhook sees the waiting node's input items: the proposals, unchanged.
		const items = JSON.parse(JSON.stringify(this.evaluateExpression('{{ $input.all() }}', 0))) as INodeExecutionData[];
		const credentials = await readCredentials(this);
		const { entries, problems } = checkBatch(items, credentials.apiKey, credentials.mode);
		const page = summaryPage(entries, problems);
		const askName = this.getNodeParameter('askName', true) as boolean;
		if (this.getRequestObject().method !== 'POST') return respond(this, 200, { ...page, decision, askName });

		const form = readForm(this);
		if (!form.approver && askName) {
			return respond(this, 200, { ...page, decision, askName: true, problem: 'Enter your name: it goes into the audit record.' });
		}
		const record: Decision = {
			...form,
			decidedAt: new Date().toISOString(),
			workflowId: this.getWorkflow().id ?? '',
			executionId: this.getExecutionId(),
		};
		const outputs: INodeExecutionData[][] = [[], [], []];
		for (const problem of problems) {
			if (problem.expired) outputs[OUTPUT.expired].push(notExecutedItem(problem.expired, record, 'expired', problem.reason));
			else outputs[OUTPUT.approved].push({ json: { error: problem.reason, audit: { outcome: 'failed', reason: problem.reason, ...record } as IDataObject }, pairedItem: { item: problem.itemIndex } });
		}
		if (decision === 'reject') {
			outputs[OUTPUT.rejected].push(...entries.map((entry) => notExecutedItem(entry, record, 'rejected')));
		} else {
			outputs[OUTPUT.approved].push(...(await executeApproved(this.getNode(), createNodeStripeClient(this.getNode(), credentials), credentials, entries, record)));
		}
		const failed = outputs[OUTPUT.approved].filter((item) => item.json.error);
		const result =
			decision === 'reject'
				? `Rejected${form.approver ? ` by ${form.approver}` : ''}: nothing was written to Stripe.`
				: failed.length === 0
					? `Approved${form.approver ? ` by ${form.approver}` : ''}: ${outputs[OUTPUT.approved].length} write(s) executed in Stripe.`
					: `Approved, but ${failed.length} write(s) did not run: ${String(failed[0].json.error)}`;
		respond(this, 200, { ...page, result });
		return { noWebhookResponse: true, workflowData: outputs };
	}
}
