/**
 * Who may decide through a review link: the node's named approvers, each with a link of their
 * own, and the totals above which two of them must approve.
 */
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { PageContent } from './page';
import type { ReviewLink } from './webhook';

/** The named approvers, as the node lists them (comma, semicolon or one per line). */
export function approversOf(fn: IExecuteFunctions | IWebhookFunctions): string[] {
	const raw = String((fn as IExecuteFunctions).getNodeParameter('approvers', 0, '') ?? '');
	return [
		...new Set(
			raw
				.split(/[,;\n]/)
				.map((a) => a.trim().slice(0, 100))
				.filter(Boolean),
		),
	];
}

/** Amounts per currency (minor units) above which two approvers must approve. */
export function twoApproversAbove(
	fn: IExecuteFunctions | IWebhookFunctions,
): Record<string, number> {
	const value = (fn as IExecuteFunctions).getNodeParameter('twoApproversAbove', 0, {}) as {
		limits?: Array<{ currency?: string; amount?: number }>;
	};
	return Object.fromEntries(
		(value.limits ?? [])
			.filter((l) => l.currency)
			.map((l) => [String(l.currency).trim().toLowerCase(), Number(l.amount ?? 0)]),
	);
}

/**
 * The page refusing a link that may not decide (answered with 403), or undefined when it may:
 * a named link must still belong to an approver, and with named approvers only theirs decide.
 */
export function linkRefusal(link: ReviewLink, approvers: string[]): PageContent | undefined {
	const refusal = (title: string, fact: string): PageContent => ({
		title,
		facts: [fact],
		proposals: [],
		refused: [],
	});
	if (link.approver && !approvers.includes(link.approver))
		return refusal(
			'This link no longer belongs to an approver',
			`${link.approver} is no longer an approver of this node.`,
		);
	if (!link.approver && approvers.length > 0)
		return refusal(
			"This approval needs a named approver's link",
			'Use the link that was sent to you by name.',
		);
	return undefined;
}
