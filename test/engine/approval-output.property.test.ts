/**
 * What Stripe Guard Approval puts on Approved and Failed, by node version, through n8n-core and the
 * emulator, for every declared write. Oracles: what Stripe answers (the same request sent again by
 * Stripe's own SDK with the same idempotency key, which Stripe answers with the same object),
 * Stripe's definitions of which fields are Unix times (fixtures/stripe-unix-time-fields.json) and
 * Stripe's documented zero- and three-decimal currencies. As a fast-check property over the
 * objects each write acts on (every Unix time Stripe defines in them planted at random, random
 * currencies and amounts):
 *  - version 1 (saved workflows): the item is Stripe's object, key for key, then audit, auditRows;
 *  - version 2 (new nodes): the simplified object first (its resource's own shape), every date in
 *    it the ISO 8601 string of Stripe's Unix seconds and no Unix time left as a number, every
 *    `_formatted` amount the amount in its currency; then audit, auditRows and `stripeObject`,
 *    which is Stripe's object.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import Stripe from 'stripe';

import { querySpecs } from '../../nodes/StripeGuard/resources';
import { objectTypeOf } from '../../nodes/StripeGuard/framework/read-resource';
import {
	WRITES,
	type WriteContext,
	type WriteDefinition,
	type WriteKey,
	WRITE_BUILDERS,
} from '../../nodes/StripeGuard/writes';
import { StripeGuardApproval } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { createProposal, type Proposal } from '../../nodes/shared/proposals/proposals';
import type { ObjectType } from '../emulator';
import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import type { TestCredential } from './harness';
import { newNodeAt } from './node-surface';
import { expectFormattedAmounts, expectIsoDates, places, UNIX_TIMES } from './simplified-oracle';

const RUNS = Number(process.env.PROPERTY_PATH_RUNS || 3);
const writes = WRITES as unknown as WriteDefinition[];

// Without Stripe's rate limits: the SDK that reads Stripe's answer again does not retry a 429.
const emulator = useEmulator({ seed: 'none', rateLimits: false });
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
	receiver = await startReceiver();
});
afterAll(async () => await receiver.stop());

const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

/** Stripe's answer to the same request with the same idempotency key, as Stripe's SDK reads it. */
async function stripeAnswer(proposal: Proposal): Promise<IDataObject> {
	const { method, path, params } = proposal.request;
	const query = new URLSearchParams(params as Record<string, string>).toString();
	const url = method === 'POST' || !query ? path : `${path}?${query}`;
	const answer = await new Stripe(emulator().keys.testWrite, {
		maxNetworkRetries: 0,
	}).rawRequest(method, url, method === 'POST' ? params : undefined, {
		idempotencyKey: `stripe-guard-${proposal.proposalId}`,
	});
	// README: client secrets are removed at every depth of every output.
	return JSON.parse(JSON.stringify(answer), (k, v: unknown) =>
		k === 'client_secret' ? undefined : v,
	) as IDataObject;
}

// ---------------------------------------------------------------------------------------------
// The objects each write acts on: the IDs of its declared example, planted at random.
// ---------------------------------------------------------------------------------------------

const CURRENCIES = ['usd', 'eur', 'gbp', 'jpy', 'krw', 'bhd', 'kwd'];
interface Drawn {
	currency: string;
	amount: number;
	times: number[];
	nulls: boolean[];
}
const drawn: fc.Arbitrary<Drawn> = fc.record({
	currency: fc.constantFrom(...CURRENCIES),
	amount: fc.integer({ min: 1_000, max: 9_999_999 }),
	times: fc.uniqueArray(fc.integer({ min: 1_000_000_000, max: 2_100_000_000 }), {
		minLength: 300,
		maxLength: 300,
	}),
	nulls: fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
});

/** Writes keep objects they act on in a state Stripe allows; those dates are not drawn. */
const KEEP: Record<string, string[]> = {
	checkout_session: ['expires_at'],
	dispute: ['evidence_details.due_by'],
	subscription: ['canceled_at', 'ended_at', 'cancel_at', 'trial_end', 'trial_start'],
	payment_intent: ['canceled_at'],
};

function seed(d: Drawn, invoiceStatus: 'draft' | 'open') {
	const e = emulator();
	let i = 0;
	const plant = (type: ObjectType, fields: IDataObject) => {
		const object = e.create<IDataObject>(type, 'test', fields);
		const stripeType = type === 'checkout_session' ? 'checkout.session' : type;
		for (const path of UNIX_TIMES[stripeType] ?? []) {
			if ((KEEP[type] ?? []).includes(path)) continue;
			for (const { parent, key } of places(object, path)) {
				// About one in two optional dates not set, as Stripe sends null for them.
				parent[key] = parent[key] === null && d.nulls[i] ? null : d.times[i];
				i++;
			}
		}
		return object;
	};
	const { currency, amount } = d;
	const customer = plant('customer', {
		id: 'cus_Example1',
		name: 'Ada Lovelace',
		email: 'ada@example.com',
		balance: -amount,
		currency,
	});
	plant('product', { id: 'prod_Example1', name: 'Pro plan', active: true });
	const price = plant('price', {
		id: 'price_Example1',
		product: 'prod_Example1',
		currency,
		unit_amount: amount,
		active: true,
		type: 'one_time',
		recurring: null,
		billing_scheme: 'per_unit',
	});
	plant('coupon', {
		id: 'SUMMER25',
		amount_off: amount,
		percent_off: null,
		currency,
		duration: 'once',
		valid: true,
	});
	plant('subscription', { id: 'sub_Example1', customer: customer.id, status: 'active', currency });
	plant('invoice', {
		id: 'in_Example1',
		customer: customer.id,
		status: invoiceStatus,
		currency,
		collection_method: 'send_invoice',
	});
	plant('payment_intent', {
		id: 'pi_Example1',
		status: 'requires_payment_method',
		amount,
		currency,
	});
	const charge = plant('charge', {
		id: 'ch_Example1',
		amount,
		amount_refunded: 0,
		refunded: false,
		currency,
		customer: customer.id,
	});
	plant('dispute', {
		id: 'dp_Example1',
		status: 'needs_response',
		amount,
		currency,
		charge: charge.id,
	});
	plant('checkout_session', { id: 'cs_Example1', status: 'open', currency, amount_total: amount });
	return { charge, price };
}

/** The write's example proposal, on the seeded objects, signed with the write credential. */
function proposalOf(write: WriteDefinition, seeded: ReturnType<typeof seed>): Proposal {
	const context: WriteContext = { ...write.example.context } as WriteContext;
	if ('charge' in context) context.charge = seeded.charge as unknown as WriteContext['charge'];
	if ('prices' in context)
		context.prices = { price_Example1: seeded.price } as unknown as WriteContext['prices'];
	const draft = WRITE_BUILDERS[write.key as WriteKey](write.example.input, context);
	return createProposal({ ...draft, mode: 'test' }, emulator().keys.testWrite, 3_600_000);
}

/** Approves through n8n-core with an approval node of `typeVersion`; the outputs and page. */
async function approve(proposals: Proposal[], typeVersion?: number) {
	receiver.messages.length = 0;
	const approval = await runApproval({
		proposals: proposals as unknown as IDataObject[],
		credential: writer(),
		parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
		typeVersion,
	});
	expect(approval.run.status).toBe('waiting');
	const link = /Review and decide: (\S+)/.exec(receiver.messages[0].text)![1];
	const done = await approval.open(link, 'POST', { approver: 'Ada', decision: 'approve' });
	expect(done.resumed?.status).toBe('success');
	return { out: approval.outputs(done.resumed!), page: done.page.body };
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

const shapeOf = (resource: string) => querySpecs.find((s) => s.value === resource)!;

test('every write names a read resource whose simplified shape it is given', () => {
	for (const write of writes)
		expect([write.key, !!shapeOf(write.resource)]).toEqual([write.key, true]);
});

describe.each(writes.map((w) => [w.key, w] as const))('%s', (_key, write) => {
	const invoiceStatus = write.key === 'invoice.finalize' ? 'draft' : 'open';
	const type = objectTypeOf(shapeOf(write.resource));

	test(
		"version 1's Approved item is Stripe's object exactly; version 2's is its simplified " +
			"shape with ISO dates and formatted amounts, then the audit, then Stripe's object",
		async () => {
			await fc.assert(
				fc.asyncProperty(drawn, async (d) => {
					// Version 1, as saved workflows run it.
					emulator().reset();
					let proposal = proposalOf(write, seed(d, invoiceStatus));
					const v1 = (await approve([proposal])).out;
					expect(v1.failed.map((i) => i.json.error)).toEqual([]);
					let raw = await stripeAnswer(proposal);
					const old = v1.approved[0].json;
					expect(Object.keys(old)).toEqual([...Object.keys(raw), 'audit', 'auditRows']);
					expect(old).toEqual({ ...raw, audit: old.audit, auditRows: old.auditRows });

					// Version 2, as a new node runs it.
					emulator().reset();
					proposal = proposalOf(write, seed(d, invoiceStatus));
					const { out, page } = await approve([proposal], 2);
					expect(out.failed.map((i) => i.json.error)).toEqual([]);
					raw = await stripeAnswer(proposal);
					const item = out.approved[0].json;
					const keys = Object.keys(item);
					expect(keys.slice(-3)).toEqual(['audit', 'auditRows', 'stripeObject']);
					expect(item.stripeObject).toEqual(raw);
					const simple = Object.fromEntries(
						keys.slice(0, -3).map((k) => [k, item[k]]),
					) as IDataObject;
					expect(keys[0]).toBe('id');
					expect([simple.id, (item.audit as IDataObject).stripeObjectId]).toEqual([raw.id, raw.id]);
					expect(page).toContain(`Stripe ID ${String(raw.id)}`);
					// Only the shape's fields (a field it names but Stripe did not send is undefined).
					const fields = Object.keys(shapeOf(write.resource).simplify(raw));
					for (const k of Object.keys(simple)) expect(fields).toContain(k);
					expectIsoDates(simple, raw, type);
					expectFormattedAmounts(simple, raw);
					// The audit is the same record either way.
					expect(Object.keys(item.audit as IDataObject)).toEqual(
						Object.keys(old.audit as IDataObject),
					);
					expect((item.auditRows as IDataObject[]).map((r) => r.event)).toEqual(
						(old.auditRows as IDataObject[]).map((r) => r.event),
					);
				}),
				// A failure is reported as found: shrinking through n8n-core would take minutes.
				{ numRuns: RUNS, endOnFailure: true },
			);
		},
		60_000,
	);
});

// ---------------------------------------------------------------------------------------------
// Batches, Failed, and the node's versions
// ---------------------------------------------------------------------------------------------

const D: Drawn = {
	currency: 'jpy',
	amount: 5000,
	times: Array.from({ length: 300 }, (_, i) => 1_795_246_891 + i * 61),
	nulls: Array.from({ length: 300 }, () => false),
};
const keyed = (key: string) => writes.find((w) => w.key === key)!;

test('version 2, a batch: each Approved item in the shape of its own resource', async () => {
	emulator().reset();
	const seeded = seed(D, 'open');
	const batch = ['refund.create', 'customer.update', 'invoice.void', 'dispute.close'].map((k) =>
		proposalOf(keyed(k), seeded),
	);
	const { out } = await approve(batch, 2);
	expect(
		out.approved.map((i) => i.json.stripeObject && (i.json.stripeObject as IDataObject).object),
	).toEqual(['refund', 'customer', 'invoice', 'dispute']);
	const [refund, customer, invoice, dispute] = out.approved.map((i) => i.json);
	expect(refund).toMatchObject({
		amount: 500,
		amount_formatted: '¥500',
		currency: 'jpy',
		charge: 'ch_Example1',
		created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
	});
	expect(customer).toMatchObject({ id: 'cus_Example1', balance_formatted: '-¥5,000' });
	expect(invoice).toMatchObject({ id: 'in_Example1', status: 'void' });
	expect(dispute).toMatchObject({
		id: 'dp_Example1',
		amount_formatted: '¥5,000',
		status: 'lost',
		evidence_details: { due_by: expect.any(String) },
	});
	// Each item's rows end with its own outcome, as the audit trail appends them.
	for (const item of out.approved.map((i) => i.json)) {
		const last = (item.auditRows as IDataObject[]).at(-1)!;
		expect([last.event, last.stripeObjectId]).toEqual(['executed', item.id]);
	}
	// Each item pairs with the input item of its proposal.
	expect(out.approved.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 1, 2, 3]);
});

test(
	"Failed, where Stripe refuses: the reason first; version 2 adds Stripe's error fields, " +
		'version 1 keeps its fields',
	async () => {
		const refuse = async (typeVersion: number) => {
			emulator().reset();
			const seeded = seed(D, 'open');
			// Stripe refuses a refund of more than is left; the proposal was made before.
			const proposal = proposalOf(keyed('refund.create'), seeded);
			(emulator().get('charge', 'test', 'ch_Example1') as IDataObject).amount_refunded = 4800;
			const { out } = await approve([proposal], typeVersion);
			expect(out.approved).toEqual([]);
			return { item: out.failed[0].json, proposal };
		};
		const v1 = (await refuse(1)).item;
		expect(Object.keys(v1)).toEqual(['error', 'description', 'audit', 'auditRows']);

		const { item, proposal } = await refuse(2);
		expect(Object.keys(item)).toEqual([
			'error',
			'description',
			'stripeError',
			'audit',
			'auditRows',
		]);
		// Stripe's own SDK, sent the same request under the same key, reads the same error.
		const sdkError = await stripeAnswer(proposal).then(
			() => undefined,
			(error: { code?: string; type?: string; param?: string; statusCode?: number }) => error,
		);
		expect(sdkError).toBeDefined();
		expect(item.stripeError).toMatchObject({
			code: sdkError!.code ?? null,
			param: sdkError!.param ?? null,
			status: sdkError!.statusCode,
			type: 'invalid_request_error',
		});
		expect(item.error).toBe((item.audit as IDataObject).reason);
		const unnumbered = (text: unknown) => String(text).replace(/req_\w+/, 'req_…');
		expect([v1.error, unnumbered(v1.description)]).toEqual([
			item.error,
			unnumbered(item.description),
		]);
	},
);

test('Failed with Allow Writes off: version 2 gives every Failed item one shape', async () => {
	emulator().reset();
	const proposal = proposalOf(keyed('customer.update'), seed(D, 'open'));
	for (const [typeVersion, keys] of [
		[1, ['error', 'audit', 'auditRows']],
		[2, ['error', 'description', 'stripeError', 'audit', 'auditRows']],
	] as const) {
		receiver.messages.length = 0;
		const approval = await runApproval({
			proposals: [proposal as unknown as IDataObject],
			credential: writer(),
			parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
			typeVersion,
		});
		const link = /Review and decide: (\S+)/.exec(receiver.messages[0].text)![1];
		const done = await approval.open(
			link,
			'POST',
			{ approver: 'Ada', decision: 'approve' },
			{ apiKey: emulator().keys.testWrite, allowWrites: false },
		);
		const [failed] = approval.outputs(done.resumed!).failed.map((i: INodeExecutionData) => i.json);
		expect(Object.keys(failed)).toEqual(keys);
		expect(failed.error).toMatch(/Allow Writes off/);
		if (typeVersion === 2) expect([failed.description, failed.stripeError]).toEqual([null, null]);
	}
});

test('a new approval node is version 2; both versions have the same parameters', () => {
	const description = new StripeGuardApproval().description;
	expect([description.version, description.defaultVersion]).toEqual([[1, 2], 2]);
	const surface = (typeVersion: number) => {
		const { defaults, shown } = newNodeAt(description, typeVersion);
		return { defaults, shown: shown.map((p) => [p.name, p.type, p.default]) };
	};
	expect(surface(2)).toEqual(surface(1));
});
