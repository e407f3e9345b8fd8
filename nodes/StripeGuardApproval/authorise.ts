/**
 * Who may decide through a review link: the node's named approvers, each with a link of their
 * own, and the totals above which two of them must approve.
 */
import { NodeOperationError, type IExecuteFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { currencyDecimals, formatAmount } from '../shared/amounts';

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

/**
 * Amounts per currency (minor units) above which two approvers must approve. A limit that is not
 * a whole number of the smallest unit, or has no currency code, fails the node: read as a number
 * it would compare false and switch the rule off. Two limits of one currency: the lower counts.
 */
export function twoApproversAbove(
	fn: IExecuteFunctions | IWebhookFunctions,
): Record<string, number> {
	const value = (fn as IExecuteFunctions).getNodeParameter('twoApproversAbove', 0, {}) as {
		limits?: Array<{ currency?: unknown; amount?: unknown }>;
	};
	const limits: Record<string, number> = {};
	for (const limit of value.limits ?? []) {
		const currency = typeof limit.currency === 'string' ? limit.currency.trim().toLowerCase() : '';
		if (!/^[a-z]{3}$/.test(currency))
			throw new NodeOperationError(
				fn.getNode(),
				`Two Approvers Above: ${JSON.stringify(limit.currency ?? '').slice(0, 40)} ` +
					'is not a currency code',
				{ description: 'Give each limit a three-letter currency code such as usd, eur or jpy.' },
			);
		// An expression gives text: "1000" is the number 1000; "1,000" is not a number.
		const amount =
			typeof limit.amount === 'string' && /^\s*\d+\s*$/.test(limit.amount)
				? Number(limit.amount)
				: limit.amount;
		if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) {
			const example = 1000 * 10 ** currencyDecimals(currency);
			const given = typeof amount === 'number' ? String(amount) : JSON.stringify(amount ?? null);
			throw new NodeOperationError(
				fn.getNode(),
				`Two Approvers Above: the limit for ${currency.toUpperCase()} must be a whole number ` +
					`of the currency's smallest unit, 0 or more, not ${given.slice(0, 40)}`,
				{
					description:
						`For example ${example} is ${formatAmount(example, currency)}. ` +
						'Nothing was sent for approval.',
				},
			);
		}
		limits[currency] = Math.min(limits[currency] ?? amount, amount);
	}
	return limits;
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
