/**
 * Runs the Stripe Guard Trigger's poll through n8n-core as an active workflow does: a Workflow
 * holding the trigger and its static data, a PollContext, and TriggersAndPollers.runPollFunction.
 */
import { Container } from '@n8n/di';
import { PollContext, TriggersAndPollers } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IWorkflowBase,
} from 'n8n-workflow';

import {
	buildAdditionalData,
	CREDENTIAL_TYPE,
	nodeTypes,
	STRIPE_GUARD_TRIGGER,
	type TestCredential,
} from './harness';

export const TRIGGER_NAME = 'Stripe Guard Trigger';

export interface PollWorkflowOptions {
	parameters: INodeParameters;
	credential: TestCredential;
	/** The workflow's saved static data, as n8n loads it from the database. */
	staticData?: IDataObject;
	/** The trigger's typeVersion: 1 (saved workflows before version 2) unless given. */
	typeVersion?: number;
}

export interface PollWorkflow {
	workflow: Workflow;
	/** One poll: 'trigger' is an active workflow's scheduled poll, 'manual' is "Fetch Test Event". */
	poll(mode?: 'trigger' | 'manual', budgetMs?: number): Promise<INodeExecutionData[][] | null>;
	/** The trigger's cursor, as the node stored it. */
	cursor(): IDataObject;
	/** The workflow's static data as n8n would write it to the database. */
	savedStaticData(): IDataObject;
}

let counter = 0;

export function createPollWorkflow(options: PollWorkflowOptions): PollWorkflow {
	const id = `wf-poll-${++counter}`;
	const node: INode = {
		id: 'trigger',
		name: TRIGGER_NAME,
		type: STRIPE_GUARD_TRIGGER,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Stripe test' } },
	};
	const workflow = new Workflow({
		id,
		name: 'trigger test',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: options.staticData,
		settings: { executionOrder: 'v1' },
	});
	const workflowData = {
		id,
		name: 'trigger test',
		active: true,
		isArchived: false,
		nodes: [node],
		connections: {},
		settings: {},
	} as unknown as IWorkflowBase;

	return {
		workflow,
		async poll(mode = 'trigger', budgetMs?: number) {
			const additionalData = buildAdditionalData(
				options.credential,
				workflowData,
				`exec-${id}-${++counter}`,
			);
			// The engine's own __emit/__commitCursor/__runPoll defaults; only the poll budget may be set.
			const context = new PollContext(
				workflow,
				node,
				additionalData,
				mode,
				mode === 'manual' ? 'manual' : 'activate',
				undefined,
				undefined,
				undefined,
				undefined,
				undefined,
				budgetMs === undefined ? undefined : () => budgetMs,
			);
			return await Container.get(TriggersAndPollers).runPollFunction(workflow, node, context);
		},
		cursor: () => ({ ...workflow.getStaticData('node', node) }),
		savedStaticData: () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject,
	};
}
