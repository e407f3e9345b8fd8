/**
 * The node's parameters, built from the resource files: the resource and operation selectors,
 * each operation's fields, and the settings every operation shares (pace, parallel reading,
 * timeout: main fields in version 1; the pace in Options from version 2, all three from version 3).
 * Running them is router.ts's.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../shared/transport';
import { FROM_V3, ONLY_V1, ONLY_V2, UP_TO_V2 } from './framework/node-version';
import type { ResourceDefinition } from './framework/operation';
import { tableOption } from './reports/table';

export const DEFAULT_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_MS / 1000;

/**
 * What Stripe Guard is, in one line that reads right for the node and for its trigger: n8n's node
 * creator lists the two as one entry, with the trigger's description.
 */
export const APP_DESCRIPTION = "Read Stripe data and events; writes wait for a person's approval";

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
 * From version 2: the same setting as an option, where empty (or not added) reads as automatic
 * instead of a 0 that means it.
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

/**
 * Fields that version 3 moves from an operation's main fields into its Options, with their
 * version-3 form (Include Table: off unless added).
 */
const INTO_OPTIONS_FROM_V3: Record<string, INodeProperties> = { includeTable: tableOption };

/** A field as versions 1 and 2 show it, where version 3 shows it under Options. */
const upToV2 = (field: INodeProperties): INodeProperties => ({
	...field,
	displayOptions: {
		...field.displayOptions,
		show: { ...field.displayOptions?.show, ...UP_TO_V2.show },
	},
});

/** An operation's Options: its own (such as Expand), the fields moved there, and the tuning. */
function options(
	own: INodeProperties | undefined,
	tuning: INodeProperties[],
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...own,
		options: [...(own?.options ?? []), ...tuning],
		displayOptions,
	};
}

/**
 * Versions 1 and 2, under the operations that read long lists (List, the reports, the Query): off
 * reads one page after another, for a key whose pace other apps need, or to compare.
 */
const parallelField: INodeProperties = {
	displayName: 'Parallel Reading',
	name: 'parallelReading',
	type: 'boolean',
	default: true,
	description:
		'Whether to read long lists several pages at once: the range of creation dates is cut into ' +
		'windows read in parallel, under the same pace, with the same objects in the same order ' +
		'(newest first, each once, none created after the read began). Off reads one page after ' +
		'another.',
};

/** Versions 1 and 2, under every operation: how long one request may take before it is retried. */
const timeoutField: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 0.1, numberPrecision: 1 },
	default: DEFAULT_TIMEOUT_SECONDS,
	displayOptions: UP_TO_V2,
	description:
		'How long one request to Stripe may take before it is given up and retried (up to 4 ' +
		'retries). Raise it on a slow network.',
};

/** Version 3: Parallel Reading as an option (on unless added and turned off). */
const parallelOption: INodeProperties = {
	displayName: parallelField.displayName,
	name: parallelField.name,
	type: 'boolean',
	default: true,
	description: parallelField.description,
};

/** Version 3: Request Timeout as an option. */
const timeoutOption: INodeProperties = {
	displayName: timeoutField.displayName,
	name: timeoutField.name,
	type: 'number',
	typeOptions: timeoutField.typeOptions,
	default: DEFAULT_TIMEOUT_SECONDS,
	description: timeoutField.description,
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
	// The operations that read long lists, as each declares (by value, as version 1 showed them).
	const longReads = [
		...new Set(
			resources.flatMap((r) =>
				r.operations.filter((op) => op.readsLongLists).map((op) => op.value),
			),
		),
	];
	// Versions 2 and 3 put Options last, under the fields every operation shares.
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
			const moved: INodeProperties[] = [];
			for (const field of op.properties) {
				const intoOptions = INTO_OPTIONS_FROM_V3[field.name];
				if (intoOptions) moved.push(intoOptions);
				const shown = field === own ? { ...field, displayOptions: ONLY_V1 } : field;
				properties.push(
					forOperation(resource.value, op.value, intoOptions ? upToV2(shown) : shown),
				);
			}
			optionsLast.push(
				forOperation(resource.value, op.value, options(own, [paceOption], ONLY_V2)),
				// Version 3: all of the request tuning, after the operation's own options.
				forOperation(
					resource.value,
					op.value,
					options(
						own,
						[
							...moved,
							paceOption,
							...(longReads.includes(op.value) ? [parallelOption] : []),
							timeoutOption,
						],
						FROM_V3,
					),
				),
			);
		}
	}
	properties.push(
		paceField,
		{ ...parallelField, displayOptions: { show: { operation: longReads, ...UP_TO_V2.show } } },
		timeoutField,
		...optionsLast,
	);
	return properties;
}
