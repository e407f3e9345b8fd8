/**
 * Stripe's error responses:
 * `{"error": {"type", "message", "code", "param", "doc_url"}}` with its status.
 */
export class StripeFailure extends Error {
	constructor(
		readonly status: number,
		readonly type: string,
		message: string,
		readonly extra: { code?: string; param?: string; decline_code?: string } = {},
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}

	body(requestId: string): { error: Record<string, unknown> } {
		const error: Record<string, unknown> = {
			type: this.type,
			message: this.message,
			...this.extra,
		};
		if (this.extra.code)
			error.doc_url = `https://stripe.com/docs/error-codes/${this.extra.code.replace(/_/g, '-')}`;
		error.request_log_url = `https://dashboard.stripe.com/logs/${requestId}`;
		return { error };
	}
}

export const invalid = (message: string, param?: string, code?: string) =>
	new StripeFailure(400, 'invalid_request_error', message, {
		...(param && { param }),
		...(code && { code }),
	});

export const notFound = (noun: string, id: string, param = 'id') =>
	new StripeFailure(404, 'invalid_request_error', `No such ${noun}: '${id}'`, {
		code: 'resource_missing',
		param,
	});

export const unknownParameter = (name: string) =>
	invalid(`Received unknown parameter: ${name}`, name, 'parameter_unknown');

export const missingParameter = (name: string) =>
	invalid(`Missing required param: ${name}.`, name, 'parameter_missing');
