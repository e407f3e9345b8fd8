/**
 * The audit trail's columns are declared once (AUDIT_COLUMNS): the README's table names each of
 * them, and the incident-reconstruction example creates its table with exactly them and reads no
 * column that does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AUDIT_COLUMNS, auditTableColumns } from '../../nodes/StripeGuardApproval/audit';

const ROOT = join(__dirname, '../..');
const declared = Object.keys(AUDIT_COLUMNS).sort();

interface ExampleNode {
	name: string;
	parameters: Record<string, unknown>;
}
const example = JSON.parse(
	readFileSync(join(ROOT, 'examples/incident-reconstruction.json'), 'utf8'),
) as { nodes: ExampleNode[] };
const nodeNamed = (name: string) => example.nodes.find((n) => n.name === name)!;

test('the README’s table of columns names every column once, and no other', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const section = /### Audit trail\n([\s\S]*?)\n### /.exec(readme)![1];
	const table = section.split('The columns:')[1].split('\n\n')[1];
	const named = table
		.split('\n')
		.slice(2)
		.flatMap((row) => [...row.split('|')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]));
	expect([...named].sort()).toEqual(declared);
});

test('the example creates the table with exactly the declared columns and types', () => {
	const create = nodeNamed('Audit table').parameters as {
		columns: { column: Array<{ name: string; type: string }> };
	};
	expect(create.columns.column).toEqual(auditTableColumns());
});

test('the example’s story reads only declared columns', () => {
	const code = String(nodeNamed('Story').parameters.jsCode);
	const read = new Set([...code.matchAll(/\br\.(\w+)/g)].map((m) => m[1]));
	expect([...read].filter((c) => !(c in AUDIT_COLUMNS))).toEqual([]);
	expect(read.size).toBeGreaterThan(15);
});
