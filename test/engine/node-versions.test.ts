/**
 * Node versions as n8n's editor and engine read them (n8n-workflow's own displayParameter and
 * getNodeParameters): version 1, which every saved workflow uses, offers exactly the parameters it
 * offered before version 2 existed (names, types, defaults, choices), frozen in a fixture taken
 * from the code before version 2; version 2 differs from it only by its changes: Simplify on by
 * default, a refund's Amount as a field of its own, Max Requests per Second in Options, Redact
 * Metadata under Redact Personal Data and Paused Collection in the subscription reports.
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

const FIXTURE = join(__dirname, 'fixtures/stripe-guard-v1-parameters.json');
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
	const node = { typeVersion };
	const out: Surface = {};
	const resources = description.properties.find((p) => p.name === 'resource')!
		.options as INodePropertyOptions[];
	for (const resource of resources) {
		const operations = description.properties.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource.value),
		)!;
		for (const operation of operations.options as INodePropertyOptions[]) {
			const defaults = NodeHelpers.getNodeParameters(
				description.properties,
				{ resource: resource.value, operation: operation.value },
				true,
				false,
				node,
				type,
			);
			const fields = description.properties
				.filter((p) => NodeHelpers.displayParameter(defaults ?? {}, p, node, type))
				.map(shape);
			// The tool's description is generated from the help texts, which may be reworded.
			const { toolDescription: _, ...settable } = defaults ?? {};
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

test(
	'version 1 offers exactly the parameters, ' + 'defaults and choices it had before version 2',
	() => {
		const v1 = { workflow: surface(1), tool: surface(1, true) };
		if (process.env.UPDATE_V1_FIXTURE) {
			mkdirSync(dirname(FIXTURE), { recursive: true });
			// One line per operation: a change to version 1 shows in a diff as the operations it touched.
			const lines = (s: Surface) =>
				Object.entries(s)
					.map(([op, v]) => `  ${JSON.stringify(op)}: ${JSON.stringify(v)}`)
					.join(',\n');
			writeFileSync(
				FIXTURE,
				`{\n "workflow": {\n${lines(v1.workflow)}\n },\n "tool": {\n${lines(v1.tool)}\n }\n}\n`,
			);
		}
		expect(existsSync(FIXTURE)).toBe(true);
		expect(JSON.parse(JSON.stringify(v1))).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
	},
);

test('a new node is version 2; saved workflows keep version 1', () => {
	expect([description.version, description.defaultVersion]).toEqual([[1, 2], 2]);
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
