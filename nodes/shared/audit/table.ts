/**
 * The audit trail's Data Table, through n8n's public API (transport/n8n-api.ts): rows appended,
 * a proposal's rows read back, the tables listed for the editor. Append-only: nothing here
 * updates or deletes a row.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { n8nApiRequest } from '../transport/n8n-api';
import type { AuditRow } from './columns';

type Context = IExecuteFunctions | IWebhookFunctions | ILoadOptionsFunctions;

/** A stored row: the audit columns as n8n returns them, with the table's own id and times. */
export type StoredRow = Partial<Record<keyof AuditRow, string | boolean | null>> & {
	id?: number;
	createdAt?: string;
};

/** n8n's largest page of rows and of tables. */
const PAGE = 250;
/** Enough for any one proposal (a handful of events each time it went through approval). */
const MAX_ROWS = 10 * PAGE;

const tablePath = (tableId: string) => `/data-tables/${encodeURIComponent(tableId)}`;

/** Appends rows in one request: n8n inserts all of them or, refusing one, none. */
export async function appendAuditRows(fn: Context, tableId: string, rows: AuditRow[]) {
	if (rows.length === 0) return;
	await n8nApiRequest(fn, 'POST', `${tablePath(tableId)}/rows`, {
		body: { data: rows, returnType: 'count' },
	});
}

/** Every row of one proposal, in the order they were appended. */
export async function readProposalRows(
	fn: Context,
	tableId: string,
	proposalId: string,
): Promise<StoredRow[]> {
	const filter = JSON.stringify({
		type: 'and',
		filters: [{ columnName: 'proposalId', condition: 'eq', value: proposalId }],
	});
	const rows: StoredRow[] = [];
	let cursor: string | undefined;
	do {
		const page = await n8nApiRequest<{ data: StoredRow[]; nextCursor?: string | null }>(
			fn,
			'GET',
			`${tablePath(tableId)}/rows`,
			{ qs: { filter, limit: PAGE, ...(cursor ? { cursor } : {}) } },
		);
		rows.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor && rows.length < MAX_ROWS);
	return rows.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

/** The data tables the key can see, for the editor's From List. */
export async function listDataTables(fn: Context): Promise<Array<{ id: string; name: string }>> {
	const page = await n8nApiRequest<{ data: Array<{ id: string; name: string }> }>(
		fn,
		'GET',
		'/data-tables',
		{ qs: { limit: PAGE } },
	);
	return page.data.map(({ id, name }) => ({ id, name }));
}
