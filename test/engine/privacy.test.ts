/**
 * What reaches a model (or any output) through n8n-core: with Redact Personal Data on (the default
 * for tools) no seeded personal value leaves the node in any shape (simplified, full, expanded,
 * events, reports, proposals), no client secret leaves at any depth, tool errors carry their
 * fix-it hint, tool output is simplified through expansions, and every operation has a tool
 * description (the Query's with its grammar).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { prefixesOf } from '../../nodes/shared/ids';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { querySpecs, resources } from '../../nodes/StripeGuard/resources';
import { toolDescriptions } from '../../nodes/StripeGuard/tool-descriptions';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'none' });

/** Personal values a careless output would carry, each unique so that any leak is found. */
const PERSONAL = {
	name: 'Grace Hopper',
	email: 'grace.hopper@navy.example',
	phone: '+1 202 555 0147',
	line1: '1 Harbor Lane',
	description: 'Grace Hopper account, VIP',
	shippingName: 'Grace B. Hopper',
	taxId: 'DE123456789',
	holder: 'G HOPPER',
	previousName: 'Grace Murray',
	secret: 'pi_secret_DoNotLeak123',
};

function seed() {
	const e = emulator();
	const address = {
		line1: PERSONAL.line1,
		city: 'Arlington',
		postal_code: '22201',
		country: 'US',
		line2: null,
		state: 'VA',
	};
	const customer = e.create<{ id: string }>('customer', 'test', {
		name: PERSONAL.name,
		email: PERSONAL.email,
		phone: PERSONAL.phone,
		address,
		description: PERSONAL.description,
		shipping: { name: PERSONAL.shippingName, phone: PERSONAL.phone, address },
		tax_ids: {
			object: 'list',
			data: [{ object: 'tax_id', type: 'eu_vat', value: PERSONAL.taxId }],
			has_more: false,
		},
	});
	const paymentIntent = e.create<{ id: string }>('payment_intent', 'test', {
		amount: 5000,
		currency: 'usd',
		customer: customer.id,
		client_secret: PERSONAL.secret,
		status: 'succeeded',
		description: PERSONAL.description,
	});
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 5000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
		customer: customer.id,
		payment_intent: paymentIntent.id,
		description: PERSONAL.description,
		billing_details: { name: PERSONAL.name, email: PERSONAL.email, phone: PERSONAL.phone, address },
		shipping: { name: PERSONAL.shippingName, address, phone: PERSONAL.phone },
		receipt_email: PERSONAL.email,
		payment_method_details: {
			type: 'ach_debit',
			ach_debit: { account_holder_name: PERSONAL.holder, last4: '6789' },
		},
	});
	e.create('event', 'test', {
		type: 'customer.updated',
		data: {
			object: {
				id: customer.id,
				object: 'customer',
				name: PERSONAL.name,
				email: PERSONAL.email,
				client_secret: PERSONAL.secret,
			},
			previous_attributes: { name: PERSONAL.previousName },
		},
	});
	return { customer, charge, paymentIntent };
}

const leaks = (output: unknown) => {
	const text = JSON.stringify(output);
	return Object.entries(PERSONAL)
		.filter(([, value]) => text.includes(value))
		.map(([key]) => key);
};

async function asTool(parameters: INodeParameters) {
	const run = await runStripeGuard({
		parameters,
		credential: { apiKey: emulator().keys.testRead },
		asTool: true,
	});
	expect(run.error?.message).toBeUndefined();
	return run.items.map((i) => i.json);
}

describe(
	'items 1 and 3: with redaction on by default for tools, ' +
		'nothing personal and no secret leaves',
	() => {
		test('Query list, search and get (with expansions), Get, List and events', async () => {
			const { customer, charge } = seed();
			const outputs = [
				await asTool({
					resource: 'query',
					operation: 'run',
					query: JSON.stringify({ list: 'customers', limit: 10 }),
				}),
				await asTool({
					resource: 'query',
					operation: 'run',
					query: JSON.stringify({ search: 'customers', query: `email:'${PERSONAL.email}'` }),
				}),
				await asTool({
					resource: 'query',
					operation: 'run',
					query: JSON.stringify({
						get: 'charges',
						id: charge.id,
						expand: ['payment_intent', 'customer'],
					}),
				}),
				await asTool({
					resource: 'query',
					operation: 'run',
					query: JSON.stringify({ list: 'charges', expand: ['payment_intent'] }),
				}),
				await asTool({ resource: 'customer', operation: 'get', customerId: customer.id }),
				await asTool({
					resource: 'charge',
					operation: 'get',
					chargeId: charge.id,
					options: { expand: ['payment_intent', 'customer'] },
				}),
				await asTool({ resource: 'event', operation: 'list', returnAll: true }),
				await asTool({ resource: 'report', operation: 'failedPayments' }),
			];
			for (const output of outputs) expect(leaks(output)).toEqual([]);
			// The same person keeps one placeholder within an execution
			// (two items here, an agent's tool calls in n8n).
			const twice = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'get', customerId: customer.id },
				items: [{}, {}],
				credential: { apiKey: emulator().keys.testRead },
				asTool: true,
			});
			const [first, second] = twice.items.map((i) => i.json.name);
			expect(first).toMatch(/^Person [0-9a-f]{8}$/);
			expect(second).toBe(first);
		});

		test(
			'client secrets are removed at every depth ' + 'even with redaction off and Simplify off',
			async () => {
				const { charge } = seed();
				const run = await runStripeGuard({
					parameters: {
						resource: 'charge',
						operation: 'get',
						chargeId: charge.id,
						simplify: false,
						redactPersonalData: false,
						options: { expand: ['payment_intent'] },
					},
					credential: { apiKey: emulator().keys.testRead },
				});
				const events = await runStripeGuard({
					parameters: { resource: 'event', operation: 'list', returnAll: true, simplify: false },
					credential: { apiKey: emulator().keys.testRead },
				});
				const text = JSON.stringify([run.items, events.items]);
				expect(text).toContain(PERSONAL.name); // redaction off: the data is there…
				expect(text).not.toContain('client_secret'); // …but no secret, at any depth
				expect(text).not.toContain(PERSONAL.secret);
			},
		);

		test('in a workflow, redaction stays off unless chosen', async () => {
			const { customer } = seed();
			const run = await runStripeGuard({
				parameters: { resource: 'customer', operation: 'get', customerId: customer.id },
				credential: { apiKey: emulator().keys.testRead },
			});
			expect(run.items[0].json.email).toBe(PERSONAL.email);
		});
	},
);

test('a refund proposal returned to a model carries no customer email or name', async () => {
	const { charge } = seed();
	const run = await runStripeGuard({
		parameters: {
			resource: 'refund',
			operation: 'create',
			chargeId: charge.id,
			additionalFields: { amount: 100 },
		},
		credential: { apiKey: emulator().keys.testWrite, allowWrites: true },
		asTool: true,
	});
	expect(run.items[0].json.type).toBe('stripeGuardProposal');
	expect(leaks(run.items)).toEqual([]);
});

test(
	'a tool error carries the fix-it hint in its message, ' + 'which is all n8n gives a model',
	async () => {
		const run = await runStripeGuard({
			parameters: { resource: 'charge', operation: 'get', chargeId: 'py_123' },
			credential: { apiKey: emulator().keys.testRead },
			asTool: true,
		});
		expect(run.error?.message).toMatch(
			/is not a charge ID.*Charge IDs start with ch_, for example/,
		);
		const { charge } = seed();
		const write = await runStripeGuard({
			parameters: {
				resource: 'refund',
				operation: 'create',
				chargeId: charge.id,
				additionalFields: { amount: -5 },
			},
			credential: { apiKey: emulator().keys.testWrite },
			asTool: true,
		});
		expect(write.error?.message).toMatch(/Nothing was proposed/);
	},
);

test('tool output is simplified through expansions', async () => {
	const { charge } = seed();
	const [out] = await asTool({
		resource: 'charge',
		operation: 'get',
		chargeId: charge.id,
		options: { expand: ['customer'] },
	});
	const customer = out.customer as IDataObject;
	expect(customer.id).toMatch(/^cus_/);
	for (const fullOnly of ['invoice_settings', 'discount', 'tax_ids', 'shipping'])
		expect(customer).not.toHaveProperty(fullOnly);
});

test('a query that returns exactly its limit says nothing about Max Rows', async () => {
	emulator().createMany('customer', 'test', 8);
	const run = await runStripeGuard({
		parameters: {
			resource: 'query',
			operation: 'run',
			query: JSON.stringify({ list: 'customers', limit: 5 }),
		},
		credential: { apiKey: emulator().keys.testRead },
	});
	expect(run.items).toHaveLength(5);
	expect(JSON.stringify(run.hints)).not.toMatch(/Max Rows/);
});

describe('every tool is described for a model', () => {
	const texts = toolDescriptions(resources, querySpecs);

	test('every operation has a description; writes say they only propose', () => {
		for (const resource of resources)
			for (const op of resource.operations)
				expect(texts[`${resource.value}.${op.value}`]?.length).toBeGreaterThan(40);
		expect(texts['refund.create']).toMatch(
			/Returns a proposal for a person to approve; nothing changes in Stripe until then/,
		);
		expect(texts['refund.create']).toMatch(/smallest unit: 1200 is \$12.00 but ¥1,200/);
		expect(texts['charge.get']).toMatch(/ch_/);
	});

	test("the Query's grammar is generated from its validator's schemas", () => {
		const grammar = texts['query.run'];
		for (const spec of querySpecs) {
			expect(grammar).toContain(
				spec.idPrefix
					? `- ${spec.plural} (IDs start with ${prefixesOf(spec.idPrefix).join(' or ')})`
					: `- ${spec.plural} (IDs have no prefix: letters, digits, _ and -)`,
			);
			for (const filter of spec.filters) expect(grammar).toContain(`${filter.name}: `);
		}
		expect(grammar).toContain(
			'status: one of active, all, canceled, ended, incomplete, ' +
				'incomplete_expired, past_due, paused, trialing, unpaid',
		);
		expect(grammar).toMatch(/created: a period \(last_24_hours, today, yesterday, last_7_days/);
		// A budget for what a model reads: about 200 characters for each resource (15 with disputes).
		expect(grammar.length).toBeLessThan(6500);
		expect(grammar).toContain('"limit": 1–1000');
	});

	test('the node carries them as the hidden tool description, only in the tool variant', () => {
		const field = new StripeGuard().description.properties.find(
			(p) => p.name === 'toolDescription',
		)!;
		expect(field.type).toBe('hidden');
		expect(field.displayOptions?.show?.['@tool']).toEqual([true]);
		expect(String(field.default)).toContain('$parameter.resource');
	});
});
