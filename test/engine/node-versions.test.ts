/**
 * Node versions as n8n's editor and engine read them (n8n-workflow's own displayParameter and
 * getNodeParameters): version 1, which every saved workflow uses, offers exactly the parameters it
 * offered before version 2 existed (names, types, defaults, choices), frozen in a fixture taken
 * from the code before version 2; version 2 differs from it only by its changes: Simplify on by
 * default, a refund's Amount as a field of its own, Max Requests per Second in Options, Redact
 * Metadata under Redact Personal Data and Paused Collection in the subscription reports. Version 2
 * is frozen the same way, from the code before version 3; version 3 differs from it only by its
 * changes: Parallel Reading, Request Timeout and a report's Include Table (off) in Options, and the
 * Query's JSON named queryJson.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
	NodeHelpers,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodePropertyOptions,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { newNodeAt } from './node-surface';

const description = new StripeGuard().description;

type Surface = Record<string, { defaults: INodeParameters | null; fields: unknown[] }>;

/** What a person can set: names, types, defaults, choices (not the help texts). */
function shape(p: INodeProperties | INodePropertyOptions | INodePropertyCollection): unknown {
	if (!('type' in p) && !('displayName' in p && 'values' in p))
		return (p as INodePropertyOptions).value;
	if ('values' in p)
		return { name: p.name, displayName: p.displayName, values: p.values.map(shape) };
	const property = p as INodeProperties;
	return {
		name: property.name,
		displayName: property.displayName,
		type: property.type,
		default: property.default,
		...(property.required ? { required: true } : {}),
		...(property.typeOptions ? { typeOptions: property.typeOptions } : {}),
		...(property.options ? { options: property.options.map(shape) } : {}),
		...(property.modes ? { modes: property.modes.map((m) => m.name) } : {}),
	};
}

/** Every operation's visible fields and the parameters a new node gets, at one version. */
function surface(typeVersion: number, tool = false): Surface {
	const type: INodeTypeDescription = tool
		? { ...description, name: `${description.name}Tool` }
		: description;
	const out: Surface = {};
	const resources = description.properties.find((p) => p.name === 'resource')!
		.options as INodePropertyOptions[];
	for (const resource of resources) {
		const operations = description.properties.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource.value),
		)!;
		for (const operation of operations.options as INodePropertyOptions[]) {
			const { defaults, shown } = newNodeAt(
				description,
				typeVersion,
				{ resource: resource.value, operation: operation.value },
				type,
			);
			const fields = shown.map(shape);
			// The tool's description is generated from the help texts, which may be reworded.
			const { toolDescription: _, ...settable } = defaults;
			out[`${resource.value}.${operation.value}`] = {
				defaults: settable,
				fields: fields.map((f) =>
					(f as INodeProperties).name === 'toolDescription'
						? { ...(f as INodeProperties), default: '(generated)' }
						: f,
				),
			};
		}
	}
	return out;
}

const FIXTURES: Record<number, string> = {
	1: join(__dirname, 'fixtures/stripe-guard-v1-parameters.json'),
	2: join(__dirname, 'fixtures/stripe-guard-v2-parameters.json'),
};

/**
 * A version's surface against its fixture, taken from the code before the next version existed
 * (UPDATE_V<n>_FIXTURE=1 writes it: only ever for a version that is new).
 */
test.each([
	[1, 2],
	[2, 3],
])(
	'version %i offers exactly the parameters, defaults and choices it had before version %i',
	(version) => {
		const FIXTURE = FIXTURES[version];
		const surfaces = { workflow: surface(version), tool: surface(version, true) };
		if (process.env[`UPDATE_V${version}_FIXTURE`]) {
			mkdirSync(dirname(FIXTURE), { recursive: true });
			// One line per operation: a change shows in a diff as the operations it touched.
			const lines = (s: Surface) =>
				Object.entries(s)
					.map(([op, v]) => `  ${JSON.stringify(op)}: ${JSON.stringify(v)}`)
					.join(',\n');
			writeFileSync(
				FIXTURE,
				`{\n "workflow": {\n${lines(surfaces.workflow)}\n },\n` +
					` "tool": {\n${lines(surfaces.tool)}\n }\n}\n`,
			);
		}
		expect(existsSync(FIXTURE)).toBe(true);
		expect(JSON.parse(JSON.stringify(surfaces))).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
	},
);

test('a new node is version 3; saved workflows keep versions 1 and 2', () => {
	expect([description.version, description.defaultVersion]).toEqual([[1, 2, 3], 3]);
});

const PACE_OPTION = {
	name: 'maxRequestsPerSecond',
	displayName: 'Max Requests per Second',
	type: 'number',
	default: null,
	typeOptions: { minValue: 1 },
};

const REDACT_METADATA = {
	name: 'redactMetadata',
	displayName: 'Redact Metadata',
	type: 'boolean',
	default: false,
};

const PAUSED_COLLECTION = {
	name: 'pausedCollection',
	displayName: 'Paused Collection',
	type: 'options',
	default: 'count',
	options: ['count', 'exclude'],
};

/** Version 1's fields with exactly version 2's changes applied: what version 2 must show. */
function v1WithVersion2Changes(
	operation: string,
	fields: Array<Record<string, unknown>>,
): unknown[] {
	const own = fields.find((f) => f.name === 'options');
	const out = fields
		.filter((f) => f.name !== 'maxRequestsPerSecond' && f !== own)
		.flatMap((f) => {
			// Simplify on by default.
			if (f.name === 'simplify') return [{ ...f, default: true }];
			// Redact Metadata under Redact Personal Data, where that is on (tools).
			if (f.name === 'redactPersonalData' && f.default === true) return [f, REDACT_METADATA];
			// Paused Collection after Scheduled Cancellations, in the reports that value subscriptions.
			if (f.name === 'scheduledCancellations') return [f, PAUSED_COLLECTION];
			// A refund's Amount out of Additional Fields, empty by default.
			if (operation === 'refund.create' && f.name === 'chargeId')
				return [
					f,
					{
						name: 'amount',
						displayName: 'Amount',
						type: 'number',
						default: null,
						typeOptions: { minValue: 1 },
					},
				];
			if (operation === 'refund.create' && f.name === 'additionalFields')
				return [
					{
						...f,
						options: (f.options as Array<{ name: string }>).filter((o) => o.name !== 'amount'),
					},
				];
			return [f];
		});
	// Max Requests per Second in Options (with Expand where
	// the operation has it), last of what a person sees.
	const options = {
		name: 'options',
		displayName: 'Options',
		type: 'collection',
		default: {},
		options: [...((own?.options as unknown[]) ?? []), PACE_OPTION],
	};
	const hidden = out.filter((f) => f.type === 'hidden');
	return [...out.filter((f) => f.type !== 'hidden'), options, ...hidden];
}

test.each([false, true])(
	'version 2 differs from version 1 only by its changes (as a tool: %s)',
	(tool) => {
		const [v1, v2] = [surface(1, tool), surface(2, tool)];
		expect(Object.keys(v2)).toEqual(Object.keys(v1));
		for (const [operation, { fields, defaults }] of Object.entries(v1)) {
			expect([operation, v2[operation].fields]).toEqual([
				operation,
				v1WithVersion2Changes(operation, fields as Array<Record<string, unknown>>),
			]);
			const { maxRequestsPerSecond: _, ...rest } = defaults as INodeParameters;
			const expected: INodeParameters = { ...rest, options: {} };
			if ('simplify' in rest) expected.simplify = true;
			if (operation === 'refund.create') expected.amount = null;
			if (rest.redactPersonalData === true) expected.redactMetadata = false;
			if ('scheduledCancellations' in rest) expected.pausedCollection = 'count';
			expect([operation, v2[operation].defaults]).toEqual([operation, expected]);
		}
	},
);

test(
	"version 2's refund Amount says the minor-units " +
		'rule and what empty means where a person types it',
	() => {
		const amount = description.properties.find(
			(p) =>
				p.name === 'amount' &&
				p.displayOptions?.show?.resource?.includes('refund') &&
				NodeHelpers.displayParameter(
					{ resource: 'refund', operation: 'create' },
					p,
					{ typeVersion: 2 },
					description,
				),
		);
		expect(amount).toMatchObject({
			hint: expect.stringContaining('1200 is $12.00 but ¥1,200'),
			placeholder: expect.stringMatching(/^Empty: all that is left of the charge/),
		});
		expect(amount!.hint).toContain('Empty refunds all that is left of the charge');
	},
);

/** Version 3's Options entries for the fields it moves there, by name. */
const INTO_OPTIONS: Record<string, Record<string, unknown>> = {
	includeTable: {
		name: 'includeTable',
		displayName: 'Include Table',
		type: 'boolean',
		default: false,
	},
	parallelReading: {
		name: 'parallelReading',
		displayName: 'Parallel Reading',
		type: 'boolean',
		default: true,
	},
	requestTimeout: {
		name: 'requestTimeout',
		displayName: 'Request Timeout (Seconds)',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
	},
};

/** Version 2's fields with exactly version 3's changes applied: what version 3 must show. */
function v2WithVersion3Changes(fields: Array<Record<string, unknown>>): unknown[] {
	const moved = fields.filter((f) => typeof f.name === 'string' && f.name in INTO_OPTIONS);
	const byName = (name: string) => moved.filter((f) => f.name === name);
	return fields
		.filter((f) => !moved.includes(f))
		.map((f) => {
			// The Query's JSON under a name of its own.
			if (f.name === 'query' && f.type === 'json') return { ...f, name: 'queryJson' };
			if (f.name !== 'options') return f;
			// Options: the operation's own, Include Table, the pace, Parallel Reading, the timeout.
			const [own, pace] = [
				(f.options as Array<{ name: string }>).filter((o) => o.name !== 'maxRequestsPerSecond'),
				(f.options as Array<{ name: string }>).filter((o) => o.name === 'maxRequestsPerSecond'),
			];
			return {
				...f,
				options: [
					...own,
					...byName('includeTable').map(() => INTO_OPTIONS.includeTable),
					...pace,
					...byName('parallelReading').map(() => INTO_OPTIONS.parallelReading),
					...byName('requestTimeout').map(() => INTO_OPTIONS.requestTimeout),
				],
			};
		});
}

test.each([false, true])(
	'version 3 differs from version 2 only by its changes (as a tool: %s)',
	(tool) => {
		const [v2, v3] = [surface(2, tool), surface(3, tool)];
		expect(Object.keys(v3)).toEqual(Object.keys(v2));
		for (const [operation, { fields, defaults }] of Object.entries(v2)) {
			expect([operation, v3[operation].fields]).toEqual([
				operation,
				v2WithVersion3Changes(fields as Array<Record<string, unknown>>),
			]);
			const {
				includeTable: _t,
				parallelReading: _p,
				requestTimeout: _r,
				...expected
			} = defaults as INodeParameters;
			if (operation === 'query.run') {
				expected.queryJson = expected.query;
				delete expected.query;
			}
			// A moved field is one of Options, which stays empty until one is added.
			expect([operation, v3[operation].defaults]).toEqual([operation, expected]);
		}
	},
);

test('in version 3 every operation has Request Timeout under Options, no setting twice', () => {
	for (const [operation, { fields }] of Object.entries(surface(3))) {
		const names = (fields as Array<{ name: string; options?: Array<{ name: string }> }>).flatMap(
			(f) => [f.name, ...(f.name === 'options' ? (f.options ?? []).map((o) => o.name) : [])],
		);
		expect([operation, names.filter((n) => n === 'requestTimeout')]).toEqual([
			operation,
			['requestTimeout'],
		]);
		expect([operation, new Set(names).size]).toEqual([operation, names.length]);
	}
});
