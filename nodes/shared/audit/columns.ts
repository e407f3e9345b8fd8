/**
 * The audit trail's columns, declared once: the approval node's `audit` record and `auditRows`,
 * the rows it appends to a Data Table, and the Proposal Status read are all typed by them. A row
 * is one event of one proposal, flat and typed as n8n's Data Tables type columns.
 */
/** n8n's Data Table column types; `json` is a string column holding JSON. */
type Kind = 'string' | 'number' | 'boolean' | 'date' | 'json';

/**
 * Every column of the audit trail, in the order a table shows them. The `audit` record uses the
 * same names (the approval's auditRecord is typed by them): a field cannot be in one and not
 * the other.
 */
export const AUDIT_COLUMNS = {
	time: 'date',
	event: 'string',
	proposalId: 'string',
	resource: 'string',
	operation: 'string',
	summary: 'string',
	mode: 'string',
	outcome: 'string',
	stripeObjectId: 'string',
	requestId: 'string',
	idempotencyKey: 'string',
	replayed: 'boolean',
	reason: 'string',
	approver: 'string',
	approvers: 'json',
	approverIdentity: 'string',
	approvals: 'json',
	linkDeliveredTo: 'string',
	comment: 'string',
	decidedAt: 'date',
	workflowId: 'string',
	executionId: 'string',
	request: 'json',
	amounts: 'json',
	proposedAt: 'date',
	expiresAt: 'date',
	decideBy: 'date',
	agentNode: 'string',
	agentTool: 'string',
	agentToolInput: 'json',
	chatModelNode: 'string',
	chatModel: 'string',
} as const satisfies Record<string, Kind>;

export type AuditColumn = keyof typeof AUDIT_COLUMNS;

type ValueOf<K extends Kind> = K extends 'boolean' ? boolean : K extends 'json' ? unknown : string;

/** Values by column; a record or a row holds some of them. */
export type AuditValues = { [C in AuditColumn]?: ValueOf<(typeof AUDIT_COLUMNS)[C]> | null };

/** A row as n8n's Data Table node inserts it: every column, each a string, boolean or null. */
export type AuditRow = Record<AuditColumn, string | boolean | null>;

/** The columns with n8n's Data Table types, to create the table (`json` is stored as string). */
export const auditTableColumns = () =>
	(Object.entries(AUDIT_COLUMNS) as Array<[AuditColumn, Kind]>).map(([name, kind]) => ({
		name,
		type: kind === 'json' ? 'string' : kind,
	}));

/** A value as its column stores it: JSON as text, dates as ISO text, nothing as null. */
function cell(kind: Kind, value: unknown): string | boolean | null {
	if (value === undefined || value === null || value === '') return null;
	if (kind === 'json') return JSON.stringify(value);
	if (kind === 'boolean') return value === true;
	return String(value);
}

export function auditRow(values: AuditValues): AuditRow {
	const row = {} as AuditRow;
	for (const [column, kind] of Object.entries(AUDIT_COLUMNS) as Array<[AuditColumn, Kind]>)
		row[column] = cell(kind, values[column]);
	return row;
}
