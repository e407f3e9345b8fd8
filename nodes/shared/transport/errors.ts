/**
 * Stripe's answers that are not a success, and connections that never got one, as one error
 * class. `type` names the kind as the stripe SDK's error classes do (StripeInvalidRequestError,
 * StripePermissionError, …), `rawType` is Stripe's own `type` (invalid_request_error, …), so the
 * rest of the package reads the same fields it always has.
 */
export type StripeErrorType =
	| 'StripeInvalidRequestError'
	| 'StripeIdempotencyError'
	| 'StripeAuthenticationError'
	| 'StripeCardError'
	| 'StripePermissionError'
	| 'StripeRateLimitError'
	| 'StripeAPIError'
	| 'StripeConnectionError';

/** The `error` object of Stripe's error body. */
export interface StripeErrorBody {
	type?: string;
	code?: string;
	param?: string;
	message?: string;
	doc_url?: string;
	decline_code?: string;
}

export class StripeApiError extends Error {
	readonly type: StripeErrorType;
	readonly rawType?: string;
	readonly code?: string;
	readonly param?: string;
	readonly statusCode?: number;
	readonly requestId?: string;
	readonly headers: Record<string, string>;
	readonly docUrl?: string;
	readonly declineCode?: string;

	constructor(
		type: StripeErrorType,
		fields: {
			message: string;
			rawType?: string;
			code?: string;
			param?: string;
			statusCode?: number;
			requestId?: string;
			headers?: Record<string, string>;
			docUrl?: string;
			declineCode?: string;
		},
	) {
		super(fields.message);
		this.name = type;
		this.type = type;
		this.rawType = fields.rawType;
		this.code = fields.code;
		this.param = fields.param;
		this.statusCode = fields.statusCode;
		this.requestId = fields.requestId;
		this.headers = fields.headers ?? {};
		this.docUrl = fields.docUrl;
		this.declineCode = fields.declineCode;
	}
}

export const isStripeApiError = (error: unknown): error is StripeApiError =>
	error instanceof StripeApiError;

/** The kind of error by status, as the SDK's generateV1Error decides it. */
function typeFor(statusCode: number, body: StripeErrorBody): StripeErrorType {
	if (statusCode === 429 || (statusCode === 400 && body.code === 'rate_limit'))
		return 'StripeRateLimitError';
	if (statusCode === 400 || statusCode === 404)
		return body.type === 'idempotency_error'
			? 'StripeIdempotencyError'
			: 'StripeInvalidRequestError';
	if (statusCode === 401) return 'StripeAuthenticationError';
	if (statusCode === 402) return 'StripeCardError';
	if (statusCode === 403) return 'StripePermissionError';
	return 'StripeAPIError';
}

/** The error for an answer of status >= 400 whose body is Stripe's `{error: {…}}`. */
export function errorFromAnswer(
	statusCode: number,
	body: StripeErrorBody,
	headers: Record<string, string>,
): StripeApiError {
	return new StripeApiError(typeFor(statusCode, body), {
		message: body.message ?? '',
		rawType: body.type,
		code: body.code,
		param: body.param,
		statusCode,
		requestId: headers['request-id'],
		headers,
		docUrl: body.doc_url,
		declineCode: body.decline_code,
	});
}

/** An answer that is not Stripe's JSON (a proxy's page, a cut-off body). */
export function invalidJsonError(
	statusCode: number,
	headers: Record<string, string>,
): StripeApiError {
	return new StripeApiError('StripeAPIError', {
		message: 'Invalid JSON received from the Stripe API',
		statusCode,
		requestId: headers['request-id'],
		headers,
	});
}

/** No answer at all, after the retries: the connection failed or the timeout passed. */
export function connectionError(
	timedOut: boolean,
	timeoutMs: number,
	retries: number,
): StripeApiError {
	return new StripeApiError('StripeConnectionError', {
		message: timedOut
			? `Request aborted due to timeout being reached (${timeoutMs}ms)`
			: 'An error occurred with our connection to ' +
				`Stripe.${retries > 0 ? ` Request was retried ${retries} times.` : ''}`,
	});
}
