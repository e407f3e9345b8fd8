/**
 * The approval request a person receives: the same content as plain text (chat apps, email),
 * as fields for a notification sub-workflow, and sent where the person works.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { formatAmount } from '../shared/amounts';
import type { StripeMode } from '../shared/credentials';
import { type BatchEntry, formatTotals, totalsByCurrency } from './batch';

export interface ApprovalRequest {
	title: string;
	text: string;
	approveUrl: string;
	rejectUrl: string;
	expiresAt: string;
	mode: StripeMode;
	workflow: string;
	executionId: string;
	totals: Record<string, { amount: number; formatted: string }>;
	proposals: Array<{ proposalId: string; resource: string; operation: string; summary: string }>;
}

export function buildRequest(
	entries: BatchEntry[],
	links: { approveUrl: string; rejectUrl: string },
	context: { mode: StripeMode; workflow: string; executionId: string; expiresAt: Date },
): ApprovalRequest {
	const totals = totalsByCurrency(entries);
	const count = entries.length === 1 ? '1 Stripe write' : `${entries.length} Stripe writes`;
	const title = `Approval needed: ${count}${context.mode === 'live' ? ' (LIVE mode: real money)' : ' (test mode)'}`;
	const expires = `${context.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
	const lines = [
		title,
		`Workflow "${context.workflow}", execution ${context.executionId}. Nothing happens unless someone approves before ${expires}.`,
		'',
		...entries.map(({ proposal }, i) => `${i + 1}. ${proposal.summary}`),
		...(Object.keys(totals).length ? ['', `Total: ${formatTotals(totals)}`] : []),
		'',
		`Review and approve: ${links.approveUrl}`,
		`Review and reject: ${links.rejectUrl}`,
	];
	return {
		title,
		text: lines.join('\n'),
		...links,
		expiresAt: context.expiresAt.toISOString(),
		mode: context.mode,
		workflow: context.workflow,
		executionId: context.executionId,
		totals: Object.fromEntries(Object.entries(totals).map(([c, a]) => [c, { amount: a, formatted: formatAmount(a, c) }])),
		proposals: entries.map(({ proposal: p }) => ({ proposalId: p.proposalId, resource: p.resource, operation: p.operation, summary: p.summary })),
	};
}

/** Slack, Mattermost, Rocket.Chat and Teams workflow webhooks all take `{ text }`. */
async function postToWebhook(fn: IExecuteFunctions, url: string, request: ApprovalRequest): Promise<void> {
	try {
		await fn.helpers.httpRequest({ method: 'POST', url, body: { text: request.text }, json: true, timeout: 15_000 });
	} catch (error) {
		throw new NodeOperationError(fn.getNode(), `Could not post the approval request to the webhook: ${(error as Error).message}`, {
			description: 'Nothing was executed and the workflow does not wait. Check the Slack-compatible webhook URL.',
		});
	}
}

async function runNotificationWorkflow(fn: IExecuteFunctions, workflowId: string, request: ApprovalRequest): Promise<void> {
	try {
		await fn.executeWorkflow({ id: workflowId }, [{ json: request as unknown as IDataObject }], undefined, {
			parentExecution: { executionId: fn.getExecutionId(), workflowId: fn.getWorkflow().id ?? '' },
		});
	} catch (error) {
		throw new NodeOperationError(fn.getNode(), `The notification workflow ${workflowId} failed: ${(error as Error).message}`, {
			description: 'Nothing was executed and the workflow does not wait. Open the notification workflow to see why it failed.',
		});
	}
}

/** Sends the request to every destination set on the node; at least one is required. */
export async function sendRequest(fn: IExecuteFunctions, request: ApprovalRequest): Promise<void> {
	const workflowId = String(fn.getNodeParameter('notificationWorkflowId', 0, '')).trim();
	const webhookUrl = String(fn.getNodeParameter('webhookUrl', 0, '')).trim();
	if (!workflowId && !webhookUrl) {
		throw new NodeOperationError(fn.getNode(), 'Choose where to send the approval request', {
			description: 'Set a Notification Workflow (any n8n channel: Slack, email, Teams, Telegram…) or a Slack-compatible webhook URL, so that a person sees the approve and reject links.',
		});
	}
	if (webhookUrl) {
		if (!/^https?:\/\//.test(webhookUrl)) throw new NodeOperationError(fn.getNode(), `"${webhookUrl.slice(0, 80)}" is not a webhook URL`);
		await postToWebhook(fn, webhookUrl, request);
	}
	if (workflowId) await runNotificationWorkflow(fn, workflowId, request);
}
