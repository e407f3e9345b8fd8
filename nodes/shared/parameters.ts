/** Reading node parameters as n8n passes them, in every context and every saved form. */
import type {
	IExecuteFunctions,
	IGetNodeParameterOptions,
	IWebhookFunctions,
	NodeParameterValueType,
} from 'n8n-workflow';

/**
 * A parameter read the same way in a node's execution and in its webhook: n8n's webhook context
 * has no items, so its getNodeParameter takes no item index.
 */
export function parameterOf(
	fn: IExecuteFunctions | IWebhookFunctions,
	name: string,
	fallback: NodeParameterValueType,
	options?: IGetNodeParameterOptions,
	itemIndex = 0,
): NodeParameterValueType | object {
	return 'getInputData' in fn
		? fn.getNodeParameter(name, itemIndex, fallback, options)
		: fn.getNodeParameter(name, fallback, options);
}

/** A workflow selector's value: an ID, or a resource locator holding one (n8n saves both). */
export function workflowIdOf(value: unknown): string {
	const id = value && typeof value === 'object' ? (value as { value?: unknown }).value : value;
	return typeof id === 'string' ? id.trim() : '';
}
