/**
 * What became of a proposal, from the audit trail the approval node writes (Audit Trail on):
 * not Stripe, but n8n's Data Table, through n8n's public API. An agent that proposed a write asks
 * here later, by the proposal's ID.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { auditTableField, auditTableId } from '../../shared/audit/fields';
import { proposalStatus } from '../../shared/audit/status';
import { readProposalRows } from '../../shared/audit/table';
import type { ResourceDefinition } from '../framework/operation';
import { redactFields } from '../framework/read-resource';

const PROPOSAL_ID = /^prop_[A-Za-z0-9]{8,64}$/;

export const proposalResource: ResourceDefinition = {
	value: 'proposal',
	name: 'Proposal',
	operations: [
		{
			value: 'status',
			name: 'Get Status',
			action: 'Get what became of a proposal',
			description:
				'What became of a proposed write, from the audit trail: pending (until when), approved, ' +
				"executed (with Stripe's ID), rejected (by whom), expired, or failed (why). " +
				'Reads the Data Table the Stripe Guard Approval node writes with Audit Trail on; ' +
				'needs the Stripe Guard Audit Trail credential, no Stripe permission.',
			properties: [
				{
					displayName: 'Proposal ID',
					name: 'proposalId',
					type: 'string',
					required: true,
					default: '',
					placeholder: 'prop_6760c19b52a6d8a38bf0b96e',
					description: "The proposal's ID (proposalId), as the Propose operation returned it",
				},
				auditTableField('The Data Table the Stripe Guard Approval node writes its audit trail to'),
				...redactFields,
			],
			async execute(ctx) {
				const { fn, itemIndex } = ctx;
				const id = String(fn.getNodeParameter('proposalId', itemIndex, '')).trim();
				if (!PROPOSAL_ID.test(id))
					throw new NodeOperationError(
						fn.getNode(),
						`"${id.slice(0, 80)}" is not a proposal ID (item ${itemIndex})`,
						{
							itemIndex,
							description:
								'A proposal ID starts with prop_, as in the proposalId a Propose ' +
								'operation returns.',
						},
					);
				const tableId = auditTableId(fn, itemIndex);
				let rows;
				try {
					rows = await readProposalRows(fn, tableId, id);
				} catch (error) {
					throw new NodeOperationError(
						fn.getNode(),
						`The audit trail could not be read (item ${itemIndex}): ${(error as Error).message}`,
						{
							itemIndex,
							description:
								'Check the Stripe Guard Audit Trail credential (an n8n API key with ' +
								'dataTableRow:read) and the Audit Table.',
						},
					);
				}
				// An approver's comment is free text: the router's redaction replaces it like any
				// other (summaries never hold personal data; approvers are the account's own people).
				return proposalStatus(id, rows, Date.now()) as unknown as IDataObject;
			},
		},
	],
};
