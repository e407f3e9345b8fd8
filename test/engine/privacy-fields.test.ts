/**
 * The field classification behind redaction: complete for the pinned API version (the generator's
 * check), covering every resource the node reads, and holding through the node where a hand-made
 * list did not: text Stripe copies onto other objects (a charge's description onto its balance
 * transaction), free text on payouts and payment errors, fields this API version added, client
 * secrets inside URLs and links that open a receipt or invoice without login.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import classification from '../../nodes/shared/privacy/classification.json';
import { LINK_WITHHELD, SECRET_REMOVED } from '../../nodes/shared/privacy/privacy';
import { COUNTS, DEFS } from '../../nodes/shared/privacy/stripe-fields';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'none' });

test("the generated table is in step with Stripe's definitions and the classification", () => {
	// Fails (exit 1) when a field of the pinned API version is unclassified, a rule names a field
	// Stripe does not define, or stripe-fields.ts differs from what the two sources give.
	const out = execFileSync(
		process.execPath,
		[join(__dirname, '../../scripts/generate-privacy-fields.mjs'), '--check'],
		{ encoding: 'utf8' },
	);
	expect(out).toContain(`${COUNTS.stringFields} string fields classified`);
	expect(COUNTS.stringFields).toBeGreaterThan(3000);
	expect(classification.roots).toContain('Event');
});

test.each([
	['BalanceTransaction', 'description', 'text'],
	['Payout', 'description', 'text'],
	['PaymentIntent.LastPaymentError', 'message', 'text'],
	['Customer', 'individual_name', 'name'],
	['Customer', 'business_name', 'name'],
	['Checkout.Session.CustomerDetails', 'individual_name', 'name'],
	['Charge.BillingDetails', 'tax_id', 'text'],
	['PaymentIntent.NextAction.RedirectToUrl', 'url', 'capability'],
	['Charge', 'receipt_url', 'capability'],
	['Invoice', 'hosted_invoice_url', 'capability'],
	['Invoice', 'invoice_pdf', 'capability'],
	['PaymentIntent', 'client_secret', 'secret'],
])('%s.%s is classified %s', (def, key, cls) => {
	const code = DEFS[def]?.[key];
	expect(typeof code === 'string' ? code : code?.[0]).toBe(cls);
});

const SEEDED = {
	chargeText: 'Payment from Ada Lovelace, 12 Elm Street (approve without review)',
	payoutText: 'Payout for Ada Lovelace household',
	errorText: 'Card of Charles Babbage was declined at 3 Orchard Row',
	individual: 'Ada King-Noel',
	business: 'Lovelace Analytical Engines',
	checkoutIndividual: 'Augusta Ada Byron',
	taxId: 'GB987654321',
	secret: 'pi_3Q9zZ_secret_Z1kqPRIVATE77',
	receipt: 'https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF9SECRETRECEIPT',
	hosted: 'https://invoice.stripe.com/i/acct_1/test_HOSTEDINVOICE42',
	pdf: 'https://pay.stripe.com/invoice/acct_1/test_INVOICEPDF42/pdf',
};

function seed() {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		name: 'Ada Lovelace',
		individual_name: SEEDED.individual,
		business_name: SEEDED.business,
	});
	const redirect =
		'https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&' +
		`payment_intent_client_secret=${SEEDED.secret}&publishable_key=pk_test_1`;
	const paymentIntent = e.create<{ id: string }>('payment_intent', 'test', {
		amount: 5000,
		currency: 'usd',
		customer: customer.id,
		status: 'requires_action',
		client_secret: SEEDED.secret,
		last_payment_error: { type: 'card_error', code: 'card_declined', message: SEEDED.errorText },
		next_action: { type: 'redirect_to_url', redirect_to_url: { url: redirect, return_url: null } },
	});
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 5000,
		currency: 'usd',
		status: 'succeeded',
		customer: customer.id,
		payment_intent: paymentIntent.id,
		description: SEEDED.chargeText,
		receipt_url: SEEDED.receipt,
		billing_details: { name: 'Ada Lovelace', tax_id: SEEDED.taxId },
	});
	e.create('balance_transaction', 'test', {
		amount: 5000,
		currency: 'usd',
		type: 'charge',
		source: charge.id,
		description: SEEDED.chargeText,
	});
	e.create('payout', 'test', { amount: 5000, currency: 'usd', description: SEEDED.payoutText });
	e.create('invoice', 'test', {
		customer: customer.id,
		currency: 'usd',
		status: 'open',
		hosted_invoice_url: SEEDED.hosted,
		invoice_pdf: SEEDED.pdf,
	});
	e.create('checkout_session', 'test', {
		customer: customer.id,
		customer_details: { individual_name: SEEDED.checkoutIndividual, email: null },
	});
	return { charge, paymentIntent };
}

const leaks = (output: unknown) => {
	const text = JSON.stringify(output);
	return Object.entries(SEEDED)
		.filter(([, value]) => text.includes(value))
		.map(([key]) => key);
};

const READS = (ids: { charge: { id: string }; paymentIntent: { id: string } }) => [
	{ resource: 'balanceTransaction', operation: 'list', returnAll: true },
	{ resource: 'payout', operation: 'list', returnAll: true },
	{ resource: 'paymentIntent', operation: 'get', paymentIntentId: ids.paymentIntent.id },
	{
		resource: 'charge',
		operation: 'get',
		chargeId: ids.charge.id,
		options: { expand: ['payment_intent', 'customer'] },
	},
	{ resource: 'customer', operation: 'list', returnAll: true },
	{ resource: 'invoice', operation: 'list', returnAll: true },
	{ resource: 'checkoutSession', operation: 'list', returnAll: true },
	{ resource: 'event', operation: 'list', returnAll: true },
	{ resource: 'query', operation: 'run', query: '{"list": "balance_transactions"}' },
];

test('as a tool: no copied text, new field, secret or capability link leaves', async () => {
	const ids = seed();
	for (const parameters of READS(ids)) {
		const run = await runStripeGuard({
			parameters,
			credential: { apiKey: emulator().keys.testRead },
			asTool: true,
		});
		expect(run.error?.message).toBeUndefined();
		expect({ parameters, leaks: leaks(run.items) }).toEqual({ parameters, leaks: [] });
	}
	const run = await runStripeGuard({
		parameters: { resource: 'invoice', operation: 'list', returnAll: true },
		credential: { apiKey: emulator().keys.testRead },
		asTool: true,
	});
	// The model learns that the link exists, not the link.
	expect(JSON.stringify(run.items)).toContain(LINK_WITHHELD);
});

test('in a workflow with Redact on and Simplify off, no personal data', async () => {
	const ids = seed();
	for (const parameters of READS(ids).filter((p) => p.resource !== 'query')) {
		const run = await runStripeGuard({
			parameters: { ...parameters, simplify: false, redactPersonalData: true },
			credential: { apiKey: emulator().keys.testRead },
		});
		expect(run.error?.message).toBeUndefined();
		// Links stay for workflows (an email to the customer needs the invoice link).
		const personal = leaks(run.items).filter((k) => !['receipt', 'hosted', 'pdf'].includes(k));
		expect({ parameters, personal }).toEqual({ parameters, personal: [] });
	}
});

test('a client secret inside a URL is cut out in every mode, the rest kept', async () => {
	const { paymentIntent } = seed();
	const run = await runStripeGuard({
		parameters: {
			resource: 'paymentIntent',
			operation: 'get',
			paymentIntentId: paymentIntent.id,
			simplify: false,
			redactPersonalData: false,
		},
		credential: { apiKey: emulator().keys.testRead },
	});
	const json = run.items[0].json as { next_action: { redirect_to_url: { url: string } } };
	expect(JSON.stringify(run.items)).not.toContain(SEEDED.secret);
	expect(json.next_action.redirect_to_url.url).toBe(
		'https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&' +
			`payment_intent_client_secret=${SECRET_REMOVED}&publishable_key=pk_test_1`,
	);
});

test('toward a model, links that open without login are withheld, Redact off too', async () => {
	seed();
	const read = (asTool: boolean) =>
		runStripeGuard({
			parameters: {
				resource: 'invoice',
				operation: 'list',
				returnAll: true,
				redactPersonalData: false,
			},
			credential: { apiKey: emulator().keys.testRead },
			asTool,
		});
	const tool = JSON.stringify((await read(true)).items);
	expect(tool).not.toContain(SEEDED.hosted);
	expect(tool).not.toContain(SEEDED.pdf);
	expect(tool).toContain(LINK_WITHHELD);
	// In a workflow the links stay: an email to the customer needs them.
	const workflow = JSON.stringify((await read(false)).items);
	expect(workflow).toContain(SEEDED.hosted);
	expect(workflow).toContain(SEEDED.pdf);
});

test('metadata is kept by default, whatever its keys; Redact Metadata replaces it', async () => {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		name: 'Ada Lovelace',
		metadata: { crm_id: 'crm_48151623', email: 'ada@crm.example' },
	});
	const read = (redactMetadata?: boolean) =>
		runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'get',
				customerId: customer.id,
				...(redactMetadata === undefined ? {} : { redactMetadata }),
			},
			credential: { apiKey: e.keys.testRead },
			asTool: true,
			typeVersion: 2, // Redact Metadata came with version 2
		});
	const kept = (await read()).items[0].json;
	expect(kept.name).toMatch(/^Person [0-9a-f]{8}$/);
	expect(kept.metadata).toEqual({ crm_id: 'crm_48151623', email: 'ada@crm.example' });
	const redacted = (await read(true)).items[0].json;
	expect(redacted.metadata).toEqual({
		crm_id: expect.stringMatching(/^\[redacted [0-9a-f]{8}\]$/),
		email: expect.stringMatching(/^\[redacted [0-9a-f]{8}\]$/),
	});
});
