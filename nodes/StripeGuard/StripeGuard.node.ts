import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { stripeRestrictedKeyApiTest } from './credential-test';
import { describeResources } from './description';
import { LATEST_VERSION, NODE_VERSIONS } from './framework/node-version';
import { listSearch } from './methods/listSearch';
import { loadOptions } from './methods/loadOptions';
import { querySpecs, resources } from './resources';
import { runOperations } from './router';
import { toolDescriptionField } from './tool-descriptions';

/** "resource.operation" of every write, for the subtitle. */
const WRITE_OPERATION_KEYS = resources.flatMap((r) =>
	r.operations.filter((o) => o.proposal).map((o) => `${r.value}.${o.value}`),
);

export class StripeGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Guard',
		name: 'stripeGuard',
		icon: { light: 'file:stripeGuard.svg', dark: 'file:stripeGuard.dark.svg' },
		group: ['transform'],
		// Version 2 simplifies by default with ISO dates, gives a refund's Amount a field of its own
		// and makes Max Requests per Second an option. Saved workflows stay on version 1 unchanged.
		version: NODE_VERSIONS,
		defaultVersion: LATEST_VERSION,
		// Writes read as what they are: "propose create: refund".
		subtitle:
			`={{(${JSON.stringify(WRITE_OPERATION_KEYS)}` +
			'.includes($parameter["resource"] + "." + $parameter["operation"]) ? "propose " : "")' +
			' + $parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Read Stripe data through a restricted API key; ' +
			'writes only ever become proposals for a person to approve',
		defaults: { name: 'Stripe Guard' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'stripeRestrictedKeyApi', required: true, testedBy: 'stripeRestrictedKeyApiTest' },
			{
				name: 'stripeGuardAuditApi',
				required: true,
				displayOptions: { show: { resource: ['proposal'] } },
			},
		],
		properties: [...describeResources(resources), toolDescriptionField(resources, querySpecs)],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
		// Editor look-ups: From List of every resource locator, and the dropdowns Stripe fills.
		listSearch,
		loadOptions,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations(this, resources);
	}
}
