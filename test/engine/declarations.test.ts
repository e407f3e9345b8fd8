/**
 * A read resource is declared once (defineReadResource) and the rest is derived from it. Where a
 * table must stay elsewhere, because what several nodes share cannot read the Stripe Guard node's
 * declarations (nodes/shared/), these tests enumerate the declared resources and name the table
 * that lacks one: the key-creation link's permissions, the lists read in windows (a fact of
 * Stripe's API), the privacy classification, Stripe's Unix-time fields; and they hold what is
 * derived (locators, look-ups, the order shown) to the declarations and to Stripe's definitions.
 */
import { NodeHelpers, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { SEARCH_AUDIT_TABLES } from '../../nodes/shared/audit/fields';
import { READ_PERMISSIONS } from '../../nodes/shared/credentials/permissions';
import { OBJECT_TYPES } from '../../nodes/shared/privacy/stripe-fields';
import { WINDOWED_LISTS } from '../../nodes/shared/transport/windows';
import {
	locatorTargets,
	searchMethodOf,
	undeclaredTargets,
} from '../../nodes/StripeGuard/framework/locator';
import { objectTypeOf } from '../../nodes/StripeGuard/framework/read-resource';
import { querySpecs, resources } from '../../nodes/StripeGuard/resources';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { CATALOG } from '../emulator/catalog';
import contract from '../emulator/contract/stripe-contract.json';
import type { ObjectType } from '../emulator';
import unixTimes from './fixtures/stripe-unix-time-fields.json';

const node = new StripeGuard();
const CASES = querySpecs.map((spec) => [spec.value, spec] as const);

type Def = { t: string; n?: string; props?: Record<string, unknown> };
const DEFS = contract.defs as Record<string, Def>;
const paramsOf = (name: string): Def => {
	const def = DEFS[name];
	return def.t === 'ref' && def.n ? paramsOf(def.n) : def;
};
const endpoint = (path: string) =>
	(contract.endpoints as Array<{ method: string; path: string; params?: { n?: string } }>).find(
		(e) => e.method === 'GET' && e.path === path,
	);

describe.each(CASES)('%s', (_value, spec) => {
	test("its endpoints are Stripe's: list and retrieve, and search where it declares search", () => {
		expect(endpoint(spec.path)?.path).toBe(spec.path);
		expect(endpoint(`${spec.path}/{id}`)?.path).toBe(`${spec.path}/{id}`);
		expect(Boolean(endpoint(`${spec.path}/search`))).toBe(Boolean(spec.search));
	});

	test('its permission is one the key-creation link chooses', () => {
		expect(READ_PERMISSIONS).toContain(spec.permission);
	});

	test("its list is read in windows exactly when Stripe's definitions filter it by created", () => {
		const params = paramsOf(endpoint(spec.path)!.params!.n!);
		// Else: add the path to WINDOWED_LISTS (nodes/shared/transport/windows.ts).
		expect({ path: spec.path, windowed: WINDOWED_LISTS.has(spec.path) }).toEqual({
			path: spec.path,
			windowed: params.props?.created !== undefined,
		});
	});

	test("its object type's fields are classified for privacy", () => {
		// Else: add its definition to the roots of nodes/shared/privacy/classification.json and run
		// node scripts/generate-privacy-fields.mjs.
		expect(OBJECT_TYPES[objectTypeOf(spec)]).toBeDefined();
	});

	test("its dates are Stripe's Unix times, and Stripe's Unix-time fields know its type", () => {
		// Else: node scripts/generate-stripe-unix-times.mjs <stripe-dotnet> <object type>.
		const times = (unixTimes.objects as Record<string, string[]>)[objectTypeOf(spec)];
		expect(times).toBeDefined();
		const top = (path: string) => path.split('.').pop()!;
		for (const date of spec.dates ?? [])
			expect(times.some((t) => t === date || top(t) === top(date))).toBe(true);
	});

	test('the emulator serves it at its path, behind its permission', () => {
		const info = CATALOG[objectTypeOf(spec).replace('.', '_') as ObjectType];
		expect({ path: info.path, permission: `rak_${info.group}_read` }).toEqual({
			path: spec.path,
			permission: spec.permission,
		});
	});

	test('its locator target: From List by its name, By URL on its Dashboard page', () => {
		expect(locatorTargets()).toContainEqual({
			label: spec.label,
			prefix: spec.idPrefix,
			dashboard: spec.dashboard,
		});
		expect(Object.keys(node.methods.listSearch)).toContain(searchMethodOf(spec.label));
	});
});

/** Every resource locator of the node, inside collections too. */
function locators(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((p) => [
		...(p.type === 'resourceLocator' ? [p] : []),
		...locators(
			((p.options ?? []) as Array<INodeProperties | { values?: INodeProperties[] }>).flatMap((o) =>
				'type' in o ? [o as INodeProperties] : (o.values ?? []),
			),
		),
	]);
}

/** The one locator that is not of Stripe: the audit trail's n8n Data Table. */
const isAuditTable = (field: INodeProperties) => field.name === 'auditTable';

test('every locator field names a declared resource, whose look-up exists', () => {
	expect(undeclaredTargets()).toEqual([]);
	const fields = locators(node.description.properties).filter((f) => !isAuditTable(f));
	expect(fields.length).toBeGreaterThan(querySpecs.length);
	const methods = Object.keys(node.methods.listSearch);
	for (const field of fields) {
		const [list, , url] = field.modes!;
		expect([field.name, methods]).toEqual([
			field.name,
			expect.arrayContaining([list.typeOptions?.searchListMethod]),
		]);
		expect([field.name, url.placeholder]).toEqual([
			field.name,
			expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\//),
		]);
	}
});

test('one look-up per declared resource and the audit tables, and no other', () => {
	expect(Object.keys(node.methods.listSearch).sort()).toEqual(
		[...querySpecs.map((s) => searchMethodOf(s.label)), SEARCH_AUDIT_TABLES].sort(),
	);
	const audit = locators(node.description.properties).filter(isAuditTable);
	expect(audit.map((f) => f.modes![0].typeOptions?.searchListMethod)).toEqual([
		SEARCH_AUDIT_TABLES,
	]);
	expect(new Set(querySpecs.map((s) => s.value)).size).toBe(querySpecs.length);
});

test('Balance is shown where it declares, right before Balance Transaction', () => {
	const values = resources.map((r) => r.value);
	expect(values.indexOf('balance')).toBe(values.indexOf('balanceTransaction') - 1);
	const shown = node.description.properties.find((p) => p.name === 'resource')!;
	expect((shown.options as INodePropertyOptions[]).map((o) => o.value)).toEqual(values);
	// Every declared read resource is one the node shows, and n8n lists its operations.
	for (const spec of querySpecs)
		expect(
			NodeHelpers.getNodeParameters(
				node.description.properties,
				{ resource: spec.value },
				true,
				false,
				{ typeVersion: 2 },
				node.description,
			)?.operation,
		).toBe('get');
});
