/**
 * A node parameter read the same way in a node's execution and in its webhook: n8n's webhook
 * context has no items, so its getNodeParameter takes no item index.
 */
import type {
	IExecuteFunctions,
	IGetNodeParameterOptions,
	IWebhookFunctions,
	NodeParameterValueType,
} from 'n8n-workflow';

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
