/**
 * Every read operation of every resource, through n8n-core against the emulator: results,
 * filters as Stripe receives them, expand, wrong-prefix IDs, not found and missing permissions.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_LIST_LIMIT, listFields } from '../../nodes/StripeGuard/framework/fields';
import { withArticle } from '../../nodes/StripeGuard/framework/words';
import type { FilterSpec } from '../../nodes/StripeGuard/framework/filters';
import {
	objectTypeOf,
	type ReadResourceSpec,
} from '../../nodes/StripeGuard/framework/read-resource';
import { resources } from '../../nodes/StripeGuard/resources';
import { permissionText } from '../../nodes/shared/credentials/permissions';
import { prefixesOf } from '../../nodes/shared/ids';
import type { ObjectType } from '../emulator';
import { serialize } from '../emulator/api';
import { CATALOG } from '../emulator/catalog';
import { inOneSecond, useEmulator } from './emulator-context';
import { credentialDecryptions, runStripeGuard } from './harness';

const emulator = useEmulator();

const specs = resources
	.map((r) => (r as { spec?: ReadResourceSpec }).spec)
	.filter((s): s is ReadResourceSpec => s !== undefined);

/**
 * How the emulator knows each declared resource: its object type, list path and permission group
 * (its own catalog, which the declaration must agree with), and the permission in words.
 */
function emulated(spec: ReadResourceSpec) {
	const info = CATALOG[objectTypeOf(spec).replace('.', '_') as ObjectType];
	return {
		type: info.type,
		path: info.path,
		group: info.group,
		permission: permissionText(`rak_${info.group}_read`),
	};
}

test('every resource with reads is one the emulator serves, at its path and permission', () => {
	expect(specs.length).toBeGreaterThan(10);
	for (const spec of specs)
		expect({ path: spec.path, permission: `rak_${emulated(spec).group}_read` }).toEqual({
			path: emulated(spec).path,
			permission: spec.permission,
		});
	expect(resources.map((r) => r.value)).toEqual(expect.arrayContaining(['balance', 'query']));
});

const run = (resource: string, operation: string, extra: IDataObject = {}, apiKey?: string) =>
	runStripeGuard({
		parameters: { resource, operation, ...extra } as never,
		credential: { apiKey: apiKey ?? emulator().keys.testRead },
	});

describe.each(specs.map((s) => [s.value, s] as const))('%s', (_value, spec) => {
	const emu = emulated(spec);
	const idParam = `${spec.value}Id`;

	beforeEach(() => emulator().reset());

	test('get returns the object, simplified on request', async () => {
		const e = emulator();
		const object = e.create<{ id: string }>(emu.type, 'test');
		const full = await run(spec.value, 'get', { [idParam]: object.id });
		expect(full.status).toBe('success');
		expect(full.items).toHaveLength(1);
		// Refunds and balance transactions have no livemode at this API version.
		const stored = JSON.parse(serialize(e.get(emu.type, 'test', object.id))) as IDataObject;
		expect(full.items[0].json).toMatchObject({
			id: object.id,
			...('livemode' in stored && { livemode: false }),
		});
		const simple = await run(spec.value, 'get', { [idParam]: object.id, simplify: true });
		expect(simple.items[0].json.id).toBe(object.id);
		expect(Object.keys(simple.items[0].json).length).toBeLessThan(
			Object.keys(full.items[0].json).length,
		);
		expect(simple.items[0].json).not.toHaveProperty('livemode');
	});

	// Without a prefix (coupons) another type's ID may be a code: text that no ID can be is refused.
	test('get refuses an ID of another type, or none, without a request', async () => {
		const e = emulator();
		e.clearRequests();
		const wrong = !spec.idPrefix
			? 'SUMMER 25%'
			: spec.idPrefix === 'cus_'
				? 'sub_123abc'
				: 'cus_123abc';
		const result = await run(spec.value, 'get', { [idParam]: wrong });
		expect(result.error?.message).toBe(`"${wrong}" is not ${withArticle(spec.label)} ID (item 0)`);
		expect(result.error?.description).toContain(
			prefixesOf(spec.idPrefix).join(' or ') || 'no prefix',
		);
		expect(e.requests).toHaveLength(0);
	});

	test('get of a missing object is a clear not found', async () => {
		const missing = `${prefixesOf(spec.idPrefix)[0]}Missing000001`;
		const result = await run(spec.value, 'get', { [idParam]: missing });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^No such .*'.*Missing000001'$/);
		expect(result.error?.httpCode).toBe('404');
		expect(result.error?.context?.itemIndex).toBe(0);
	});

	test('a key without the read permission gets it named', async () => {
		const key = emulator().addKey({
			mode: 'test',
			permissions: { customer: emu.group === 'customer' ? 'none' : 'read' },
		});
		const result = await run(spec.value, 'list', {}, key);
		expect(result.error?.message).toBe(
			`This key is missing ${emu.permission}. Edit the key in the ` +
				'Stripe Dashboard → Developers → API keys and grant it.',
		);
		expect(result.error?.httpCode).toBe('403');
	});

	test('list returns what Stripe has, newest first', async () => {
		const e = emulator();
		// A day ago: events older than Stripe's 30 days are no longer listed.
		const base = Math.floor(Date.now() / 1000) - 86_400;
		e.createMany(emu.type, 'test', 3, (i) => ({ created: base + i }));
		const result = await run(spec.value, 'list', { returnAll: true });
		expect(result.items.map((i) => i.json.created)).toEqual([base + 2, base + 1, base]);
		expect(e.requests.filter((r) => r.path === emu.path).map((r) => r.query.limit)).toEqual([
			'100',
		]);
	});

	test('every filter reaches Stripe as its parameter', async () => {
		const e = emulator();
		const filters: IDataObject = {};
		const expected: Record<string, unknown> = {};
		for (const f of spec.filters) Object.assign(filters, sampleFilter(f, expected));
		e.clearRequests();
		const result = await run(spec.value, 'list', { filters });
		expect(result.error).toBeUndefined();
		const request = e.requests.find((r) => r.path === emu.path);
		expect(request?.query).toEqual({ limit: '50', ...expected });
	});

	const dateFilter = spec.filters.find((f) => f.kind === 'dateRange');
	if (dateFilter) {
		test(
			'a date filter given both as a period and as dates is refused, ' +
				'naming both; either alone is read',
			async () => {
				const e = emulator();
				const n = dateFilter.name.replace(/[_.[\]]+(\w)/g, (_m, c: string) => c.toUpperCase());
				const now = Math.floor(Date.now() / 1000);
				e.create(emu.type, 'test', { [dateFilter.name]: now - 60 });
				e.create(emu.type, 'test', { [dateFilter.name]: now - 3 * 86_400 });
				e.clearRequests();
				const both = await run(spec.value, 'list', {
					returnAll: true,
					filters: { [`${n}Within`]: 'today', [`${n}From`]: '2020-01-01T00:00:00Z' },
					options: { timeZone: 'UTC' },
				});
				expect(both.error?.message).toBe(
					`Filters "${dateFilter.displayName} Within" and ` +
						`"${dateFilter.displayName} From/Before" are both set (item 0): keep one`,
				);
				expect(e.requests).toHaveLength(0);
				const today = await run(spec.value, 'list', {
					returnAll: true,
					filters: { [`${n}Within`]: 'last_24_hours' },
				});
				expect(today.items).toHaveLength(1);
				const since = await run(spec.value, 'list', {
					returnAll: true,
					filters: { [`${n}From`]: new Date((now - 7 * 86_400) * 1000).toISOString() },
				});
				expect(since.items).toHaveLength(2);
			},
		);
	}

	if (spec.expand.length > 0) {
		test('expand is sent as data.<field> for lists and as is for get', async () => {
			const e = emulator();
			const object = e.create<{ id: string }>(emu.type, 'test');
			e.clearRequests();
			await run(spec.value, 'list', { options: { expand: [spec.expand[0]] } });
			await run(spec.value, 'get', { [idParam]: object.id, options: { expand: [spec.expand[0]] } });
			expect(e.requests.map((r) => r.query.expand)).toEqual([
				[`data.${spec.expand[0]}`],
				[spec.expand[0]],
			]);
		});
	}

	if (spec.search) {
		test('search sends the query and pages with Stripe search', async () => {
			const e = emulator();
			e.createMany(emu.type, 'test', 3);
			e.clearRequests();
			const result = await run(spec.value, 'search', { query: 'created>0', returnAll: true });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expect(e.requests[0]).toMatchObject({
				path: `${emu.path}/search`,
				query: { query: 'created>0', limit: '100' },
			});
		});
	}
});

/** A value for one filter in the n8n collection, and what Stripe should receive for it. */
function sampleFilter(f: FilterSpec, expected: Record<string, unknown>): IDataObject {
	const n8nName = f.name.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
	switch (f.kind) {
		case 'dateRange':
			expected[f.name] = { gte: '1767225600', lt: '1769904000' };
			return {
				[`${n8nName}From`]: '2026-01-01T00:00:00Z',
				[`${n8nName}Before`]: '2026-02-01T00:00:00Z',
			};
		case 'id':
			expected[f.name] = `${f.idPrefix}Sample123`;
			return { [n8nName]: `${f.idPrefix}Sample123` };
		case 'options':
			expected[f.name] = String(f.options?.[0].value);
			return { [n8nName]: f.options?.[0].value };
		case 'boolean':
			expected[f.name] = 'false';
			return { [n8nName]: false };
		case 'currency':
			expected[f.name] = 'eur';
			return { [n8nName]: 'EUR' };
		case 'text':
			expected[f.name] = f.name === 'type' ? 'invoice.paid' : 'jenny@example.com';
			return { [n8nName]: expected[f.name] as string };
	}
}

describe('coupons: IDs are codes without a prefix', () => {
	beforeEach(() => emulator().reset());
	const SUMMER = {
		id: 'SUMMER-25',
		name: 'Summer sale',
		amount_off: 1500,
		currency: 'usd',
		duration: 'repeating',
		duration_in_months: 3,
		max_redemptions: 100,
		times_redeemed: 7,
		redeem_by: 1_790_000_000,
		created: 1_780_000_000,
		metadata: { campaign: 'summer' },
	};

	test('get by code, simplified: amount off formatted, ISO dates from version 2', async () => {
		const e = emulator();
		e.create('coupon', 'test', SUMMER);
		e.clearRequests();
		const v1 = await run('coupon', 'get', { couponId: 'SUMMER-25', simplify: true });
		expect(e.requests.map((r) => r.path)).toEqual(['/v1/coupons/SUMMER-25']);
		const simplified = {
			id: 'SUMMER-25',
			name: 'Summer sale',
			percent_off: null,
			amount_off: 1500,
			amount_off_formatted: '$15.00',
			currency: 'usd',
			duration: 'repeating',
			duration_in_months: 3,
			max_redemptions: 100,
			times_redeemed: 7,
			valid: true,
			metadata: { campaign: 'summer' },
		};
		expect(v1.items[0].json).toEqual({
			...simplified,
			redeem_by: 1_790_000_000,
			created: 1_780_000_000,
		});
		const v2 = await runStripeGuard({
			parameters: { resource: 'coupon', operation: 'get', couponId: 'SUMMER-25' },
			credential: { apiKey: e.keys.testRead },
			typeVersion: 2,
		});
		expect(v2.items[0].json).toEqual({
			...simplified,
			redeem_by: new Date(1_790_000_000_000).toISOString(),
			created: new Date(1_780_000_000_000).toISOString(),
		});
	});

	test('list: newest first, percent and amount coupons, filtered by created', async () => {
		const e = emulator();
		const now = Math.floor(Date.now() / 1000);
		e.create('coupon', 'test', { id: 'OLD10', percent_off: 10, created: now - 40 * 86_400 });
		e.create('coupon', 'test', { ...SUMMER, created: now - 86_400 });
		e.create('coupon', 'test', { id: 'WELCOME50', percent_off: 50, created: now - 60 });
		const all = await run('coupon', 'list', { returnAll: true, simplify: true });
		expect(
			all.items.map((i) => [i.json.id, i.json.percent_off, i.json.amount_off_formatted]),
		).toEqual([
			['WELCOME50', 50, undefined],
			['SUMMER-25', null, '$15.00'],
			['OLD10', 10, undefined],
		]);
		const recent = await run('coupon', 'list', {
			returnAll: true,
			filters: { createdWithin: 'last_30_days' },
		});
		expect(recent.items.map((i) => i.json.id)).toEqual(['WELCOME50', 'SUMMER-25']);
	});

	test('the Query lists and gets coupons by code', async () => {
		const e = emulator();
		e.create('coupon', 'test', SUMMER);
		const get = await run('query', 'run', { query: '{"get": "coupons", "id": "SUMMER-25"}' });
		expect(get.items[0].json).toMatchObject({ id: 'SUMMER-25', amount_off_formatted: '$15.00' });
		const list = await run('query', 'run', { query: '{"list": "coupons"}' });
		expect(list.items.map((i) => i.json.id)).toEqual(['SUMMER-25']);
		const refused = await run('query', 'run', { query: '{"get": "coupons", "id": "a b"}' });
		expect(refused.error?.message).toMatch(/must be a coupon ID: its IDs have no prefix/);
	});
});

describe('sub-lists and singletons', () => {
	test('invoice → listLineItems pages the invoice lines', async () => {
		const e = emulator();
		const inv = e.create<{ id: string }>('invoice', 'test');
		e.clearRequests();
		const result = await run('invoice', 'listLineItems', { invoiceId: inv.id, returnAll: true });
		expect(result.status).toBe('success');
		expect(e.requests[0]).toMatchObject({
			path: `/v1/invoices/${inv.id}/lines`,
			query: { limit: '100' },
		});
		expect(result.items.every((i) => i.json.object === 'line_item')).toBe(true);
	});

	test('checkoutSession → listLineItems pages the session lines', async () => {
		const e = emulator();
		const cs = e.create<{ id: string }>('checkout_session', 'test');
		e.clearRequests();
		const result = await run('checkoutSession', 'listLineItems', { checkoutSessionId: cs.id });
		expect(result.status).toBe('success');
		expect(e.requests[0]).toMatchObject({
			path: `/v1/checkout/sessions/${cs.id}/line_items`,
			query: { limit: '50' },
		});
	});

	test('listLineItems refuses a wrong parent ID without a request', async () => {
		const e = emulator();
		e.clearRequests();
		const result = await run('invoice', 'listLineItems', { invoiceId: 'ch_123' });
		expect(result.error?.message).toBe('"ch_123" is not an invoice ID (item 0)');
		expect(e.requests).toHaveLength(0);
	});

	test('balance → get, full and simplified with formatted amounts', async () => {
		const full = await run('balance', 'get');
		expect(full.items[0].json).toMatchObject({ object: 'balance', livemode: false });
		const simple = await run('balance', 'get', { simplify: true });
		const available = simple.items[0].json.available as IDataObject[];
		expect(available.length).toBeGreaterThan(0);
		expect(available[0]).toEqual({
			currency: expect.any(String),
			amount: expect.any(Number),
			amount_formatted: expect.any(String),
		});
	});

	test('a key without Balance: Read gets it named', async () => {
		const key = emulator().addKey({ mode: 'test', permissions: { customer: 'read' } });
		const result = await run('balance', 'get', {}, key);
		expect(result.error?.message).toMatch(/missing Balance: Read \(rak_balance_read\)/);
	});
});

test(
	"Limit's default, written out as a literal for n8n's lint, " + 'is the one reads fall back to',
	() => {
		expect(listFields.find((f) => f.name === 'limit')?.default).toBe(DEFAULT_LIST_LIMIT);
	},
);

test('a long list has n8n decrypt the credential once, not once per page', async () => {
	const e = emulator();
	e.reset();
	e.createMany(
		'customer',
		'test',
		450,
		inOneSecond((i) => ({ name: `Customer ${i}` })),
	);
	credentialDecryptions.count = 0;
	const result = await run('customer', 'list', { returnAll: true });
	expect(result.items).toHaveLength(450);
	// Five pages of the one second they were all created in, and one window below it (empty).
	expect(e.requests).toHaveLength(6);
	// One for the node's own checks of the key, one handed to n8n's HTTP helper for every page.
	expect(credentialDecryptions.count).toBe(2);
});
