/**
 * The Dispute resource through n8n-core against the emulator (contract-checked): Get and List with
 * their filters as Stripe receives them, Simplify with the deadline for evidence (ISO 8601 in
 * version 2), Disputes: Read named when it is missing, IDs of both Stripe's forms (du_…, dp_…)
 * taken everywhere and any other prefix refused, and, as an AI agent's tool, the evidence a
 * dispute carries (the customer's name, email, addresses, IP, shipping details, free text) never
 * reaching the model.
 */
import type { IDataObject, INodeParameters, INodePropertyRegexValidation } from 'n8n-workflow';

import { filterSchema } from '../../nodes/StripeGuard/framework/filters';
import { parseQuery } from '../../nodes/StripeGuard/framework/query';
import { querySpecs } from '../../nodes/StripeGuard/resources';
import { dispute } from '../../nodes/StripeGuard/resources/dispute';
import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'none' });
const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

/** What a merchant writes into a dispute's evidence, each value unique so a leak is found. */
const EVIDENCE = {
	customer_name: 'Marisol Quintanilla',
	customer_email_address: 'marisol.q@mail.example',
	billing_address: '12 Calle Mayor, 28013 Madrid',
	shipping_address: '7 Rue des Lilas, 75011 Paris',
	customer_purchase_ip: '203.0.113.77',
	shipping_carrier: 'Correos Express 4411',
	shipping_tracking_number: 'CX99887766ES',
	shipping_date: '2026-03-02 via courier',
	service_date: '2026-03-03 onboarding',
	product_description: 'Lifetime plan bought by Marisol for her bakery',
	access_activity_log: 'Logged in from 203.0.113.77 at 09:14 and exported 12 invoices',
	cancellation_rebuttal: 'She never asked us to cancel; see her message of March 4',
	uncategorized_text: 'Marisol confirmed delivery by phone on +34 600 111 222',
};

function seed() {
	const e = emulator();
	e.reset();
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 12_900,
		currency: 'eur',
		status: 'succeeded',
		disputed: true,
	});
	const other = e.create<{ id: string }>('charge', 'test', { amount: 500, currency: 'usd' });
	const created = now() - 3 * DAY;
	const due = now() + 6 * DAY;
	const withEvidence = e.create<IDataObject & { id: string }>('dispute', 'test', {
		amount: 12_900,
		currency: 'eur',
		charge: charge.id,
		payment_intent: 'pi_Disputed0001',
		reason: 'product_not_received',
		status: 'needs_response',
		created,
		// The other evidence fields are completed as Stripe leaves them: null.
		evidence: { ...EVIDENCE },
		evidence_details: {
			due_by: due,
			enhanced_eligibility: {},
			has_evidence: true,
			past_due: false,
			submission_count: 0,
			submission_method: 'not_submitted',
		},
	});
	const older = e.create<{ id: string }>('dispute', 'test', {
		amount: 500,
		currency: 'usd',
		charge: other.id,
		status: 'lost',
		created: created - 40 * DAY,
	});
	return { charge, other, withEvidence, older, created, due };
}

const read = (parameters: IDataObject, extra: { typeVersion?: number; apiKey?: string } = {}) =>
	runStripeGuard({
		parameters: { resource: 'dispute', ...parameters } as INodeParameters,
		credential: { apiKey: extra.apiKey ?? emulator().keys.testRead },
		typeVersion: extra.typeVersion,
	});

test("Get returns Stripe's dispute; Simplify keeps what a response needs", async () => {
	const { withEvidence, charge, created, due } = seed();
	const full = await read({ operation: 'get', disputeId: withEvidence.id });
	expect(full.error).toBeUndefined();
	expect(full.items[0].json).toMatchObject({
		id: withEvidence.id,
		object: 'dispute',
		evidence: EVIDENCE,
		evidence_details: { due_by: due },
	});
	const simple = await read({ operation: 'get', disputeId: withEvidence.id, simplify: true });
	expect(simple.items[0].json).toEqual({
		id: withEvidence.id,
		amount: 12_900,
		amount_formatted: '€129.00',
		currency: 'eur',
		status: 'needs_response',
		reason: 'product_not_received',
		charge: charge.id,
		payment_intent: 'pi_Disputed0001',
		evidence_details: { due_by: due, has_evidence: true, past_due: false, submission_count: 0 },
		evidence: EVIDENCE,
		is_charge_refundable: false,
		created,
		metadata: {},
	});
	// Version 2 simplifies by default, and the deadline and creation are ISO 8601.
	const v2 = await read({ operation: 'get', disputeId: withEvidence.id }, { typeVersion: 2 });
	expect(v2.items[0].json).toMatchObject({
		created: new Date(created * 1000).toISOString(),
		evidence_details: { due_by: new Date(due * 1000).toISOString() },
	});
});

test('List filters by charge, payment intent and creation, as Stripe receives them', async () => {
	const { withEvidence, older, charge, other, created } = seed();
	const all = await read({ operation: 'list', returnAll: true });
	expect(all.items.map((i) => i.json.id)).toEqual([withEvidence.id, older.id]);

	const e = emulator();
	e.clearRequests();
	const byCharge = await read({
		operation: 'list',
		returnAll: true,
		filters: { charge: { __rl: true, mode: 'id', value: other.id } },
	});
	expect(byCharge.items.map((i) => i.json.id)).toEqual([older.id]);
	const byIntent = await read({
		operation: 'list',
		returnAll: true,
		filters: { paymentIntent: 'pi_Disputed0001' },
	});
	expect(byIntent.items.map((i) => i.json.id)).toEqual([withEvidence.id]);
	const recent = await read({
		operation: 'list',
		returnAll: true,
		filters: { createdWithin: 'last_7_days' },
	});
	expect(recent.items.map((i) => i.json.charge)).toEqual([charge.id]);
	const queries = e.requests.filter((r) => r.path === '/v1/disputes').map((r) => r.query);
	expect(queries[0]).toMatchObject({ charge: other.id });
	expect(queries[1]).toMatchObject({ payment_intent: 'pi_Disputed0001' });
	expect(Number((queries[2].created as IDataObject).gte)).toBeLessThanOrEqual(created);
	expect(e.takeViolations()).toEqual([]);
});

test("Stripe's list of disputes has no status filter, and the List offers none", () => {
	expect(dispute.spec.filters.map((f) => f.name)).toEqual(['charge', 'payment_intent', 'created']);
	const list = dispute.operations.find((o) => o.value === 'list')!;
	expect(list.description).toContain("Stripe's list has no status filter: read the status of each");
});

test('a key without Disputes: Read is told so, in words and as Stripe names it', async () => {
	const { withEvidence } = seed();
	const key = emulator().addKey({ mode: 'test', permissions: { charge: 'read' } });
	const run = await read({ operation: 'get', disputeId: withEvidence.id }, { apiKey: key });
	expect(run.error?.message).toBe(
		'This key is missing Disputes: Read (rak_dispute_read). ' +
			'Edit the key in the Stripe Dashboard → Developers → API keys and grant it.',
	);
});

describe('IDs of both forms Stripe gives disputes, du_… and dp_…, are taken', () => {
	// Stripe's API reference shows du_…; older disputes (and Stripe's example dispute) are dp_….
	const DU = 'du_1MtJUT2eZvKYlo2CNaw2HvEv';
	const getField = () =>
		new StripeGuard().description.properties.find(
			(p) => p.name === 'disputeId' && p.displayOptions?.show?.operation?.includes('get'),
		)!;

	test('Get (a plain ID, By ID, By URL) and the Query read either form', async () => {
		seed();
		const e = emulator();
		const du = e.create<{ id: string }>('dispute', 'test', { id: DU, amount: 700 });
		const dp = e.create<{ id: string }>('dispute', 'test', { amount: 800 });
		expect([du.id.slice(0, 3), dp.id.slice(0, 3)]).toEqual(['du_', 'dp_']);
		for (const id of [du.id, dp.id]) {
			const values = [
				id,
				{ __rl: true, mode: 'id', value: id },
				{ __rl: true, mode: 'url', value: `https://dashboard.stripe.com/test/disputes/${id}` },
			];
			for (const value of values) {
				const run = await read({ operation: 'get', disputeId: value });
				expect(run.error?.message).toBeUndefined();
				expect(run.items[0].json.id).toBe(id);
			}
			const query = await read({
				resource: 'query',
				operation: 'run',
				query: JSON.stringify({ get: 'disputes', id }),
			});
			expect(query.error?.message).toBeUndefined();
			expect(query.items[0].json.id).toBe(id);
		}
		expect(e.takeViolations()).toEqual([]);
	});

	test('any other prefix is refused before any request, in words naming both', async () => {
		seed();
		emulator().clearRequests();
		const run = await read({ operation: 'get', disputeId: 'xx_1MtJUT2eZvKYlo2CNaw2HvEv' });
		expect(run.error?.message).toBe('"xx_1MtJUT2eZvKYlo2CNaw2HvEv" is not a dispute ID (item 0)');
		expect(run.error?.description).toBe(
			'Dispute IDs start with du_ or dp_, for example du_NffrFeUfNV2Hib.',
		);
		const query = parseQuery({ get: 'disputes', id: 'xx_1' }, querySpecs);
		expect(query.ok).toBe(false);
		expect(!query.ok && query.message).toContain('must be a dispute ID starting with du_ or dp_');
		expect(emulator().requests).toEqual([]);
	});

	test("the editor's By ID and By URL take both, and say so", () => {
		const field = getField();
		expect(field.description).toBe(
			'The dispute: pick it from the list, or give its ID (du_… or dp_…) or its Stripe ' +
				'Dashboard URL',
		);
		const [, byId, byUrl] = field.modes!;
		expect(byId.placeholder).toBe('du_…');
		expect(byId.validation).toEqual([
			{
				type: 'regex',
				properties: {
					regex: expect.any(String),
					errorMessage: 'Not a dispute ID: Dispute IDs start with du_ or dp_',
				},
			},
		]);
		expect(byUrl.placeholder).toBe('https://dashboard.stripe.com/test/disputes/du_…');
		const urlCheck = (byUrl.validation![0] as INodePropertyRegexValidation).properties;
		expect(urlCheck.errorMessage).toBe(
			'Not a Stripe Dashboard URL of a dispute (…/du_… or …/dp_…)',
		);
		const idCheck = (byId.validation![0] as INodePropertyRegexValidation).properties;
		const idRegex = new RegExp(`^${idCheck.regex}$`);
		const urlRegex = new RegExp(`^${urlCheck.regex}$`);
		for (const id of [DU, 'dp_1MtJUT2eZvKYlo2CNaw2HvEv']) {
			expect(idRegex.test(id)).toBe(true);
			expect(urlRegex.test(`https://dashboard.stripe.com/disputes/${id}`)).toBe(true);
		}
		for (const id of ['xx_1MtJUT2eZvKYlo2CNaw2HvEv', 'ch_1MtJUT2eZvKYlo2CNaw2HvEv']) {
			expect(idRegex.test(id)).toBe(false);
			expect(urlRegex.test(`https://dashboard.stripe.com/disputes/${id}`)).toBe(false);
		}
	});

	test('a filter naming a dispute takes either form, and refuses any other', () => {
		const schema = filterSchema({
			name: 'dispute',
			displayName: 'Dispute ID',
			kind: 'id',
			idPrefix: dispute.spec.idPrefix,
			description: 'Only those of this dispute',
		});
		expect(schema.safeParse(DU).success).toBe(true);
		expect(schema.safeParse('dp_1MtJUT2eZvKYlo2CNaw2HvEv').success).toBe(true);
		const refused = schema.safeParse('xx_1MtJUT2eZvKYlo2CNaw2HvEv');
		expect(!refused.success && refused.error.issues[0].message).toBe(
			'must be an ID starting with du_ or dp_',
		);
	});
});

describe("as an AI agent's tool, dispute evidence never reaches the model", () => {
	const asTool = async (parameters: IDataObject) => {
		const run = await runStripeGuard({
			parameters: parameters as INodeParameters,
			credential: { apiKey: emulator().keys.testRead },
			asTool: true,
		});
		expect(run.error?.message).toBeUndefined();
		return run.items.map((i) => i.json);
	};
	const leaks = (output: unknown) => {
		const text = JSON.stringify(output);
		return Object.entries(EVIDENCE)
			.filter(([, value]) => text.includes(value) || text.includes('Marisol'))
			.map(([field]) => field);
	};

	test('Get, List, Query: every evidence field a placeholder, the rest as it is', async () => {
		const { withEvidence } = seed();
		const outputs = [
			await asTool({ resource: 'dispute', operation: 'get', disputeId: withEvidence.id }),
			await asTool({ resource: 'dispute', operation: 'list', returnAll: true }),
			await asTool({
				resource: 'query',
				operation: 'run',
				query: JSON.stringify({ get: 'disputes', id: withEvidence.id }),
			}),
			await asTool({
				resource: 'query',
				operation: 'run',
				query: JSON.stringify({ list: 'disputes', filters: { charge: withEvidence.charge } }),
			}),
		];
		for (const output of outputs) expect(leaks(output)).toEqual([]);

		const [got] = outputs[0] as IDataObject[];
		expect(got).toMatchObject({ id: withEvidence.id, status: 'needs_response', amount: 12_900 });
		const evidence = got.evidence as Record<string, string>;
		// Every field given is still there, as a placeholder of its kind.
		expect(Object.keys(evidence).sort()).toEqual(Object.keys(EVIDENCE).sort());
		expect(evidence.customer_name).toMatch(/^Person [0-9a-f]{8}$/);
		expect(evidence.customer_email_address).toMatch(/@redacted\.invalid$/);
		expect(evidence.billing_address).toMatch(/^\[address [0-9a-f]{8}\]$/);
		expect(evidence.shipping_address).toMatch(/^\[address [0-9a-f]{8}\]$/);
		for (const field of [
			'customer_purchase_ip',
			'shipping_carrier',
			'shipping_tracking_number',
			'product_description',
			'access_activity_log',
			'uncategorized_text',
		])
			expect([field, evidence[field]]).toEqual([field, expect.stringMatching(/^\[redacted /)]);
	});

	test('in a workflow, Redact Personal Data is off by default: the evidence is shown', async () => {
		const { withEvidence } = seed();
		const run = await read({ operation: 'get', disputeId: withEvidence.id, simplify: true });
		expect((run.items[0].json.evidence as IDataObject).customer_name).toBe(EVIDENCE.customer_name);
	});
});
