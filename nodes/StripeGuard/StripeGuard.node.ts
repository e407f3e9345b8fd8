import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { stripeRestrictedKeyApiTest } from './credential-test';
import { APP_DESCRIPTION, describeResources } from './description';
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
		// and makes Max Requests per Second an option; version 3 moves the rest of the request
		// tuning and Include Table (off) into Options and renames the Query's JSON. Saved workflows
		// stay on the version they were made with, unchanged (framework/node-version.ts).
		version: NODE_VERSIONS,
		defaultVersion: LATEST_VERSION,
		// Writes read as what they are: "propose create: refund".
		subtitle:
			`={{(${JSON.stringify(WRITE_OPERATION_KEYS)}` +
			'.includes($parameter["resource"] + "." + $parameter["operation"]) ? "propose " : "")' +
			' + $parameter["operation"] + ": " + $parameter["resource"]}}',
		// One line, the app's: n8n's node creator lists this node and its trigger as one entry.
		description: APP_DESCRIPTION,
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
