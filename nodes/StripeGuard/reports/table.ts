/**
 * A report's figures as a ready-made table, three ways: monospace text in a code block (Slack),
 * Markdown, and HTML (emails). Added when Include Table is on: by default in versions 1 and 2,
 * only when added under Options from version 3 (the fields are long and widen the table view).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { nodeVersion } from '../framework/node-version';
import type { OperationContext } from '../framework/operation';

export const tableField: INodeProperties = {
	displayName: 'Include Table',
	name: 'includeTable',
	type: 'boolean',
	default: true,
	description:
		'Whether to add the figures as a ready table: table_text (monospace, for Slack), ' +
		'table_markdown and table_html (for email)',
};

/** Version 3: the same switch under Options, off unless added. */
export const tableOption: INodeProperties = { ...tableField, default: false };

export interface Table {
	title: string;
	columns: string[];
	rows: Array<Array<string | number>>;
	/** Under the table: what the figures mean or leave out. */
	notes?: string[];
}

/** Adds the table to the report when Include Table is on. */
export function withTable(
	ctx: OperationContext,
	report: IDataObject,
	table: () => Table,
): IDataObject {
	const include = (
		nodeVersion(ctx.fn) >= 3
			? ctx.fn.getNodeParameter('options.includeTable', ctx.itemIndex, false)
			: ctx.fn.getNodeParameter('includeTable', ctx.itemIndex, true)
	) as boolean;
	return include ? { ...report, ...renderTable(table()) } : report;
}

/** The table three ways: monospace text in a code block (Slack), Markdown, and an HTML table. */
export function renderTable(table: Table): IDataObject {
	const cells = table.rows.map((r) => r.map(String));
	const right = table.columns.map((_, i) =>
		numeric(
			cells.map((r) => r[i]),
			i,
		),
	);
	const layout: Layout = { cells, right, notes: table.notes ?? [] };
	return {
		table_text: textTable(table, layout),
		table_markdown: markdownTable(table, layout),
		table_html: htmlTable(table, layout),
	};
}

/** The table's cells as text, which columns read right-aligned, and its notes. */
interface Layout {
	cells: string[][];
	right: boolean[];
	notes: string[];
}

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeMarkdown = (s: string) => s.replace(/\|/g, '\\|');
/** Numbers and money read right-aligned. */
const numeric = (cells: Array<string | number>, i: number) =>
	cells.every((row) => /^[-+]?[^a-z]*\d/i.test(String(row)) || row === '') && i > 0;

/** Monospace columns padded to width inside a code block, as Slack shows them. */
function textTable(table: Table, { cells, right, notes }: Layout): string {
	const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
	const pad = (s: string, i: number) => (right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
	const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
	return [
		`*${table.title}*`,
		'```',
		line(table.columns),
		widths.map((w) => '-'.repeat(w)).join('  '),
		...cells.map(line),
		'```',
		...notes.map((n) => `_${n}_`),
	].join('\n');
}

function markdownTable(table: Table, { cells, right, notes }: Layout): string {
	return [
		`**${escapeMarkdown(table.title)}**`,
		'',
		`| ${table.columns.map(escapeMarkdown).join(' | ')} |`,
		`| ${right.map((r) => (r ? '---:' : '---')).join(' | ')} |`,
		...cells.map((r) => `| ${r.map(escapeMarkdown).join(' | ')} |`),
		...(notes.length ? ['', ...notes.map((n) => `_${escapeMarkdown(n)}_`)] : []),
	].join('\n');
}

/** Inline styles: many email clients ignore style sheets. */
function htmlTable(table: Table, { cells, right, notes }: Layout): string {
	const align = (i: number) => `text-align:${right[i] ? 'right' : 'left'};padding:4px 8px`;
	const th = table.columns
		.map((c, i) => `<th style="${align(i)};border-bottom:1px solid #ccc">${escapeHtml(c)}</th>`)
		.join('');
	const td = (c: string, i: number) => `<td style="${align(i)}">${escapeHtml(c)}</td>`;
	const trs = cells.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('');
	const font = 'font-family:sans-serif';
	return (
		`<h3 style="${font}">${escapeHtml(table.title)}</h3>` +
		`<table style="border-collapse:collapse;${font};font-size:14px">` +
		`<thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>` +
		notes.map((n) => `<p style="${font};font-size:12px;color:#555">${escapeHtml(n)}</p>`).join('')
	);
}
