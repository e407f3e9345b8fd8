/**
 * The approval request a person receives: plain text for chat apps and email, fields for a
 * notification sub-workflow, sent where the person works. Data (names, descriptions, metadata,
 * URLs) appears only inside inline code, flattened to one line and escaped, so in Slack and
 * its kin it can never look like a link, a heading or an instruction; the signed links stand
 * alone at the end and are the only links in the message.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { formatAmount } from '../shared/amounts';
import type { StripeMode } from '../shared/credentials/credentials';
import type { ProposalReview, ReviewLine } from '../shared/proposals/review';
import { type BatchEntry, formatTotals, type Refused } from './batch';
import {
	countedTotals,
	moneyNotes,
	noteText,
	statedTotals,
	twoApproversWhy,
	type MoneyNote,
	type ProposalMoney,
} from './money';
import { chatCode, withChatLegend } from './visible-text';
import { parameterOf, workflowIdOf } from '../shared/parameters';

/** A proposal with everything shown to the approver. */
export interface Reviewed {
	entry: BatchEntry;
	review: ProposalReview;
	/** Read from Stripe for the approver only (a refund's charge and customer). */
	context: ReviewLine[];
	/** What it counts, read from Stripe with the context; without it, its stated amounts. */
	money?: ProposalMoney;
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
	// Also hidden characters as escapes, and flags (visible-text.ts).
	return chatCode(value);
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

/**
 * Totals per currency of every amount stated in advance (no more than is left to draw on), the
 * amounts Stripe decides itself, and the notes on what was read of them.
 */
export function totalsText(reviewed: Reviewed[]): {
	total: string;
	open: string[];
	notes: MoneyNote[];
} {
	return {
		total: formatTotals(statedTotals(reviewed)),
		open: reviewed.flatMap((r) => r.review.openAmounts),
		notes: moneyNotes(reviewed),
	};
}

export function needsTwoApprovers(
	reviewed: Reviewed[],
	twoApproversAbove: Record<string, number>,
): boolean {
	return twoApproversWhy(reviewed, twoApproversAbove).length > 0;
}

/** A money note in chat: Stripe's words in inline code. */
const chatNote = (note: MoneyNote) =>
	chatPlain(note.text) +
	(note.data === undefined ? '' : chatQuote(note.data)) +
	chatPlain(note.after ?? '');

function chatText(
	reviewed: Reviewed[],
	refused: Refused[],
	links: ApprovalLink[],
	ctx: RequestContext,
): string {
	const { total, open, notes } = totalsText(reviewed);
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
	lines.push('', `Total that can move: ${total || 'no money'}${plusOpen}`, ...notes.map(chatNote));
	const why = twoApproversWhy(reviewed, ctx.twoApproversAbove);
	if (why.length)
		lines.push(`Two different approvers must approve before anything runs: ${why.join('; ')}.`);
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
	/** The stated totals and every amount read from Stripe: what Two Approvers Above counts. */
	atMost: Record<string, { amount: number; formatted: string }>;
	/** What was read of the open amounts, what is not known, what cannot be made in full. */
	moneyNotes: string[];
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
	const formatted = (totals: Record<string, number>) =>
		Object.fromEntries(
			Object.entries(totals).map(([c, a]) => [c, { amount: a, formatted: formatAmount(a, c) }]),
		);
	const money = totalsText(reviewed);
	return {
		title: `Approval needed: ${countText(reviewed.length)} (${modeText(ctx.mode)})`,
		text: withChatLegend(() => chatText(reviewed, refused, links, ctx)),
		links,
		expiresAt: ctx.deadline.toISOString(),
		mode: ctx.mode,
		workflow: ctx.workflow,
		executionId: ctx.executionId,
		totals: formatted(statedTotals(reviewed)),
		openAmounts: money.open,
		atMost: formatted(countedTotals(reviewed)),
		moneyNotes: money.notes.map(noteText),
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

/**
 * One item per link, so a notification workflow can reach each named approver on their own: an
 * item carries its own link and no other.
 */
async function runNotificationWorkflow(
	fn: IExecuteFunctions,
	workflowId: string,
	request: ApprovalRequest,
	linkText: (link: ApprovalLink) => string,
): Promise<void> {
	const items = request.links.map((link) => ({
		json: {
			...request,
			links: [link],
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

/** Where the node sends its request: the notification workflow and the webhook, each if set. */
export function channelsOf(fn: IExecuteFunctions | IWebhookFunctions): {
	workflowId: string;
	webhookUrl: string;
} {
	const param = (name: string, options?: IGetNodeParameterOptions) =>
		String(parameterOf(fn, name, '', options) ?? '').trim();
	return {
		// The editor saves a picked workflow as a resource locator, a typed ID as a string (n8n's
		// extractValue does not unwrap a workflowSelector).
		workflowId: workflowIdOf(parameterOf(fn, 'notificationWorkflowId', '')),
		webhookUrl: param('webhookUrl'),
	};
}

/**
 * Where an approver's link went, for the audit record ('' for the one unnamed link). With
 * Approvers set, only a notification workflow is allowed, one item per approver; a webhook here
 * is one of a wait started before that rule.
 */
export function linkDelivery(fn: IWebhookFunctions, approver: string): string {
	const { workflowId, webhookUrl } = channelsOf(fn);
	if (!approver)
		return [workflowId ? 'notification workflow' : '', webhookUrl ? 'Slack-compatible webhook' : '']
			.filter(Boolean)
			.join(' and ');
	return [
		workflowId ? `notification workflow item for ${approver}` : '',
		webhookUrl ? "Slack-compatible webhook, in one message with every approver's link" : '',
	]
		.filter(Boolean)
		.join(' and ');
}

/**
 * A named link proves only that whoever used it had the link sent to that approver, so with
 * Approvers set every link must go where only its approver reads; a webhook is one channel.
 */
export function refuseSharedChannel(fn: IExecuteFunctions, approvers: string[]): void {
	if (approvers.length === 0 || !channelsOf(fn).webhookUrl) return;
	throw new NodeOperationError(
		fn.getNode(),
		"With Approvers set, each approver's link must reach only them, " +
			'and a Slack-compatible webhook posts every link into one shared channel',
		{
			description:
				'Clear Slack-Compatible Webhook URL and choose a Notification Workflow: it gets one item ' +
				"per approver, carrying that approver's link alone (approver, reviewUrl, text); " +
				'send each item to its approver, for example an email or a Slack direct message to ' +
				'{{ $json.approver }}. Nothing was sent for approval.',
		},
	);
}

/** Sends the request to every destination set on the node; at least one is required. */
export async function sendRequest(
	fn: IExecuteFunctions,
	request: ApprovalRequest,
	textFor: (links: ApprovalLink[]) => string = () => request.text,
): Promise<void> {
	const { workflowId, webhookUrl } = channelsOf(fn);
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
