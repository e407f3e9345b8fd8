/**
 * Privacy toward models on a real n8n (`n8n start`): an AI Agent whose model is scripted on
 * 127.0.0.1 reads customers, charges (expanded with their payment intents and customers), events
 * and the Failed Payments report through Stripe Guard tools left at their defaults (Redact Personal
 * Data is on by default for tools), then proposes a refund. Every request n8n sends the model is
 * kept; none may carry a seeded personal value (each one unique, so a leak is found where it is)
 * nor any client secret. The person approving the refund, on the other hand, sees whose money it
 * is, and the refund is written once they approve.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type StripeEmulator } from '../emulator';
import { startReceiver } from '../receiver';
import { executionStatus as statusOf, waitFor } from './polling';
import { decide, reviewLinks, webhook } from './workflows';
import { startScriptedModel, toolNamed, type ChatRequest } from './scripted-model';

const runtime =
	require('../../scripts/n8n-runtime.js') as typeof import('../../scripts/n8n-runtime.js');

jest.setTimeout(15 * 60_000);

const PORT = 5695;
const WORKFLOW_ID = 'sgE2ePrivacyAgent01';
const CREDENTIAL = { id: 'sgE2ePrivacyWrite01', name: 'Stripe Guard (emulator, privacy)' };
const OPENAI_CREDENTIAL = { id: 'sgE2ePrivacyModel01', name: 'Scripted model (privacy)' };
const ANSWER =
	'I looked at the customers, charges and failed payments, ' +
	'and proposed the refund for a person to approve.';

let emulator: StripeEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let model: Awaited<ReturnType<typeof startScriptedModel>>;
let server: Awaited<ReturnType<typeof runtime.startServer>>;
let cookie: string;
let userFolder: string;

/** Every personal or secret value seeded, by where it was put (the label names the leak). */
const personal = new Map<string, string>();
const secrets = new Map<string, string>();
const keep = <T extends string>(label: string, value: T, into = personal): T => {
	if ([...into.values()].includes(value)) throw new Error(`seeded value ${value} is not unique`);
	into.set(label, value);
	return value;
};

/** An address whose every line is unique to `who` (the country is too common to look for). */
const address = (label: string, n: number, street: string, town: string) => ({
	line1: keep(`${label}.line1`, `${10 + n} ${street}`),
	line2: keep(`${label}.line2`, `Hinterhaus ${n}${'abcdefgh'[n]}`),
	city: keep(`${label}.city`, town),
	state: keep(`${label}.state`, `${town}-Land`),
	postal_code: keep(`${label}.postal_code`, `PZ-${40_000 + n * 1111}`),
	country: 'DE',
});

const PEOPLE = [
	{ first: 'Quillon', last: 'Marbury', street: 'Zephyrweg', town: 'Lindenbruck' },
	{ first: 'Ysolde', last: 'Thistlewood', street: 'Quittenallee', town: 'Ravensholm' },
	{ first: 'Barnaby', last: 'Okonkwo-Reyes', street: 'Brombeerstieg', town: 'Falkenmoor' },
	{ first: 'Wendeline', last: 'Osterhaus', street: 'Holunderpfad', town: 'Kranichfeld' },
];

interface Seeded {
	customers: Array<{ id: string; name: string; email: string }>;
	charges: Array<{ id: string; amount: number; paymentIntent: string }>;
	failedCharge: string;
}
let seeded: Seeded;

/**
 * Customers, their charges and payment intents, a failed charge
 * and a customer.updated event, rich in personal values.
 */
function seed(): Seeded {
	const now = Math.floor(Date.now() / 1000);
	const customers: Seeded['customers'] = [];
	const charges: Seeded['charges'] = [];
	let failedCharge = '';
	PEOPLE.forEach((p, i) => {
		const name = `${p.first} ${p.last}`;
		const mail = `${p.first}.${p.last}`.toLowerCase();
		const customer = emulator.create<{ id: string }>('customer', 'test', {
			created: now - 86_400 + i,
			name: keep(`customers[${i}].name`, name),
			email: keep(`customers[${i}].email`, `${mail}@privacy-e2e.test`),
			phone: keep(`customers[${i}].phone`, `+49 30 5550 ${1000 + i}`),
			address: address(`customers[${i}].address`, i, p.street, p.town),
			shipping: {
				name: keep(`customers[${i}].shipping.name`, `${p.first}a-Lieselotte ${p.last}`),
				phone: keep(`customers[${i}].shipping.phone`, `+49 40 5551 ${2000 + i}`),
				address: address(
					`customers[${i}].shipping.address`,
					i + 10,
					`${p.street}-Hof`,
					`Neu-${p.town}`,
				),
			},
			description: keep(`customers[${i}].description`, `${name} account`),
			tax_ids: {
				object: 'list',
				data: [
					{
						id: `txi_privacy${i}`,
						object: 'tax_id',
						type: 'eu_vat',
						value: keep(`customers[${i}].tax_ids.value`, `DE8119079${80 + i}`),
					},
				],
				has_more: false,
				url: '/v1/customers/tax_ids',
			},
		});
		customers.push({ id: customer.id, name, email: `${mail}@privacy-e2e.test` });

		const billing = {
			name: keep(`charges[${i}].billing_details.name`, `${p.first} B. ${p.last}-Billing`),
			email: keep(`charges[${i}].billing_details.email`, `billing.${mail}@payer-e2e.test`),
			phone: keep(`charges[${i}].billing_details.phone`, `+49 89 5552 ${3000 + i}`),
			address: address(
				`charges[${i}].billing_details.address`,
				i + 20,
				`${p.street}-Markt`,
				`Alt-${p.town}`,
			),
		};
		const shipping = {
			name: keep(`charges[${i}].shipping.name`, `${p.first} S. ${p.last}-Shipping`),
			phone: keep(`charges[${i}].shipping.phone`, `+49 69 5553 ${4000 + i}`),
			address: address(
				`charges[${i}].shipping.address`,
				i + 30,
				`${p.street}-Ufer`,
				`Ober-${p.town}`,
			),
			carrier: null,
			tracking_number: null,
		};
		const failed = i === 3;
		const amount = 1500 + 500 * i;
		const intent = emulator.create<{ id: string }>('payment_intent', 'test', {
			created: now - 3600 + i,
			amount,
			currency: 'eur',
			customer: customer.id,
			status: failed ? 'requires_payment_method' : 'succeeded',
			client_secret: keep(
				`payment_intents[${i}].client_secret`,
				`pi_privacy${i}_secret_Zq${i}VvX9kLm2Np7Rt4Ws8Yb`,
				secrets,
			),
			description: keep(`payment_intents[${i}].description`, `Espresso machine for ${name}`),
			receipt_email: keep(
				`payment_intents[${i}].receipt_email`,
				`pi.receipts.${mail}@intent-e2e.test`,
			),
			shipping,
		});
		const charge = emulator.create<{ id: string }>('charge', 'test', {
			created: now - 3600 + i,
			amount,
			amount_captured: failed ? 0 : amount,
			currency: 'eur',
			customer: customer.id,
			payment_intent: intent.id,
			billing_details: billing,
			shipping,
			receipt_email: keep(`charges[${i}].receipt_email`, `receipts.${mail}@receipt-e2e.test`),
			description: keep(`charges[${i}].description`, `Order 4${i}17 for ${name}`),
			...(failed
				? {
						status: 'failed',
						paid: false,
						captured: false,
						failure_code: 'card_declined',
						failure_message: 'Your card was declined.',
						outcome: {
							network_status: 'declined_by_network',
							reason: 'insufficient_funds',
							risk_level: 'normal',
							seller_message: 'The bank returned the decline code `insufficient_funds`.',
							type: 'issuer_declined',
						},
					}
				: {
						outcome: {
							network_status: 'approved_by_network',
							reason: null,
							risk_level: 'normal',
							seller_message: 'Payment complete.',
							type: 'authorized',
						},
					}),
		});
		if (failed) failedCharge = charge.id;
		else charges.push({ id: charge.id, amount, paymentIntent: intent.id });
	});

	// The first customer was renamed: the event keeps the old name and email.
	const renamed = structuredClone(emulator.get('customer', 'test', customers[0].id)!);
	emulator.create('event', 'test', {
		created: now - 60,
		type: 'customer.updated',
		data: {
			object: renamed,
			previous_attributes: {
				name: keep('events[0].data.previous_attributes.name', 'Quillon Marbury-Vandersloot'),
				email: keep('events[0].data.previous_attributes.email', 'q.vandersloot@previous-e2e.test'),
			},
		},
		request: { id: null, idempotency_key: null },
	});
	return { customers, charges, failedCharge };
}

const stripeGuardTool = (
	name: string,
	parameters: Record<string, unknown>,
	position: [number, number],
) => ({
	id: `node-${name.replace(/\W/g, '')}`,
	name,
	type: 'n8n-nodes-stripe-guard.stripeGuardTool',
	typeVersion: 1,
	position,
	parameters,
	credentials: { stripeRestrictedKeyApi: CREDENTIAL },
});

const CHARGE_ID = "={{ $fromAI('chargeId', 'The ID of the charge, starting with ch_', 'string') }}";

/**
 * Webhook → AI Agent (scripted model; tools Query, Read charge, Failed payments, Propose refund,
 * every one at its defaults) → Stripe Guard Approval.
 */
function agentWorkflow() {
	const tools = ['Query Stripe', 'Read charge', 'Failed payments', 'Propose refund'];
	return {
		id: WORKFLOW_ID,
		name: 'Agent privacy',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('sg-privacy', 'onReceived'),
			{
				id: 'node-agent',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [220, 0],
				parameters: {
					promptType: 'define',
					text: '={{ $json.body.question }}',
					options: { returnIntermediateSteps: true },
				},
			},
			{
				id: 'node-model',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [100, 200],
				parameters: {
					model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' },
					options: {},
					responsesApiEnabled: false,
				},
				credentials: { openAiApi: OPENAI_CREDENTIAL },
			},
			stripeGuardTool(
				'Query Stripe',
				{
					resource: 'query',
					operation: 'run',
					query:
						"={{ $fromAI('query', 'A Stripe Guard JSON query; " +
						"see this tool\\'s description for the grammar', 'string') }}",
				},
				[220, 200],
			),
			stripeGuardTool(
				'Read charge',
				{ resource: 'charge', operation: 'get', chargeId: CHARGE_ID },
				[340, 200],
			),
			stripeGuardTool(
				'Failed payments',
				{ resource: 'report', operation: 'failedPayments' },
				[460, 200],
			),
			stripeGuardTool(
				'Propose refund',
				{ resource: 'refund', operation: 'create', chargeId: CHARGE_ID },
				[580, 200],
			),
			{
				id: 'node-approval',
				name: 'Stripe Guard Approval',
				type: 'n8n-nodes-stripe-guard.stripeGuardApproval',
				typeVersion: 1,
				position: [660, 0],
				parameters: {
					operation: 'sendAndWait',
					webhookUrl: receiver.url,
					expireAfter: 60,
					expireUnit: 'minutes',
				},
				credentials: { stripeRestrictedKeyApi: CREDENTIAL },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Stripe Guard Approval', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			...Object.fromEntries(
				tools.map((t) => [t, { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] }]),
			),
		},
	};
}

/** The model's script: one tool call per turn, in this order, then the answer. */
function calls(): Array<{ tool: string; arguments: Record<string, unknown>; what: string }> {
	const [c0, c1, c2] = seeded.charges;
	const query = (q: Record<string, unknown>) => ({ query: JSON.stringify(q) });
	return [
		{
			what: 'Query: list customers',
			tool: 'Query_Stripe',
			arguments: query({ list: 'customers', limit: 10 }),
		},
		{
			what: 'Query: search customers by email',
			tool: 'Query_Stripe',
			arguments: query({ search: 'customers', query: `email:'${seeded.customers[0].email}'` }),
		},
		{
			what: 'Query: get a charge expanded',
			tool: 'Query_Stripe',
			arguments: query({ get: 'charges', id: c0.id, expand: ['payment_intent', 'customer'] }),
		},
		{
			what: 'Query: list charges expanded',
			tool: 'Query_Stripe',
			arguments: query({ list: 'charges', limit: 10, expand: ['payment_intent'] }),
		},
		{
			what: 'Query: get a payment intent',
			tool: 'Query_Stripe',
			arguments: query({ get: 'payment_intents', id: c1.paymentIntent }),
		},
		{
			what: 'Query: list customer.updated events',
			tool: 'Query_Stripe',
			arguments: query({ list: 'events', filters: { type: 'customer.updated' } }),
		},
		{ what: 'Charge: Get', tool: 'Read_charge', arguments: { chargeId: c1.id } },
		{ what: 'Report: Failed Payments', tool: 'Failed_payments', arguments: {} },
		{ what: 'Refund: Create', tool: 'Propose_refund', arguments: { chargeId: c2.id } },
	];
}

const executionStatus = (id: string) => statusOf(server.url, cookie, id);

beforeAll(async () => {
	const n8n = runtime.ensureN8n();
	emulator = await startEmulator();
	seeded = seed();
	receiver = await startReceiver();
	model = await startScriptedModel((request, turn) => {
		const script = calls();
		if (turn >= script.length) return { answer: ANSWER };
		return {
			toolCalls: [
				{ name: toolNamed(request, script[turn].tool), arguments: script[turn].arguments },
			],
		};
	});
	userFolder = mkdtempSync(join(tmpdir(), 'stripe-guard-privacy-e2e-'));
	runtime.installPackage(userFolder);
	const env = runtime.n8nEnv(n8n, { userFolder, port: PORT, stripeEmulatorPort: emulator.port });
	await runtime.importCredentials(n8n, env, [
		{
			...CREDENTIAL,
			type: 'stripeRestrictedKeyApi',
			data: {
				apiKey: emulator.keys.testWrite,
				environment: 'test',
				accountId: '',
				allowWrites: true,
			},
		},
		{
			...OPENAI_CREDENTIAL,
			type: 'openAiApi',
			data: { apiKey: 'sk-scripted-model', url: model.url },
		},
	]);
	await runtime.importWorkflow(n8n, env, agentWorkflow());
	await runtime.publishWorkflow(n8n, env, WORKFLOW_ID);
	server = await runtime.startServer(n8n, env);
	({ cookie } = await runtime.setupOwner(server.url));
	emulator.clearRequests();
});

afterAll(async () => {
	await server?.stop();
	await Promise.all([emulator?.stop(), receiver?.stop(), model?.stop()]);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

/**
 * n8n stores run data "flatted": objects and strings in
 * one array, referred to by their index as a string.
 */
function unflatten(text: string): unknown {
	const table = JSON.parse(text) as unknown[];
	const done = new Map<number, unknown>();
	const at = (i: number): unknown => {
		if (done.has(i)) return done.get(i);
		const value = table[i];
		if (!value || typeof value !== 'object') return value;
		const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		done.set(i, out);
		for (const [k, v] of Object.entries(value))
			(out as Record<string, unknown>)[k] = typeof v === 'string' ? at(Number(v)) : v;
		return out;
	};
	return at(0);
}

/**
 * Throws with the run's error and what the model saw
 * last when the agent's run ended without asking.
 */
async function failedRun(): Promise<undefined> {
	const res = await fetch(
		`${server.url}/rest/executions?filter=` +
			encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID })),
		{ headers: { cookie } },
	);
	const body = (await res.json()) as { data?: { results?: Array<{ id: string; status: string }> } };
	const run = body.data?.results?.[0];
	if (!run || !['error', 'crashed', 'success'].includes(run.status)) return undefined;
	const detail = (await (
		await fetch(`${server.url}/rest/executions/${run.id}`, { headers: { cookie } })
	).json()) as { data: { data: string } };
	const { resultData } = unflatten(detail.data.data) as {
		resultData: { error?: { message?: string; context?: unknown; node?: { name?: string } } };
	};
	const error = resultData.error;
	const last = model.requests.at(-1)?.messages.slice(-2);
	throw new Error(
		`the agent's run ${run.id} ended ${run.status} after ${model.requests.length} model ` +
			`request(s): ${error?.node?.name ?? ''}: ${error?.message ?? 'no error'} ` +
			`${JSON.stringify(error?.context ?? {})}; last messages: ` +
			`${String(JSON.stringify(last)).slice(0, 3000)}`,
	);
}

/** Where `needle` occurs in `value`: JSON paths, each with the text around the hit. */
function findIn(value: unknown, needle: string, path: string, out: string[] = []): string[] {
	if (typeof value === 'string') {
		const at = value.indexOf(needle);
		if (at >= 0)
			out.push(`${path}: …${value.slice(Math.max(0, at - 120), at + needle.length + 60)}…`);
	} else if (Array.isArray(value)) {
		value.forEach((v, i) => findIn(v, needle, `${path}[${i}]`, out));
	} else if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			if (k.includes(needle)) out.push(`${path}: key ${k}`);
			findIn(v, needle, `${path}.${k}`, out);
		}
	}
	return out;
}

type Message = ChatRequest['messages'][number] & {
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
};

/**
 * A request as sent, except the tool-call arguments the model wrote itself (the search by an email
 * the model already knew): those are not something n8n or Stripe Guard told it.
 */
function withoutModelsOwnWords(request: ChatRequest): ChatRequest {
	const copy = structuredClone(request);
	for (const m of copy.messages as Message[]) {
		for (const call of m.role === 'assistant' ? (m.tool_calls ?? []) : [])
			call.function.arguments = '<written by the model>';
	}
	return copy;
}

/** The tool (by the model's call) each tool result answers, to name a leak's source. */
function toolOfResult(request: ChatRequest, toolCallId: string | undefined): string {
	for (const m of request.messages as Message[]) {
		const call = m.tool_calls?.find((c) => c.id === toolCallId);
		if (call) return `${call.function.name}(${call.function.arguments})`;
	}
	return 'unknown tool';
}

test(
	'no personal value and no client secret reaches the model; ' +
		'the approver sees the customer; the approved refund is written',
	async () => {
		const [, , refunded] = seeded.charges;
		const res = await waitFor('webhook sg-privacy', async () => {
			const r = await fetch(`${server.url}/webhook/sg-privacy`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					question:
						'Look through our customers and recent charges and ' +
						'refund the order the customer complained about.',
				}),
			});
			return r.status === 404 ? undefined : r;
		});
		expect(res.status).toBe(200);
		const { text } = await waitFor(
			'the approval request',
			async () => receiver.messages[0] ?? (await failedRun()),
			120_000,
		);
		const script = calls();

		// The script ran to its end: one request per tool result, then the answer.
		expect(model.requests).toHaveLength(script.length + 1);
		const results = (model.requests.at(-1)!.messages as Message[]).filter((m) => m.role === 'tool');
		expect(results).toHaveLength(script.length);
		const result = (what: string) =>
			String(results[script.findIndex((c) => c.what === what)].content);
		// Each tool answered with the data asked for (redacted),
		// not an error: the check below is not vacuous.
		const [cus0, cus1, cus2] = seeded.customers;
		for (const c of seeded.customers) expect(result('Query: list customers')).toContain(c.id);
		expect(result('Query: list customers')).toContain('@redacted.invalid');
		expect(result('Query: search customers by email')).toContain(cus0.id);
		expect(result('Query: search customers by email')).not.toContain(cus1.id);
		expect(result('Query: get a charge expanded')).toContain(seeded.charges[0].id);
		expect(result('Query: get a charge expanded')).toContain(seeded.charges[0].paymentIntent);
		for (const c of seeded.charges) expect(result('Query: list charges expanded')).toContain(c.id);
		expect(result('Query: list charges expanded')).toContain(seeded.failedCharge);
		expect(result('Query: get a payment intent')).toContain(seeded.charges[1].paymentIntent);
		expect(result('Query: list customer.updated events')).toContain('customer.updated');
		expect(result('Query: list customer.updated events')).toContain(cus0.id);
		expect(result('Charge: Get')).toContain(seeded.charges[1].id);
		expect(result('Report: Failed Payments')).toContain(seeded.failedCharge);
		expect(result('Report: Failed Payments')).toContain('insufficient_funds');
		expect(result('Refund: Create')).toContain('stripeGuardProposal');
		expect(result('Refund: Create')).toContain(refunded.id);

		// Nothing n8n sent the model (system and user messages, tool results, the tools array) carries
		// a seeded personal value, a client secret, or the key client_secret.
		const leaks: string[] = [];
		model.requests.forEach((request, r) => {
			const sent = withoutModelsOwnWords(request);
			for (const [label, value] of [...personal, ...secrets, ['the key', 'client_secret']]) {
				for (const hit of findIn(sent, value, `requests[${r}]`)) {
					const m = /^requests\[\d+\]\.messages\[(\d+)\]/.exec(hit);
					const message = m ? (sent.messages[Number(m[1])] as Message) : undefined;
					const source =
						message?.role === 'tool'
							? ` (result of ${toolOfResult(sent, message.tool_call_id)})`
							: '';
					leaks.push(`${label} ${JSON.stringify(value)} at ${hit}${source}`);
				}
			}
		});
		// A leak shows once per request that repeats the conversation: report each distinct one.
		expect([
			...new Set(leaks.map((l) => l.replace(/^(.*) at requests\[\d+\]/, '$1 at requests[*]'))),
		]).toEqual([]);
		// The only seeded value in the model's requests at
		// all is the email it searched by, in its own call.
		const searched = seeded.customers[0].email;
		const raw = JSON.stringify(model.requests.at(-1));
		expect(raw.split(searched).length - 1).toBe(1);
		// 36 per person (customer 17, charge 17, payment intent
		// 2) × 4, and the event's previous name and email.
		expect([personal.size, secrets.size]).toEqual([146, 4]);

		// The approver sees whose refund it is: the customer's name and email, from Stripe now.
		expect(text).toContain(`of charge ${refunded.id}`);
		const context = text.slice(text.indexOf('From Stripe now:'));
		const customerLine = context.split('\n').find((l) => l.includes('Customer:'))!;
		expect(customerLine).toContain(cus2.name);
		expect(customerLine).toContain(cus2.email);
		expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);

		const executionId = /execution (\S+)\. /.exec(text)![1];
		expect(await executionStatus(executionId)).toBe('waiting');
		const [{ url }] = reviewLinks(text);
		const decision = await decide(url, { approver: 'Ada Lovelace', decision: 'approve' });
		expect(await decision.text()).toContain('1 of 1 change(s) made in Stripe');
		await waitFor(`execution ${executionId} to finish`, async () =>
			(await executionStatus(executionId)) === 'success' ? true : undefined,
		);
		expect(
			emulator.requests.filter((r) => r.method !== 'GET').map((r) => [r.method, r.path]),
		).toEqual([['POST', '/v1/refunds']]);
		const refunds = emulator.list('refund', 'test').filter((r) => r.charge === refunded.id);
		expect(refunds).toHaveLength(1);
		expect(refunds[0].amount).toBe(refunded.amount);
		// The answer came last; the model was never asked again after the proposal.
		expect(model.requests).toHaveLength(script.length + 1);
	},
);
