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

import { readCredentials, writeCredentialOnReadWarning } from '../shared/credentials/credentials';
import { mapInOrder } from './framework/concurrency';
import { toNodeError } from '../shared/errors';
import type { OperationDefinition, ResourceDefinition } from './framework/operation';
import { Redactor, withoutSecrets } from '../shared/privacy/privacy';
import { PROPOSAL_TYPE } from '../shared/proposals/proposals';
import { FROM_V2, nodeVersion, ONLY_V1 } from './framework/node-version';
import { objectTypeOf, redactOn } from './framework/read-resource';
import { createStripeClient, DEFAULT_TIMEOUT_MS } from '../shared/transport';

const DEFAULT_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_MS / 1000;

/**
 * Items in flight at once. The key's pacer decides how fast requests start; this only has to be
 * enough to keep the pace at Stripe's latency (95 requests/s × ~300 ms ≈ 30).
 */
const CONCURRENCY = 32;

/** The value n8n gives the "Custom API Call" option it adds to resource and operation lists. */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** Version 1, under every operation: many items run in parallel, at most this fast (0: automatic). */
const paceField: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	displayOptions: ONLY_V1,
	description:
		"Lower this node's pace toward Stripe, e.g. to leave room for other apps on the same key. 0 means just under Stripe's limits for the key: 95/s live, 24/s test, 19/s for search. Input items run in parallel up to the pace; output keeps their order.",
};

/** Version 2: the same setting as an option, where empty (or not added) reads as automatic instead of a 0 that means it. */
const paceOption: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: null,
	placeholder: "Automatic: just under Stripe's limits",
	description:
		"Lower this node's pace toward Stripe, e.g. to leave room for other apps on the same key. Empty means automatic: just under Stripe's limits for the key, 95/s live, 24/s test, 19/s for search. Input items run in parallel up to the pace; output keeps their order.",
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
				'failedPayments',
				'payouts',
			],
		},
	},
	description:
		'Whether to read long lists several pages at once: the range of creation dates is cut into windows read in parallel, under the same pace, with the same objects in the same order (newest first, each once, none created after the read began). Off reads one page after another.',
};

/** Shown under every operation: how long one request to Stripe may take before it is retried. */
const timeoutField: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 0.1, numberPrecision: 1 },
	default: DEFAULT_TIMEOUT_SECONDS,
	description:
		'How long one request to Stripe may take before it is given up and retried (up to 4 retries). Raise it on a slow network.',
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

/** The node's pace cap; 0 is automatic (just under Stripe's limits). */
function readPace(fn: IExecuteFunctions): number {
	if (nodeVersion(fn) < 2) return fn.getNodeParameter('maxRequestsPerSecond', 0, 0) as number;
	const value = fn.getNodeParameter('options.maxRequestsPerSecond', 0, null) as unknown;
	if (value === null || value === undefined || value === '') return 0;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw new NodeOperationError(
			fn.getNode(),
			`Max Requests per Second must be a number above 0, not ${JSON.stringify(value)} (item 0)`,
			{
				itemIndex: 0,
				description:
					"It applies to the whole node and is read from the first item. Leave it empty, or remove the option, for the automatic pace: just under Stripe's limits for the key.",
			},
		);
	}
	return value;
}

function findOperation(
	fn: IExecuteFunctions,
	resources: ResourceDefinition[],
	itemIndex: number,
): OperationDefinition {
	const resource = fn.getNodeParameter('resource', itemIndex) as string;
	// n8n adds "Custom API Call" to the resource and operation lists of every node whose credential
	// has an `authenticate` (the resource one shows no operation list); Stripe Guard has none.
	const customApiCall = () =>
		new NodeOperationError(
			fn.getNode(),
			'Stripe Guard has no Custom API Call: it sends only the requests of its own operations',
			{
				itemIndex,
				description:
					'Choose a Resource and an Operation. Writes are proposals that run after a person approves them in a Stripe Guard Approval node.',
			},
		);
	if (resource === CUSTOM_API_CALL) throw customApiCall();
	const operation = fn.getNodeParameter('operation', itemIndex) as string;
	if (operation === CUSTOM_API_CALL) throw customApiCall();
	const found = resources
		.find((r) => r.value === resource)
		?.operations.find((o) => o.value === operation);
	if (!found) {
		throw new NodeOperationError(
			fn.getNode(),
			`Stripe Guard has no operation "${operation}" for resource "${resource}"`,
			{ itemIndex },
		);
	}
	return found;
}

/**
 * Runs each input item's operation, several at once under the key's pace, and outputs them in
 * item order. With Continue On Fail a failed item becomes an error item; without, the first failed
 * item (by index) stops the node.
 */
export async function runOperations(
	fn: IExecuteFunctions,
	resources: ResourceDefinition[],
): Promise<INodeExecutionData[][]> {
	const items = fn.getInputData();
	const credentials = await readCredentials(fn);
	const pace = readPace(fn);
	const timeout = fn.getNodeParameter('requestTimeout', 0, DEFAULT_TIMEOUT_SECONDS) as number;
	if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
		throw new NodeOperationError(
			fn.getNode(),
			`Request Timeout (Seconds) must be a number of seconds above 0, not ${String(timeout)}`,
		);
	}
	const parallelReading = fn.getNodeParameter('parallelReading', 0, true) as boolean;
	const stripe = createStripeClient(fn, credentials, {
		maxPerSecond: pace,
		timeoutMs: timeout * 1000,
		parallelReading,
	});

	// Placeholders are stable within the execution: across items and an agent's tool calls.
	const redactor = new Redactor(fn.getExecutionId());
	const isTool = fn.getNode().type.endsWith('Tool');
	// Each item's operation, found once; an item that names none fails in its own run below.
	const operations = Array.from({ length: items.length }, (_, itemIndex) => {
		try {
			return findOperation(fn, resources, itemIndex);
		} catch (error) {
			return error as Error;
		}
	});
	// An unknown operation counts as a write, so that no warning is wrong.
	if (credentials.allowWrites && !operations.some((op) => op instanceof Error || op.proposal)) {
		fn.addExecutionHints({
			message: writeCredentialOnReadWarning(fn.getNode()),
			type: 'warning',
			location: 'ndv',
		});
	}
	const sameAs = reportsAlreadyRun(fn, operations);
	const results = await mapInOrder(
		items.length,
		CONCURRENCY,
		async (itemIndex): Promise<IDataObject[]> => {
			if (sameAs[itemIndex] !== itemIndex) return [];
			try {
				const operation = operations[itemIndex];
				if (operation instanceof Error) throw operation;
				const ctx = { fn, stripe, credentials, itemIndex, redactor, isTool };
				const result = await operation.execute(ctx);
				// The one pass over exactly what leaves the node: no secret at any depth, and with
				// redaction on, no personal value (a proposal is signed: its values are the caller's own).
				const type = objectTypeOf({ value: fn.getNodeParameter('resource', itemIndex) as string });
				const redact = redactOn(ctx);
				return (Array.isArray(result) ? result : [result]).map((json) => {
					const clean = withoutSecrets(json);
					return redact && clean.type !== PROPOSAL_TYPE ? redactor.redact(clean, type) : clean;
				});
			} catch (error) {
				const nodeError = toNodeError(fn.getNode(), error, itemIndex);
				// n8n hands a model only the error's message: the fix-it hint goes into it.
				if (isTool && nodeError.description && !nodeError.message.includes(nodeError.description))
					nodeError.message = `${nodeError.message}. ${nodeError.description}`;
				if (!fn.continueOnFail()) throw nodeError;
				const json: IDataObject = { error: nodeError.message };
				if (nodeError.description) json.description = nodeError.description;
				return [json];
			}
		},
	);
	// A report run once stands for every item that asked the same: it is paired with all of them.
	const stands = new Map<number, Array<{ item: number }>>();
	sameAs.forEach((first, item) => {
		if (first === item) return;
		if (!stands.has(first)) stands.set(first, [{ item: first }]);
		stands.get(first)!.push({ item });
	});
	const output: INodeExecutionData[] = results.flatMap((jsons, item) =>
		jsons.map((json) => ({ json, pairedItem: stands.get(item) ?? { item } })),
	);
	return [output];
}

/**
 * For each item, the first item whose operation is a report with exactly the same parameter
 * values (itself when none): six items into an MRR report make one report, not six identical ones.
 * Items whose parameters differ (mapped from the input) each get their own.
 */
function reportsAlreadyRun(
	fn: IExecuteFunctions,
	operations: Array<OperationDefinition | Error>,
): number[] {
	const firstWith = new Map<string, number>();
	return operations.map((operation, itemIndex) => {
		if (operation instanceof Error || !operation.oncePerExecution) return itemIndex;
		let key: string;
		try {
			const values = operation.properties
				.filter((p) => p.type !== 'notice')
				.map((p) => fn.getNodeParameter(p.name, itemIndex, p.default) as unknown);
			key = JSON.stringify([operation.value, values]);
		} catch {
			return itemIndex; // the item's own run reports the problem
		}
		const first = firstWith.get(key);
		if (first !== undefined) return first;
		firstWith.set(key, itemIndex);
		return itemIndex;
	});
}
