/**
 * Turns what can go wrong talking to Stripe into n8n errors a person can act on, naming the
 * item, and with nothing in them that could leak the key.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { missingPermissionMessage, parseMissingPermissions } from './credentials/permissions';
import { isStripeApiError, type StripeApiError } from './transport';

/** Anything that looks like a Stripe key is cut to Stripe's own hint form (prefix + last 4). */
export function redactKeys(text: string): string {
	return text.replace(
		/\b((?:rk|sk|pk)_(?:test|live)_|whsec_)([A-Za-z0-9]{8,})/g,
		(_m, prefix: string, body: string) => `${prefix}***${body.slice(-4)}`,
	);
}

/** The 401 in words, shared with the credential test. */
export const KEY_NOT_ACCEPTED =
	'Stripe did not accept this API key: it may have been deleted, rolled or expired.';
export const NEW_KEY_HINT =
	'Create a new restricted key in Stripe Dashboard → Developers → API keys';

function describeStripeError(error: StripeApiError): { message: string; description?: string } {
	const stripeMessage = redactKeys(error.message ?? '');
	if (error.statusCode === 403) {
		const codes = parseMissingPermissions(stripeMessage);
		if (codes.length > 0)
			return { message: missingPermissionMessage(codes), description: stripeMessage };
	}
	switch (error.type) {
		case 'StripeAuthenticationError':
			return {
				message: KEY_NOT_ACCEPTED,
				description: `${NEW_KEY_HINT} and update the credential. Stripe said: ${stripeMessage}`,
			};
		case 'StripeRateLimitError':
			return {
				message: 'Stripe kept answering "too many requests" after several retries.',
				description:
					'Lower the pace of this workflow or try again ' +
					`in a moment. Stripe said: ${stripeMessage}`,
			};
		case 'StripeConnectionError':
			return {
				message: 'Could not reach Stripe.',
				description: `The connection failed or timed out after several retries: ${stripeMessage}`,
			};
		case 'StripeInvalidRequestError':
			if (error.code === 'resource_missing') {
				return {
					message: stripeMessage,
					description:
						'Check the ID: it may belong to the other ' +
						'environment (test or live) or to another account.',
				};
			}
			return { message: `Stripe refused the request: ${stripeMessage}` };
		case 'StripeAPIError':
			// Stripe's side failed (5xx after the transport's retries,
			// or a garbled answer): nothing to fix here but time.
			return {
				message: `Stripe error: ${stripeMessage}`,
				description:
					'Stripe could not answer properly, even after retries. This is usually brief: ' +
					'run the node again, or turn on Retry On Fail in its settings.',
			};
		default:
			return { message: `Stripe error: ${stripeMessage}` };
	}
}

/** The n8n error for any failure of an operation on one item. */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (isStripeApiError(error)) {
		const { message, description } = describeStripeError(error);
		// Only these fields go into the error n8n stores and shows: never the raw request or headers.
		const response: JsonObject = {
			type: error.rawType ?? null,
			code: error.code ?? null,
			param: error.param ?? null,
			requestId: error.requestId ?? null,
			statusCode: error.statusCode ?? null,
			message,
		};
		return new NodeApiError(node, response, {
			message,
			description:
				`${description ? `${description} ` : ''}(item ` +
				`${itemIndex}${error.requestId ? `, Stripe request ${error.requestId}` : ''})`,
			httpCode: error.statusCode ? String(error.statusCode) : undefined,
			itemIndex,
		});
	}
	const message = redactKeys(error instanceof Error ? error.message : String(error));
	return new NodeOperationError(node, message, { itemIndex });
}
