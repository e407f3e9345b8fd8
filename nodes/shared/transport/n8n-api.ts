/**
 * The other door: n8n's own public API, for the audit trail's Data Table. n8n gives its
 * data-table helper only to its own Data table nodes, so Stripe Guard reaches the table the way
 * any client of n8n does: through the public API, with an n8n API key, by n8n's authenticated
 * HTTP helper (the key is never seen here). Only rows are appended and read; nothing is updated
 * or deleted.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

/** The credential of the audit trail: an n8n API key and the instance's API URL. */
export const AUDIT_CREDENTIAL_TYPE = 'stripeGuardAuditApi';

type N8nApiContext = IExecuteFunctions | IWebhookFunctions | ILoadOptionsFunctions;

/** n8n answered with an error, or did not answer; `status` 0 when it did not answer at all. */
export class N8nApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
		this.name = 'N8nApiError';
	}
}

/** The public API's root from what a user may paste: the instance's URL or its /api/v1. */
export function apiRoot(baseUrl: unknown): string {
	const url = String(baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
	if (!/^https?:\/\/[^/\s]+/i.test(url))
		throw new N8nApiError(0, `"${url}" is not the URL of an n8n instance (https://…/api/v1)`);
	return /\/api\/v1$/.test(url) ? url : `${url}/api/v1`;
}

interface FullResponse {
	statusCode: number;
	body?: unknown;
}

/** What n8n's answer says went wrong, in its own words. */
function messageOf(status: number, body: unknown): string {
	const parsed = typeof body === 'string' ? safeJson(body) : body;
	const message = (parsed as { message?: unknown } | undefined)?.message;
	const words = typeof message === 'string' ? message : String(body ?? '').slice(0, 300);
	if (status === 401) return `n8n refused the API key (401): ${words}`;
	if (status === 403)
		return (
			`the n8n API key lacks a scope this needs (403): ${words}. ` +
			'Give the key the scopes dataTableRow:create and dataTableRow:read'
		);
	if (status === 404) return `n8n has no such data table (404): ${words}`;
	return `n8n answered ${status}: ${words}`;
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** One request to n8n's public API; an error status or no answer is an N8nApiError. */
export async function n8nApiRequest<T>(
	fn: N8nApiContext,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject } = {},
): Promise<T> {
	const credentials: ICredentialDataDecryptedObject =
		await fn.getCredentials(AUDIT_CREDENTIAL_TYPE);
	const url = `${apiRoot(credentials.baseUrl)}${path}`;
	// No throw from the catch: the callers make n8n's node errors of an N8nApiError.
	let response: FullResponse | undefined;
	let unanswered = '';
	try {
		response = (await fn.helpers.httpRequestWithAuthentication.call(fn, AUDIT_CREDENTIAL_TYPE, {
			method,
			url,
			...(options.qs ? { qs: options.qs } : {}),
			...(options.body ? { body: options.body } : {}),
			json: true,
			timeout: 15_000,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as FullResponse;
	} catch (error) {
		unanswered = (error as Error).message;
	}
	if (!response) throw new N8nApiError(0, `n8n's API at ${url} did not answer: ${unanswered}`);
	if (response.statusCode >= 400)
		throw new N8nApiError(response.statusCode, messageOf(response.statusCode, response.body));
	return (typeof response.body === 'string' ? safeJson(response.body) : response.body) as T;
}
