/** Reading the review link's requests and answering them. */
import type { IDataObject, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { renderPage, STYLE_HASH, type PageContent } from './page';

/** The node type n8n generates for gating an agent's tool calls ("human review"). */
export const isToolGate = (node: INode) => node.type.endsWith('HitlTool');

/** What n8n signed into a review link: whose link it is, its wait and deadline (unalterable). */
export interface ReviewLink {
	approver: string;
	/** The wait the link was made for (waits.ts); '' in links of waits before waits had one. */
	wait: string;
	deadline: number;
	decision?: 'approve' | 'reject';
}

/** What a person submitted with the page's form. */
export interface ReviewForm {
	approver: string;
	comment: string;
	decision?: 'approve' | 'reject';
}

/** What n8n signed into the link: whose link it is, its wait and deadline (unalterable). */
export function linkOf(fn: IWebhookFunctions): ReviewLink {
	const query = fn.getQueryData() as IDataObject;
	const decision =
		query.decision === 'approve' || query.decision === 'reject' ? query.decision : undefined;
	return {
		approver: typeof query.approver === 'string' ? query.approver : '',
		wait: typeof query.wait === 'string' ? query.wait : '',
		deadline: Number(query.deadline ?? NaN),
		decision,
	};
}

export function readForm(fn: IWebhookFunctions): ReviewForm {
	let body = fn.getBodyData() as IDataObject | string | undefined;
	if (typeof body === 'string') body = Object.fromEntries(new URLSearchParams(body)) as IDataObject;
	const text = (value: unknown, max: number) =>
		typeof value === 'string' ? value.trim().slice(0, max) : '';
	const decision =
		body?.decision === 'approve' || body?.decision === 'reject' ? body.decision : undefined;
	return { approver: text(body?.approver, 100), comment: text(body?.comment, 1000), decision };
}

/**
 * The page's URL is a bearer secret: no cache keeps the page, no link or resource it loads is
 * told the URL, and no other site can frame it (to trick a click on Approve).
 */
const PRIVATE_PAGE = {
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'X-Frame-Options': 'DENY',
	'Content-Security-Policy':
		`default-src 'none'; style-src '${STYLE_HASH}'; form-action 'self'; ` +
		"base-uri 'none'; frame-ancestors 'none'",
};

/** Answers with an HTML page; nothing else of n8n's answers the request. */
export function respond(
	fn: IWebhookFunctions,
	status: number,
	page: PageContent,
): IWebhookResponseData {
	const res = fn.getResponseObject();
	res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...PRIVATE_PAGE });
	res.end(renderPage(page));
	return { noWebhookResponse: true };
}
