/**
 * The shape every resource file of a Stripe Guard node follows: a resource is a list of
 * operations, and an operation is its fields plus the function that runs it for one item.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { StripeGuardCredentials } from '../../shared/credentials/credentials';
import type { Redactor } from '../../shared/privacy/privacy';
import type { StripeClient } from '../../shared/transport';

export interface OperationContext {
	fn: IExecuteFunctions;
	stripe: StripeClient;
	/** The checked credential: writes sign their proposals with a key derived from it. */
	credentials: StripeGuardCredentials;
	itemIndex: number;
	/** One per run, so a person gets the same placeholder across all items. */
	redactor: Redactor;
	/** Running as an AI agent's tool: output is simplified and bounded. */
	isTool: boolean;
}

export interface OperationDefinition {
	value: string;
	name: string;
	/** Shown in the node picker ("Get a customer"); also what an agent reads first. */
	action: string;
	description: string;
	/** A write: it outputs a proposal for a person to approve. */
	proposal?: boolean;
	/** Runs once per distinct set of parameter values, not once per input item (reports). */
	oncePerExecution?: boolean;
	/** Reads long lists (List, the Query, the reports): Parallel Reading applies. */
	readsLongLists?: boolean;
	/** Fields of this operation; the router adds the displayOptions that tie them to it. */
	properties: INodeProperties[];
	/** Runs the operation for one input item: one object, or several for lists. */
	execute(ctx: OperationContext): Promise<IDataObject | IDataObject[]>;
}

export interface ResourceDefinition {
	value: string;
	name: string;
	operations: OperationDefinition[];
	/** Where the node lists it when not in the order registered: right before this resource. */
	before?: string;
}
