/**
 * The node's parameters, built from the resource files: the resource and operation selectors,
 * each operation's fields, and the settings every operation shares (pace, parallel reading,
 * timeout). Running them is router.ts's.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../shared/transport';
import { FROM_V2, ONLY_V1 } from './framework/node-version';
import type { ResourceDefinition } from './framework/operation';

export const DEFAULT_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_MS / 1000;

/** Version 1, under every operation: items run in parallel, at most this fast (0: automatic). */
const paceField: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	displayOptions: ONLY_V1,
	description:
		"Lower this node's pace toward Stripe, e.g. to leave room for other apps on the same key. " +
		"0 means just under Stripe's limits for the key: 95/s live, 24/s test, 19/s for search. " +
		'Input items run in parallel up to the pace; output keeps their order.',
};

/**
 * Version 2: the same setting as an option, where empty (or not added) reads as automatic instead
 * of a 0 that means it.
 */
const paceOption: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: null,
	placeholder: "Automatic: just under Stripe's limits",
	description:
		"Lower this node's pace toward Stripe, e.g. to leave room for other apps on the same key. " +
		"Empty means automatic: just under Stripe's limits for the key, 95/s live, 24/s test, " +
		'19/s for search. Input items run in parallel up to the pace; output keeps their order.',
};

/** Version 2's Options of an operation: its own (such as Expand) and the pace. */
function optionsV2(own: INodeProperties | undefined): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...own,
		options: [...(own?.options ?? []), paceOption],
		displayOptions: FROM_V2,
	};
}

/**
 * Shown under the operations that read long lists (List, the reports, the Query): off reads one
 * page after another, for a key whose pace other apps need, or to compare.
 */
const parallelField: INodeProperties = {
	displayName: 'Parallel Reading',
	name: 'parallelReading',
	type: 'boolean',
	default: true,
	displayOptions: {
		show: {
			operation: [
				'list',
				'run',
				'mrr',
				'revenue',
				'subscriptionMovements',
				'subscriptionMetrics',
				'cohorts',
				'failedPayments',
				'payouts',
			],
		},
	},
	description:
		'Whether to read long lists several pages at once: the range of creation dates is cut into ' +
		'windows read in parallel, under the same pace, with the same objects in the same order ' +
		'(newest first, each once, none created after the read began). Off reads one page after ' +
		'another.',
};

/** Shown under every operation: how long one request to Stripe may take before it is retried. */
const timeoutField: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 0.1, numberPrecision: 1 },
	default: DEFAULT_TIMEOUT_SECONDS,
	description:
		'How long one request to Stripe may take before it is given up and retried (up to 4 ' +
		'retries). Raise it on a slow network.',
};

/** Resource selector, one operation selector per resource, and each operation's fields. */
export function describeResources(resources: ResourceDefinition[]): INodeProperties[] {
	// Defaults are the first resource and, per resource, the first operation.
	const firstResource = resources[0].value;
	const properties: INodeProperties[] = [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map((r) => ({ name: r.name, value: r.value })),
			default: firstResource,
		},
	];
	// Version 2 puts Options last, under the fields every operation shares.
	const optionsLast: INodeProperties[] = [];
	const forOperation = (
		resource: string,
		operation: string,
		field: INodeProperties,
	): INodeProperties => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...field.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	});
	for (const resource of resources) {
		const firstOperation = resource.operations[0].value;
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
			default: firstOperation,
		});
		for (const op of resource.operations) {
			const own = op.properties.find((f) => f.name === 'options' && f.type === 'collection');
			for (const field of op.properties) {
				properties.push(
					forOperation(
						resource.value,
						op.value,
						field === own ? { ...field, displayOptions: ONLY_V1 } : field,
					),
				);
			}
			optionsLast.push(forOperation(resource.value, op.value, optionsV2(own)));
		}
	}
	properties.push(paceField, parallelField, timeoutField, ...optionsLast);
	return properties;
}
