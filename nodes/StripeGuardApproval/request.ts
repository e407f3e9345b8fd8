/**
 * The approval request a person receives: plain text for chat apps and email, fields for a
 * notification sub-workflow, sent where the person works. Data (names, descriptions, metadata,
 * URLs) appears only inside inline code, flattened to one line and escaped, so in Slack and
 * its kin it can never look like a link, a heading or an instruction; the signed links stand
 * alone at the end and are the only links in the message.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { formatAmount } from '../shared/amounts';
import type { StripeMode } from '../shared/credentials/credentials';
import type { ProposalReview, ReviewLine } from '../shared/proposals/review';
import { type BatchEntry, formatTotals, totalsByCurrency, type Refused } from './batch';

/** A proposal with everything shown to the approver. */
export interface Reviewed {
	entry: BatchEntry;
	review: ProposalReview;
	/** Read from Stripe for the approver only (a refund's charge and customer). */
	context: ReviewLine[];
}

export interface ApprovalLink {
	/** The link's named approver, or '' when anyone holding it decides under a typed name. */
	approver: string;
	url: string;
}

export interface RequestContext {
	mode: StripeMode;
	workflow: string;
	executionId: string;
	deadline: Date;
	/** Above these amounts (minor units per currency) two approvers must approve. */
	twoApproversAbove: Record<string, number>;
}

/** Slack mrkdwn, Mattermost and Teams: one line, no backticks, `&<>` escaped, in inline code. */
export function chatQuote(value: string): string {
	const flat = value
		.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
		.replace(/`/g, "'")
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;');
	if (flat === '') return '`(empty)`';
	// A value of only spaces is still a value: make each space visible.
	return flat.trim() ? `\`${flat}\`` : `\`${flat.replace(/ /g, '␠')}\``;
}

/** Our own words still pass through the same escaping, without the code quotes. */
const chatPlain = (text: string) =>
	text
		.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;');

export const deadlineText = (deadline: Date) =>
	`${deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
export const countText = (n: number) => (n === 1 ? '1 Stripe change' : `${n} Stripe changes`);
export const modeText = (mode: StripeMode) =>
	mode === 'live' ? 'LIVE mode: real money' : 'test mode';

/** Totals per currency of every amount stated in advance, and the amounts Stripe decides itself. */
export function totalsText(reviewed: Reviewed[]): { total: string; open: string[] } {
	return {
		total: formatTotals(totalsByCurrency(reviewed.map((r) => r.entry))),
		open: reviewed.flatMap((r) => r.review.openAmounts),
	};
}

export function needsTwoApprovers(
	reviewed: Reviewed[],
	twoApproversAbove: Record<string, number>,
): boolean {
	const totals = totalsByCurrency(reviewed.map((r) => r.entry));
	return Object.entries(twoApproversAbove).some(
		([currency, limit]) => (totals[currency] ?? 0) > limit,
	);
}

function chatText(
	reviewed: Reviewed[],
	refused: Refused[],
	links: ApprovalLink[],
	ctx: RequestContext,
): string {
	const { total, open } = totalsText(reviewed);
	const lines = [
		`Approval needed: ${countText(reviewed.length)} (${modeText(ctx.mode)})`,
		`Workflow ${chatQuote(ctx.workflow)}, execution ${chatPlain(ctx.executionId)}. ` +
			`Decide before ${deadlineText(ctx.deadline)}; after that nothing runs.`,
	];
	reviewed.forEach(({ review, context }, i) => {
		lines.push('', `${i + 1}. ${chatPlain(review.headline)}`);
		for (const line of review.lines) lines.push(`    • ${line.label}: ${chatQuote(line.value)}`);
		if (context.length)
			lines.push(
				'    From Stripe now:',
				...context.map((line) => `    ◦ ${line.label}: ${chatQuote(line.value)}`),
			);
	});
	const plusOpen = open.map((o) => `, plus ${chatPlain(o)}`).join('');
	lines.push('', `Total that can move: ${total || 'no money'}${plusOpen}`);
	if (needsTwoApprovers(reviewed, ctx.twoApproversAbove))
		lines.push('Two different approvers must approve before anything runs.');
	if (refused.length) {
		lines.push(
			'',
			`Refused, never executed (${refused.length}):`,
			...refused.map((r) => `    ✕ ${chatQuote(r.reason)}`),
		);
	}
	lines.push('', '──────────');
	for (const link of links) {
		const whose = link.approver ? ` (link of ${chatQuote(link.approver)})` : '';
		lines.push(`Review and decide${whose}: ${link.url}`);
	}
	return lines.join('\n');
}

export interface ApprovalRequest {
	title: string;
	/** Ready to post: data neutralised for Slack-style chat, every link of the batch at the end. */
	text: string;
	links: ApprovalLink[];
	expiresAt: string;
	mode: StripeMode;
	workflow: string;
	executionId: string;
	totals: Record<string, { amount: number; formatted: string }>;
	openAmounts: string[];
	proposals: Array<{
		proposalId: string;
		resource: string;
		operation: string;
		headline: string;
		lines: ReviewLine[];
		context: ReviewLine[];
	}>;
	refused: string[];
}

export function buildRequest(
	reviewed: Reviewed[],
	refused: Refused[],
	links: ApprovalLink[],
	ctx: RequestContext,
): ApprovalRequest {
	const totals = totalsByCurrency(reviewed.map((r) => r.entry));
	return {
		title: `Approval needed: ${countText(reviewed.length)} (${modeText(ctx.mode)})`,
		text: chatText(reviewed, refused, links, ctx),
		links,
		expiresAt: ctx.deadline.toISOString(),
		mode: ctx.mode,
		workflow: ctx.workflow,
		executionId: ctx.executionId,
		totals: Object.fromEntries(
			Object.entries(totals).map(([c, a]) => [c, { amount: a, formatted: formatAmount(a, c) }]),
		),
		openAmounts: totalsText(reviewed).open,
		proposals: reviewed.map(({ entry: { proposal: p }, review, context }) => ({
			proposalId: p.proposalId,
			resource: p.resource,
			operation: p.operation,
			headline: review.headline,
			lines: review.lines,
			context,
		})),
		refused: refused.map((r) => r.reason),
	};
}

/** Slack, Mattermost, Rocket.Chat and Teams workflow webhooks all take `{ text }`. */
async function postToWebhook(
	fn: IExecuteFunctions,
	url: string,
	request: ApprovalRequest,
): Promise<void> {
	try {
		await fn.helpers.httpRequest({
			method: 'POST',
			url,
			body: { text: request.text },
			json: true,
			timeout: 15_000,
		});
	} catch (error) {
		throw new NodeOperationError(
			fn.getNode(),
			`Could not post the approval request to the webhook: ${(error as Error).message}`,
			{
				description:
					'Nothing was executed and the workflow does not wait. ' +
					'Check the Slack-compatible webhook URL.',
			},
		);
	}
}

/** One item per link, so a notification workflow can reach each named approver on their own. */
async function runNotificationWorkflow(
	fn: IExecuteFunctions,
	workflowId: string,
	request: ApprovalRequest,
	linkText: (link: ApprovalLink) => string,
): Promise<void> {
	const items = request.links.map((link) => ({
		json: {
			...request,
			approver: link.approver,
			reviewUrl: link.url,
			text: linkText(link),
		} as unknown as IDataObject,
	}));
	try {
		await fn.executeWorkflow({ id: workflowId }, items, undefined, {
			parentExecution: { executionId: fn.getExecutionId(), workflowId: fn.getWorkflow().id ?? '' },
		});
	} catch (error) {
		throw new NodeOperationError(
			fn.getNode(),
			`The notification workflow ${workflowId} failed: ${(error as Error).message}`,
			{
				description:
					'Nothing was executed and the workflow does not wait. ' +
					'Open the notification workflow to see why it failed.',
			},
		);
	}
}

export const NO_CHANNEL =
	'Choose where to send the approval request: ' +
	'a Notification Workflow or a Slack-compatible Webhook URL (one is required)';

/** Sends the request to every destination set on the node; at least one is required. */
export async function sendRequest(
	fn: IExecuteFunctions,
	request: ApprovalRequest,
	textFor: (links: ApprovalLink[]) => string = () => request.text,
): Promise<void> {
	const workflowId = String(
		fn.getNodeParameter('notificationWorkflowId', 0, '', { extractValue: true }) ?? '',
	).trim();
	const webhookUrl = String(fn.getNodeParameter('webhookUrl', 0, '')).trim();
	if (!workflowId && !webhookUrl) {
		throw new NodeOperationError(fn.getNode(), NO_CHANNEL, {
			description:
				'Set a Notification Workflow (any n8n channel: Slack, email, Teams, Telegram…) ' +
				'or a Slack-compatible webhook URL, so that a person sees the review link.',
		});
	}
	if (webhookUrl) {
		if (!/^https?:\/\//.test(webhookUrl))
			throw new NodeOperationError(
				fn.getNode(),
				`"${webhookUrl.slice(0, 80)}" is not a webhook URL`,
			);
		await postToWebhook(fn, webhookUrl, request);
	}
	if (workflowId) await runNotificationWorkflow(fn, workflowId, request, (link) => textFor([link]));
}
