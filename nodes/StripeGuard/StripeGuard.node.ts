import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { stripeRestrictedKeyApiTest } from '../shared/credential-test';
import { querySpecs, resources } from './resources';
import { describeResources, runOperations } from './router';
import { toolDescriptionField } from './tool-descriptions';

export class StripeGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Guard',
		name: 'stripeGuard',
		icon: { light: 'file:stripeGuard.svg', dark: 'file:stripeGuard.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read Stripe data through a restricted API key; writes only ever become proposals for a person to approve',
		defaults: { name: 'Stripe Guard' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'stripeRestrictedKeyApi', required: true, testedBy: 'stripeRestrictedKeyApiTest' }],
		properties: [...describeResources(resources), toolDescriptionField(resources, querySpecs)],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, resources);
	}
}
