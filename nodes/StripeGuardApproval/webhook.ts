/** Reading the approval page's requests and answering them. */
import type { IDataObject, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { BatchEntry, BatchProblem } from './batch';
import { formatTotals, totalsByCurrency } from './batch';
import { renderPage, type PageContent } from './page';

/** The node type n8n generates for gating an agent's tool calls ("human review"). */
export const isToolGate = (node: INode) => node.type.endsWith('HitlTool');

/** The decision is part of the signed link, so it cannot be changed without breaking the signature. */
export function decisionOf(fn: IWebhookFunctions): 'approve' | 'reject' | undefined {
	const decision = (fn.getQueryData() as IDataObject).decision;
	return decision === 'approve' || decision === 'reject' ? decision : undefined;
}

export function readForm(fn: IWebhookFunctions): { approver: string; comment: string } {
	let body = fn.getBodyData() as IDataObject | string | undefined;
	if (typeof body === 'string') body = Object.fromEntries(new URLSearchParams(body)) as IDataObject;
	const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');
	return { approver: text(body?.approver, 100), comment: text(body?.comment, 1000) };
}

export function summaryPage(entries: BatchEntry[], problems: BatchProblem[]): PageContent {
	const total = formatTotals(totalsByCurrency(entries));
	return {
		title: `Stripe Guard: ${entries.length === 1 ? '1 write' : `${entries.length} writes`} to approve`,
		lines: [...entries.map((e) => e.proposal.summary), ...problems.map((p) => `Cannot run: ${p.reason}`)],
		...(total ? { total } : {}),
	};
}

/** Answers with an HTML page; nothing else of n8n's answers the request. */
export function respond(fn: IWebhookFunctions, status: number, page: PageContent): IWebhookResponseData {
	const res = fn.getResponseObject();
	res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
	res.end(renderPage(page));
	return { noWebhookResponse: true };
}
