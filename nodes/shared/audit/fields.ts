/**
 * The editor's side of the audit trail: the Data Table both the approval node (to append) and
 * Proposal Status (to read) name, and the credential that reaches it.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeProperties,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { parameterOf } from '../parameters';

/** The From List look-up of data tables (StripeGuard/methods/listSearch.ts). */
export const SEARCH_AUDIT_TABLES = 'searchAuditTables';

/** The Data Table of the audit trail, From List or By ID. */
export const auditTableField = (description: string): INodeProperties => ({
	displayName: 'Audit Table',
	name: 'auditTable',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: SEARCH_AUDIT_TABLES, searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'OaxWxxfkrUk6o35e',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '[A-Za-z0-9_-]{8,}',
						errorMessage: "A data table's ID, from its URL in n8n",
					},
				},
			],
		},
	],
});

/** The chosen table's ID; a clear error when none is chosen. */
export function auditTableId(fn: IExecuteFunctions | IWebhookFunctions, itemIndex = 0): string {
	const id = parameterOf(fn, 'auditTable', '', { extractValue: true }, itemIndex);
	if (typeof id !== 'string' || id.trim() === '')
		throw new NodeOperationError(fn.getNode(), 'No Audit Table chosen', {
			itemIndex,
			description:
				"Choose the n8n Data Table of Stripe Guard's audit trail: From List, or By ID (the " +
				'ID is in its URL). Create it with the columns the README lists.',
		});
	return id.trim();
}
