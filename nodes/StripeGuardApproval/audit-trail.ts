/**
 * The approval node's audit trail in an n8n Data Table (Audit Trail on): the rows of each event
 * are appended as it happens, before what depends on them. A proposal's row before anyone is
 * asked, the approvals before Stripe is called (a write whose approval cannot be recorded is not
 * executed), then the outcome.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { AuditRow } from '../shared/audit/columns';
import { auditTableId } from '../shared/audit/fields';
import { appendAuditRows } from '../shared/audit/table';
import { parameterOf } from '../shared/parameters';

export interface AuditTrail {
	tableId: string;
	/** Appends the rows in one request, all or none; throws what n8n answered. */
	append(rows: AuditRow[]): Promise<void>;
}

/** The node's audit trail, or undefined when Audit Trail is off. */
export function auditTrailOf(fn: IExecuteFunctions | IWebhookFunctions): AuditTrail | undefined {
	if (parameterOf(fn, 'auditTrail', false) !== true) return undefined;
	const tableId = auditTableId(fn);
	return { tableId, append: async (rows) => await appendAuditRows(fn, tableId, rows) };
}

/** Why a row was not written, in a sentence that names the table. */
export const notRecorded = (trail: AuditTrail, error: unknown) =>
	`the audit trail (data table ${trail.tableId}) did not take the row: ${(error as Error).message}`;

/**
 * Appends the outcome row of every item on the outputs (the last of its `auditRows`). When the
 * table refuses them, each item says so in `auditTrailError` and the sentence is returned for
 * the page; what happened in Stripe stands, under its idempotency key.
 */
export async function recordOutcomes(
	trail: AuditTrail | undefined,
	outputs: INodeExecutionData[][],
): Promise<string | undefined> {
	if (!trail) return undefined;
	const items = outputs.flat();
	const rows = items.flatMap((item) => {
		const rows = item.json.auditRows as IDataObject[] | undefined;
		return rows?.length ? [rows[rows.length - 1] as AuditRow] : [];
	});
	try {
		await trail.append(rows);
		return undefined;
	} catch (error) {
		const why = notRecorded(trail, error);
		for (const item of items) item.json.auditTrailError = why;
		return `The outcome is not in the audit trail: ${why}.`;
	}
}
