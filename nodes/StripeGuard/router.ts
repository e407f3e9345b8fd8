/**
 * Runs the chosen operation for every input item, so that the node file only says what the node
 * is (its parameters are built in description.ts).
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { readCredentials, writeCredentialOnReadWarning } from '../shared/credentials/credentials';
import { mapInOrder } from './framework/concurrency';
import { toNodeError } from '../shared/errors';
import type { OperationDefinition, ResourceDefinition } from './framework/operation';
import { DEFAULT_TIMEOUT_SECONDS } from './description';
import { Redactor, withoutSecrets } from '../shared/privacy/privacy';
import { PROPOSAL_TYPE } from '../shared/proposals/proposals';
import { nodeVersion } from './framework/node-version';
import { objectTypeOf, redactionOf } from './framework/read-resource';
import { forModel } from './framework/tool-output';
import { createStripeClient } from '../shared/transport';

/**
 * Items in flight at once. The key's pacer decides how fast requests start; this only has to be
 * enough to keep the pace at Stripe's latency (95 requests/s × ~300 ms ≈ 30).
 */
const CONCURRENCY = 32;

/** The value n8n gives the "Custom API Call" option it adds to resource and operation lists. */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

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
					'It applies to the whole node and is read from the first item. ' +
					'Leave it empty, or remove the option, for the automatic pace: ' +
					"just under Stripe's limits for the key.",
			},
		);
	}
	return value;
}

/**
 * A request-tuning setting that applies to the whole node, read from the first item: under every
 * operation in versions 1 and 2, under Options from version 3.
 */
function readTuning(fn: IExecuteFunctions, name: string, fallback: number | boolean): unknown {
	const path = nodeVersion(fn) >= 3 ? `options.${name}` : name;
	return fn.getNodeParameter(path, 0, fallback) as unknown;
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
					'Choose a Resource and an Operation. Writes are proposals that run after a person ' +
					'approves them in a Stripe Guard Approval node.',
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
	const timeout = readTuning(fn, 'requestTimeout', DEFAULT_TIMEOUT_SECONDS) as number;
	if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
		throw new NodeOperationError(
			fn.getNode(),
			`Request Timeout (Seconds) must be a number of seconds above 0, not ${String(timeout)}`,
		);
	}
	const parallelReading = readTuning(fn, 'parallelReading', true) as boolean;
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
				const redaction = redactionOf(ctx);
				return (Array.isArray(result) ? result : [result]).map((json) => {
					const clean = withoutSecrets(json, type);
					return clean.type === PROPOSAL_TYPE ? clean : redactor.redact(clean, type, redaction);
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
	if (isTool) forModel(fn, results); // a list reaches a model as {results, more_available, note}
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
	// From version 3 a report's Include Table is under Options.
	const withOptions = nodeVersion(fn) >= 3;
	return operations.map((operation, itemIndex) => {
		if (operation instanceof Error || !operation.oncePerExecution) return itemIndex;
		let key: string;
		try {
			const values = operation.properties
				.filter((p) => p.type !== 'notice')
				.map((p) => fn.getNodeParameter(p.name, itemIndex, p.default) as unknown);
			if (withOptions) values.push(fn.getNodeParameter('options', itemIndex, {}) as unknown);
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
