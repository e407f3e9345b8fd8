/**
 * Turns a write's declaration (writes/) into the Stripe Guard node's Propose operation: it reads
 * and checks the input, reads what the summary needs, and outputs a signed proposal. It never
 * calls a Stripe write endpoint; the Stripe Guard Approval node does, after a person approves.
 */
import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { toNodeError } from '../../shared/errors';
import { workflowIdOf } from '../../shared/parameters';
import { locatorId, locatorTarget } from './locator';
import { inVersion, nodeVersion } from './node-version';
import type { OperationContext, OperationDefinition } from './operation';
import { describePermission } from '../../shared/credentials/permissions';
import {
	createProposal,
	MAX_LIFETIME_HOURS,
	type Proposal,
} from '../../shared/proposals/proposals';
import { WriteInputError, type WriteDefinition } from '../writes/define';

/** Collections whose options are read as if they were top-level fields. */
const FIELD_COLLECTIONS = ['additionalFields', 'updateFields'];
const HOUR = 3_600_000;
export const DEFAULT_PROPOSAL_HOURS = MAX_LIFETIME_HOURS;

/** What a Propose operation returns, in its description (and a tool's, for models). */
export const RETURNS_PROPOSAL =
	'Returns a proposal for a person to approve; ' +
	'nothing changes in Stripe until then (Stripe Guard Approval executes it).';

/** The same, for a Propose tool that hands its proposal to an approval workflow. */
export const RETURNS_PENDING =
	'Hands the proposal to an approval workflow and answers at once: status "pending", the ' +
	'proposalId, the summary a person must approve, and expiresAt, the deadline. Nothing changes ' +
	'in Stripe until a person approves; to learn what became of it later, get the proposal status ' +
	'with the proposalId.';

export const PROPOSAL_NOTICE =
	'Proposal only: nothing was written to Stripe. ' +
	'It runs only after a person approves it in a Stripe Guard Approval node.';

const lifetimeField: INodeProperties = {
	displayName: 'Proposal Expires After (Hours)',
	name: 'proposalLifetimeHours',
	type: 'number',
	typeOptions: { minValue: 0.01, maxValue: MAX_LIFETIME_HOURS },
	default: DEFAULT_PROPOSAL_HOURS,
	description:
		`How long a person has to approve the proposal, at most ${MAX_LIFETIME_HOURS} hours ` +
		"(below Stripe's 24-hour idempotency window). The approval waits until its own Expire After " +
		"or the first proposal's expiry, whichever comes first.",
};

/**
 * For agents outside n8n (an MCP client through n8n's MCP Server Trigger), which cannot wait for
 * an approval: the proposal is handed to an approval workflow, and the answer is "pending".
 */
const approvalWorkflowField: INodeProperties = {
	displayName: 'Hand to Approval Workflow',
	name: 'approvalWorkflowId',
	type: 'workflowSelector',
	default: '',
	description:
		'Optional. A workflow that starts with Execute Workflow Trigger and holds a Stripe Guard ' +
		'Approval node (with this credential): the proposal is handed to it at once, without ' +
		'waiting, and this node answers "pending" with the proposal\'s ID. For agents that cannot ' +
		'wait for a person, such as MCP clients; they ask Proposal → Get Status later.',
};

/** What a proposal handed to an approval workflow answers: pending, and how to follow it. */
function handedOver(proposal: Proposal, workflowId: string, executionId: string | undefined) {
	return {
		status: 'pending',
		proposalId: proposal.proposalId,
		summary: proposal.summary,
		resource: proposal.resource,
		operation: proposal.operation,
		mode: proposal.mode,
		amounts: proposal.amounts,
		expiresAt: proposal.expiresAt,
		approvalWorkflowId: workflowId,
		approvalExecutionId: executionId ?? null,
		note:
			'Nothing was written to Stripe. A person must approve this in the approval workflow ' +
			`before ${proposal.expiresAt}, or it expires. Ask Proposal → Get Status with ` +
			`${proposal.proposalId} to learn what became of it.`,
	};
}

/** Hands the proposal to the approval workflow, not waiting for it to finish. */
async function handOver(ctx: OperationContext, proposal: Proposal, workflowId: string) {
	const { fn } = ctx;
	let started;
	try {
		started = await fn.executeWorkflow(
			{ id: workflowId },
			[{ json: proposal as unknown as IDataObject }],
			undefined,
			{
				doNotWaitToFinish: true,
				parentExecution: {
					executionId: fn.getExecutionId(),
					workflowId: fn.getWorkflow().id ?? '',
				},
			},
		);
	} catch (error) {
		throw new NodeOperationError(
			fn.getNode(),
			`The approval workflow ${workflowId} could not be started (item ${ctx.itemIndex}): ` +
				(error as Error).message,
			{
				itemIndex: ctx.itemIndex,
				description:
					'Nothing was proposed to anyone and nothing was written to Stripe. Choose a workflow ' +
					'that starts with Execute Workflow Trigger and holds a Stripe Guard Approval node.',
			},
		);
	}
	return handedOver(proposal, workflowId, started?.executionId);
}

function parseMetadata(ctx: OperationContext, value: unknown): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '' || value.trim() === '{}') return undefined;
	try {
		return JSON.parse(value);
	} catch {
		throw new NodeOperationError(
			ctx.fn.getNode(),
			`Metadata is not valid JSON (item ${ctx.itemIndex})`,
			{
				itemIndex: ctx.itemIndex,
				description: 'Write an object such as {"order_id": "6735"}.',
			},
		);
	}
}

/**
 * A resource locator's ID (a Dashboard URL checked against the credential's mode); any other
 * value as it is. The request builder checks the prefix, as it does for a plain string.
 */
function locatorOrValue(
	ctx: OperationContext,
	property: INodeProperties | undefined,
	value: unknown,
): unknown {
	const target = property?.type === 'resourceLocator' ? locatorTarget(property) : undefined;
	return target ? locatorId(ctx, value, target.label, target.prefix) : value;
}

/** The operation's parameters in the node's version, Additional/Update Fields at the top level. */
function readInput(ctx: OperationContext, properties: INodeProperties[]): IDataObject {
	const input: IDataObject = {};
	const version = nodeVersion(ctx.fn);
	for (const property of properties.filter((p) => inVersion(p, version))) {
		const value = locatorOrValue(
			ctx,
			property,
			ctx.fn.getNodeParameter(property.name, ctx.itemIndex, undefined),
		);
		if (FIELD_COLLECTIONS.includes(property.name) && value && typeof value === 'object') {
			for (const [name, option] of Object.entries(value))
				input[name] = locatorOrValue(
					ctx,
					property.options?.find((o) => o.name === name) as INodeProperties | undefined,
					option,
				) as IDataObject[string];
		} else input[property.name] = value as IDataObject[string];
	}
	if ('metadata' in input) input.metadata = parseMetadata(ctx, input.metadata) as IDataObject;
	return input;
}

/** At the top of every write operation: what the node does is propose, not write. */
const proposalNotice: INodeProperties = {
	displayName:
		'This creates a proposal; ' +
		'nothing changes in Stripe until a person approves it in Stripe Guard Approval. ' +
		'That node needs this same credential, with Allow Writes on',
	name: 'proposalNotice',
	type: 'notice',
	default: '',
};

/** The Propose operation of a declared write. */
export function writeOperation(spec: WriteDefinition): OperationDefinition {
	const permission = `${describePermission(spec.permission)} (${spec.permission})`;
	return {
		value: spec.operation,
		// Where a person picks the operation it says what it does: "Propose Create".
		name: `Propose ${spec.name}`,
		// A search in n8n's node creator ranks an action higher the earlier its words match: the verb
		// comes first ("Refund a charge"), what makes it a proposal last.
		action: `${spec.action} (proposal)`,
		description: `${spec.description} ${RETURNS_PROPOSAL} ` + `Executing it needs ${permission}.`,
		proposal: true,
		properties: [proposalNotice, ...spec.properties, lifetimeField, approvalWorkflowField],
		async execute(ctx) {
			const raw = readInput(ctx, spec.properties);
			const input = spec.adaptInput ? spec.adaptInput(raw) : raw;
			const hours = ctx.fn.getNodeParameter(
				'proposalLifetimeHours',
				ctx.itemIndex,
				DEFAULT_PROPOSAL_HOURS,
			) as number;
			if (typeof hours !== 'number' || !(hours > 0) || hours > MAX_LIFETIME_HOURS) {
				throw new NodeOperationError(
					ctx.fn.getNode(),
					`Proposal Expires After must be between 0.01 and ${MAX_LIFETIME_HOURS} hours ` +
						`(item ${ctx.itemIndex})`,
					{
						itemIndex: ctx.itemIndex,
						description:
							"Stripe remembers a write's idempotency key for 24 hours; " +
							'a proposal that lived longer could be executed twice. ' +
							`Set ${MAX_LIFETIME_HOURS} or less.`,
					},
				);
			}
			let draft;
			try {
				// Reads first only if the input names a well-formed ID; the builder refuses anything else.
				const context = spec.readContext ? await spec.readContext(ctx, input) : {};
				draft = spec.draft(input, context);
			} catch (error) {
				if (!(error instanceof WriteInputError))
					throw toNodeError(ctx.fn.getNode(), error, ctx.itemIndex);
				throw new NodeOperationError(ctx.fn.getNode(), `${error.message} (item ${ctx.itemIndex})`, {
					itemIndex: ctx.itemIndex,
					description:
						'Nothing was proposed. ' +
						`Fix the input of this ${spec.resource} ${spec.operation} and try again.`,
				});
			}
			const proposal = createProposal(
				{ ...draft, mode: ctx.credentials.mode },
				ctx.credentials.apiKey,
				hours * HOUR,
			);
			const approvalWorkflow = workflowIdOf(
				ctx.fn.getNodeParameter('approvalWorkflowId', ctx.itemIndex, ''),
			);
			if (approvalWorkflow)
				return (await handOver(ctx, proposal, approvalWorkflow)) as unknown as IDataObject;
			return { ...proposal, notice: PROPOSAL_NOTICE } as unknown as IDataObject;
		},
	};
}
