/**
 * Every tool tells the model only what its schema lets it pass. n8n-core builds each tool from the
 * node (agent-tools.ts): its schema from the `$fromAI` calls in the node's parameters, its
 * description from the node's `toolDescription` expression. For every resource × operation, with
 * no inputs, with every parameter n8n shows as an input, and with random ones (fast-check):
 * - the description's Inputs section names exactly the schema's properties;
 * - the rest of it names none of the operation's parameters or filters (which an older
 *   description of List Balance Transactions did, with no schema at all);
 * - it is what `describeTool` says (the expression and its TypeScript twin agree).
 * And the placeholders it shows have the shape the redaction really gives.
 */
import fc from 'fast-check';
import {
	NodeHelpers,
	type INodeParameters,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { ReadResourceSpec } from '../../nodes/StripeGuard/framework/read-resource';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { querySpecs, resources } from '../../nodes/StripeGuard/resources';
import {
	RETURNS_PENDING,
	RETURNS_PROPOSAL,
} from '../../nodes/StripeGuard/framework/write-operation';
import { describeTool, PRIVACY_ON, toolTexts } from '../../nodes/StripeGuard/tool-descriptions';
import { runAgent, toolName, type AgentTool } from './agent-tools';
import { useEmulator } from './emulator-context';

const emulator = useEmulator({ seed: 'none' });

const description = new StripeGuard().description;
const toolType: INodeTypeDescription = { ...description, name: `${description.name}Tool` };
const texts = toolTexts(resources, querySpecs);
const OPERATIONS = resources.flatMap((r) =>
	r.operations.map((op) => ({
		resource: r.value,
		operation: op.value,
		key: `${r.value}.${op.value}`,
	})),
);
const specOf = (resource: string) =>
	(resources.find((r) => r.value === resource) as { spec?: ReadResourceSpec }).spec;

/**
 * What n8n shows a tool node of this operation at this version (n8n-workflow's own
 * displayParameter): each parameter, and each option of a collection, as a path with its field.
 */
function shownPaths(resource: string, operation: string, typeVersion: number) {
	const node = { typeVersion };
	const values = NodeHelpers.getNodeParameters(
		description.properties,
		{ resource, operation },
		true,
		false,
		node,
		toolType,
	)!;
	const paths: Array<[string, INodeProperties]> = [];
	for (const p of description.properties) {
		if (['resource', 'operation', 'toolDescription'].includes(p.name)) continue;
		if (p.type === 'notice' || !NodeHelpers.displayParameter(values, p, node, toolType)) continue;
		if (p.type === 'collection')
			for (const o of p.options as INodeProperties[]) paths.push([`${p.name}.${o.name}`, o]);
		else paths.push([p.name, p]);
	}
	return paths;
}

/** Parameters with a `$fromAI` call at each path, keyed as given (quoted with `quote`). */
function withInputs(
	resource: string,
	operation: string,
	inputs: Array<{ path: string; field: INodeProperties; key: string; quote: string }>,
): INodeParameters {
	const parameters: INodeParameters = { resource, operation };
	for (const { path, field, key, quote } of inputs) {
		const call = `={{ $fromAI(${quote}${key}${quote}, ${quote}what ${key} is${quote}) }}`;
		const value = field.type === 'resourceLocator' ? { __rl: true, mode: 'id', value: call } : call;
		const [head, leaf] = path.split('.');
		if (leaf) parameters[head] = { ...(parameters[head] as INodeParameters), [leaf]: value };
		else parameters[head] = value;
	}
	return parameters;
}

const INPUTS_HEADING = '\nInputs (the only parameters):\n';

/** The description apart from its Inputs section, and the keys that section lists. */
function split(text: string): { rest: string; listed: string[] } {
	const at = text.indexOf(INPUTS_HEADING);
	if (at < 0) return { rest: text, listed: [] };
	const lines = text.slice(at + INPUTS_HEADING.length).split('\n');
	return { rest: text.slice(0, at), listed: lines.map((l) => /^- ([\w-]+): /.exec(l)![1]) };
}

/**
 * The operation's parameter names a text mentions: its filters (Stripe's names and their labels),
 * and its parameters' identifiers and labels of more than one word (single words such as "amount"
 * are everyday words too); the resource's own name is not a parameter.
 */
function mentions(resource: string, operation: string, text: string): string[] {
	const spec = specOf(resource);
	const words = new Set<string>();
	if (operation === 'list')
		for (const f of spec?.filters ?? []) {
			words.add(f.name);
			words.add(f.displayName.replace(/ ID$/, '').toLowerCase());
		}
	for (const version of [1, 2, 3])
		for (const [path, field] of shownPaths(resource, operation, version)) {
			const leaf = path.split('.').at(-1)!;
			if (/[A-Z_]/.test(leaf)) words.add(leaf);
			const label = field.displayName.replace(/\s*\(.*\)$/, '').toLowerCase();
			if (label.includes(' ')) words.add(label);
		}
	for (const own of [spec?.label, spec?.plural.replace(/_/g, ' '), resource.toLowerCase()])
		if (own) words.delete(own);
	const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return [...words].filter((w) => new RegExp(`(?<![\\w-])${escape(w)}(?![\\w-])`, 'i').test(text));
}

/** Runs one agent with a tool per operation, each with the given parameters. */
async function toolsFor(
	parametersOf: (op: (typeof OPERATIONS)[number]) => INodeParameters,
	typeVersion = 2,
) {
	const nodes = Object.fromEntries(OPERATIONS.map((op) => [`T_${op.key}`, parametersOf(op)]));
	const run = await runAgent({
		tools: nodes,
		credential: { apiKey: emulator().keys.testRead },
		typeVersion,
	});
	return OPERATIONS.map((op) => ({
		...op,
		tool: run.tools.find((t) => t.name === toolName(`T_${op.key}`)) as AgentTool,
		parameters: run.parameters[`T_${op.key}`],
	}));
}

function checkTool(t: Awaited<ReturnType<typeof toolsFor>>[number]) {
	const { rest, listed } = split(t.tool.description);
	expect({ key: t.key, listed: [...new Set(listed)].sort() }).toEqual({
		key: t.key,
		listed: [...t.tool.inputs].sort(),
	});
	expect({ key: t.key, mentions: mentions(t.resource, t.operation, rest) }).toEqual({
		key: t.key,
		mentions: [],
	});
	expect(t.tool.description).toBe(describeTool(texts[t.key], t.parameters));
}

test('the old List Balance Transactions description fails this test', () => {
	const old =
		'List balance transactions, newest first, filtered by type, payout id, currency, ' +
		'created. Each money movement with its fee and net amount: the basis of revenue and ' +
		'payout reconciliation. Needs Balance Transaction Sources: Read ' +
		'(rak_balance_transaction_source_read). Returns at most 100 simplified objects, newest ' +
		'first.';
	expect(mentions('balanceTransaction', 'list', old).sort()).toEqual([
		'created',
		'currency',
		'payout',
		'type',
	]);
});

test('with no inputs: no tool names a parameter, and each says it takes none', async () => {
	for (const t of await toolsFor((op) => ({ resource: op.resource, operation: op.operation }))) {
		expect(t.tool.inputs).toEqual([]);
		expect(t.tool.description).toMatch(/\nThis tool takes no inputs/);
		checkTool(t);
	}
});

test.each([1, 2, 3])(
	'version %i, every parameter n8n shows as an input: each is listed, nothing else is',
	async (version) => {
		const tools = await toolsFor(
			(op) =>
				withInputs(
					op.resource,
					op.operation,
					shownPaths(op.resource, op.operation, version).map(([path, field], i) => ({
						path,
						field,
						key: `in_${i}`,
						quote: "'",
					})),
				),
			version,
		);
		for (const t of tools) {
			expect(t.tool.inputs.length).toBeGreaterThan(0);
			checkTool(t);
		}
	},
	60_000,
);

test('any set of inputs, keyed and quoted any way n8n takes: the description follows', async () => {
	const choice = fc.record({
		picks: fc.array(fc.nat(), { maxLength: 6 }),
		keys: fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/), { minLength: 6, maxLength: 6 }),
		quote: fc.constantFrom("'", '"', '`'),
	});
	await fc.assert(
		fc.asyncProperty(
			fc.array(choice, { minLength: OPERATIONS.length, maxLength: OPERATIONS.length }),
			async (choices) => {
				const tools = await toolsFor((op) => {
					const { picks, keys, quote } = choices[OPERATIONS.indexOf(op)];
					const paths = shownPaths(op.resource, op.operation, 2);
					const chosen = [...new Set(picks.map((n) => n % paths.length))];
					return withInputs(
						op.resource,
						op.operation,
						chosen.map((n, i) => ({
							path: paths[n][0],
							field: paths[n][1],
							key: `${keys[i]}_${i}`,
							quote,
						})),
					);
				});
				for (const t of tools) checkTool(t);
			},
		),
		{ numRuns: 12 },
	);
}, 120_000);

test('a Propose tool handing its proposal to an approval workflow says: pending', async () => {
	const handOff = { __rl: true, mode: 'id', value: 'wf-approval' };
	for (const t of await toolsFor((op) => ({
		resource: op.resource,
		operation: op.operation,
		approvalWorkflowId: handOff,
	}))) {
		checkTool(t);
		const proposal = texts[t.key].reads === false;
		expect([t.key, t.tool.description.includes(RETURNS_PENDING)]).toEqual([t.key, proposal]);
		expect(t.tool.description).not.toContain(RETURNS_PROPOSAL);
	}
});

test.each([
	[2, 'query'],
	[3, 'queryJson'],
])(
	'version %i: the Query lists its one input (%s); Search names its fields and refuses others',
	async (typeVersion, parameter) => {
		const { tools } = await runAgent({
			tools: {
				Query: { resource: 'query', operation: 'run', [parameter]: "={{ $fromAI('query') }}" },
				Search: { resource: 'charge', operation: 'search', query: "={{ $fromAI('q') }}" },
			},
			credential: { apiKey: emulator().keys.testRead },
			typeVersion,
		});
		const query = tools.find((t) => t.name === 'Query')!;
		const search = tools.find((t) => t.name === 'Search')!;
		expect(query.inputs).toEqual(['query']);
		expect(query.description).toContain('\n- query: the JSON query, in the language above');
		expect(query.description).toContain('- charges (IDs start with ch_)');
		expect(search.description).toMatch(/\n- q: a Stripe search query: /);
		expect(search.description).toContain(
			'Fields: status, amount, currency, customer, disputed, refunded, created, ' +
				"payment_method_details.card.last4, metadata['key']; other fields are refused",
		);
	},
);

test('the placeholders a tool describes have the shape the redaction gives', async () => {
	const customer = emulator().create<{ id: string }>('customer', 'test', {
		name: 'Ada Lovelace',
		email: 'ada@example.com',
		phone: '+44 20 7946 0000',
		description: 'Ada, our first customer',
	});
	const run = await runAgent({
		tools: { Read: { resource: 'customer', operation: 'get', customerId: customer.id } },
		calls: [{ tool: 'Read', args: {} }],
		credential: { apiKey: emulator().keys.testRead },
	});
	const answer = run.answers[0];
	if ('error' in answer) throw new Error(answer.error);
	const [seen] = JSON.parse(answer.text) as Array<Record<string, string>>;
	expect(seen.name).toMatch(/^Person [0-9a-f]{8}$/);
	// The description's example is the real placeholder with another hash.
	for (const value of [seen.name, seen.email, seen.phone, seen.description])
		expect(PRIVACY_ON).toContain(`"${value.replace(/[0-9a-f]{8}/, '3f9a2c1d')}"`);
	expect(run.tools[0].description).toContain(PRIVACY_ON);
	expect(run.tools[0].description).toContain(
		'Links that open a receipt or invoice without logging in, and client secrets, never come back.',
	);
});
