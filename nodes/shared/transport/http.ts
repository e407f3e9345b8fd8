/**
 * The wire: one request out, its status, headers and body text back, through what
 * n8n offers the caller. Node executions, webhooks and polls use
 * `httpRequestWithAuthentication` (n8n adds the credential's Bearer header); the
 * credential test, which n8n gives only `helpers.request`, sets the header itself.
 * Everything above this file (encoding, retries, pacing, errors) is one code path.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../credentials/credentials';

export interface WireRequest {
	method: 'GET' | 'POST' | 'DELETE';
	url: string;
	headers: Record<string, string>;
	/** Form-encoded, POST only. */
	body?: string;
	timeoutMs: number;
}

export interface WireResponse {
	statusCode: number;
	/** Lower-case names. */
	headers: Record<string, string>;
	body: string;
}

export interface Wire {
	send(request: WireRequest): Promise<WireResponse>;
	/** Whether n8n cancelled the execution: then nothing is retried. */
	cancelled(): boolean;
}

/** What n8n hands back with `returnFullResponse` / `resolveWithFullResponse`. */
interface FullResponse {
	statusCode: number;
	headers?: unknown;
	body?: unknown;
}

function headersOf(raw: unknown): Record<string, string> {
	const source =
		raw && typeof (raw as { toJSON?: unknown }).toJSON === 'function'
			? (raw as { toJSON(): unknown }).toJSON()
			: raw;
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries((source ?? {}) as Record<string, unknown>)) {
		if (value === undefined || value === null) continue;
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return headers;
}

function textOf(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return new TextDecoder().decode(body);
	// Already parsed by someone on the way: Stripe's answers are JSON objects.
	return JSON.stringify(body);
}

const toWireResponse = (response: FullResponse): WireResponse => ({
	statusCode: response.statusCode,
	headers: headersOf(response.headers),
	body: textOf(response.body),
});

export type HttpContext =
	| IExecuteFunctions
	| IWebhookFunctions
	| IPollFunctions
	| ILoadOptionsFunctions;

/**
 * Through n8n's authenticated HTTP helper: status errors are answers here, not exceptions. The
 * credential is decrypted once per wire and handed to the helper, which would otherwise read and
 * decrypt it again for every request (a database read in a real n8n).
 */
export function n8nWire(fn: HttpContext): Wire {
	const signal =
		'getExecutionCancelSignal' in fn && typeof fn.getExecutionCancelSignal === 'function'
			? fn.getExecutionCancelSignal()
			: undefined;
	let credential: Promise<ICredentialsDecrypted> | undefined;
	const decrypted = () =>
		(credential ??= fn.getCredentials(CREDENTIAL_TYPE).then((data) => {
			const { id, name } = fn.getNode().credentials?.[CREDENTIAL_TYPE] ?? { id: null, name: '' };
			return { id: id ?? '', name, type: CREDENTIAL_TYPE, data };
		}));
	return {
		async send(request) {
			const credentialsDecrypted = await decrypted();
			const response = (await fn.helpers.httpRequestWithAuthentication.call(
				fn,
				CREDENTIAL_TYPE,
				{
					method: request.method as IHttpRequestMethods,
					url: request.url,
					headers: request.headers,
					...(request.body !== undefined && { body: request.body }),
					timeout: request.timeoutMs,
					encoding: 'text',
					json: false,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				},
				{ credentialsDecrypted },
			)) as FullResponse;
			return toWireResponse(response);
		},
		cancelled: () => signal?.aborted === true,
	};
}

/** Through the credential test's request helper, with the Bearer header set here. */
export function credentialTestWire(ctx: ICredentialTestFunctions, apiKey: string): Wire {
	return {
		async send(request) {
			const response = (await ctx.helpers.request({
				method: request.method,
				uri: request.url,
				headers: { ...request.headers, Authorization: `Bearer ${apiKey}` },
				...(request.body !== undefined && { body: request.body }),
				timeout: request.timeoutMs,
				json: false,
				simple: false,
				resolveWithFullResponse: true,
			})) as FullResponse;
			return toWireResponse(response);
		},
		cancelled: () => false,
	};
}
