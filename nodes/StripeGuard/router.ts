/**
 * Builds the node's parameters from the resource files and runs the chosen operation for
 * every input item, so that the node file only says what the node is.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createNodeStripeClient } from '../shared/client';
import { readCredentials } from '../shared/credentials';
import { toNodeError } from '../shared/errors';
import type { OperationDefinition, ResourceDefinition } from '../shared/operation';
import { Redactor } from '../shared/redaction';


/** Resource selector, one operation selector per resource, and each operation's fields. */
export function describeResources(resources: ResourceDefinition[]): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map((r) => ({ name: r.name, value: r.value })),
			default: resources[0].value,
		},
	];
	for (const resource of resources) {
		properties.push({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource.value] } },
			options: resource.operations.map((op) => ({
				name: op.name,
				value: op.value,
				action: op.action,
				description: op.description,
			})),
			default: resource.operations[0].value,
		});
		for (const op of resource.operations) {
			for (const field of op.properties) {
				properties.push({
					...field,
					displayOptions: {
						...field.displayOptions,
						show: { ...field.displayOptions?.show, resource: [resource.value], operation: [op.value] },
					},
				});
			}
		}
	}
	return properties;
}

function findOperation(fn: IExecuteFunctions, resources: ResourceDefinition[], itemIndex: number): OperationDefinition {
	const resource = fn.getNodeParameter('resource', itemIndex) as string;
	const operation = fn.getNodeParameter('operation', itemIndex) as string;
	const found = resources.find((r) => r.value === resource)?.operations.find((o) => o.value === operation);
	if (!found) {
		throw new NodeOperationError(fn.getNode(), `Stripe Guard has no operation "${operation}" for resource "${resource}"`, { itemIndex });
	}
	return found;
}

/** Runs each input item's operation; with Continue On Fail a failed item becomes an error item. */
export async function runOperations(fn: IExecuteFunctions, resources: ResourceDefinition[]): Promise<INodeExecutionData[][]> {
	const items = fn.getInputData();
	const credentials = await readCredentials(fn);
	const stripe = createNodeStripeClient(fn.getNode(), credentials);

	const redactor = new Redactor();
	const isTool = fn.getNode().type.endsWith('Tool');
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const pairedItem = { item: itemIndex };
		try {
			const operation = findOperation(fn, resources, itemIndex);
			const result = await operation.execute({ fn, stripe, credentials, itemIndex, redactor, isTool });
			for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem });
		} catch (error) {
			const nodeError = toNodeError(fn.getNode(), error, itemIndex);
			if (!fn.continueOnFail()) throw nodeError;
			const json: IDataObject = { error: nodeError.message };
			if (nodeError.description) json.description = nodeError.description;
			output.push({ json, pairedItem });
		}
	}
	return [output];
}
