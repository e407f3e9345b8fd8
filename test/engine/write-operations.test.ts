/**
 * The Stripe Guard node's write operations: each outputs a signed proposal (request + summary)
 * and never calls a Stripe write endpoint, whatever the key may do.
 */
import { EXECUTABLE_WRITES } from '../../nodes/StripeGuard/writes';
import { verifyProposal, type Proposal } from '../../nodes/shared/proposals/proposals';
import { resources } from '../../nodes/StripeGuard/resources';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'none' });

beforeEach(() => emulator().reset());

const writeRequests = () => emulator().requests.filter((r) => r.method !== 'GET');

async function propose(
	resource: string,
	operation: string,
	parameters: Record<string, unknown>,
	apiKey = emulator().keys.testWrite,
) {
	const run = await runStripeGuard({
		parameters: { resource, operation, ...parameters },
		credential: { apiKey, allowWrites: true },
	});
	return run;
}

test('every write the approval executes is an operation of the node', () => {
	const operations = resources.flatMap((r) => r.operations.map((o) => `${r.value}.${o.value}`));
	for (const write of EXECUTABLE_WRITES) expect(operations).toContain(write);
});

test(
	'a refund proposal reads the charge, states the amount it sends, ' +
		'carries no personal data, and writes nothing',
	async () => {
		const e = emulator();
		const charge = e.create<{ id: string }>('charge', 'test', {
			amount: 5000,
			amount_refunded: 0,
			currency: 'jpy',
			billing_details: { email: 'jane@example.com' },
		});
		const run = await propose('refund', 'create', {
			chargeId: charge.id,
			additionalFields: { amount: 1200, reason: 'duplicate' },
		});
		expect(run.status).toBe('success');
		const proposal = run.items[0].json as unknown as Proposal & { notice: string };
		expect(proposal).toMatchObject({
			type: 'stripeGuardProposal',
			resource: 'refund',
			operation: 'create',
			mode: 'test',
			request: {
				method: 'POST',
				path: '/v1/refunds',
				params: { charge: charge.id, amount: 1200, reason: 'duplicate' },
			},
			summary: `Refund ¥1,200 of charge ${charge.id} — reason: duplicate`,
			amounts: { jpy: 1200 },
		});
		expect(proposal.notice).toMatch(/nothing was written/);
		expect(JSON.stringify(proposal)).not.toContain('jane@example.com');
		expect(Date.parse(proposal.expiresAt) - Date.parse(proposal.createdAt)).toBe(23 * 3_600_000);
		expect(verifyProposal(proposal, e.keys.testWrite, EXECUTABLE_WRITES).ok).toBe(true);
		expect(writeRequests()).toEqual([]);
		expect(e.requests.map((r) => r.path)).toEqual([`/v1/charges/${charge.id}`]);
	},
);

test('a three-decimal currency is summarised in whole units', async () => {
	const e = emulator();
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 12345,
		amount_refunded: 0,
		currency: 'kwd',
		billing_details: { email: null },
		receipt_email: null,
	});
	const run = await propose('refund', 'create', { chargeId: charge.id });
	expect(String(run.items[0].json.summary).replace(/\u00a0/g, ' ')).toBe(
		`Refund KWD 12.345 of charge ${charge.id}`,
	);
});

test('each write operation proposes exactly its request', async () => {
	const e = emulator();
	const product = e.create<{ id: string }>('product', 'test', { name: 'Pro' });
	const price = e.create<{ id: string }>('price', 'test', {
		product: product.id,
		unit_amount: 4900,
		currency: 'usd',
	});
	const cases: Array<
		[
			string,
			string,
			Record<string, unknown>,
			{ method: string; path: string; params: Record<string, unknown> },
			RegExp,
		]
	> = [
		[
			'customer',
			'create',
			{
				name: 'Jenny Rosen',
				email: 'jenny@example.com',
				additionalFields: { metadata: '{"crm_id":"42"}' },
			},
			{
				method: 'POST',
				path: '/v1/customers',
				params: { name: 'Jenny Rosen', email: 'jenny@example.com', metadata: { crm_id: '42' } },
			},
			/^Create a customer$/,
		],
		[
			'customer',
			'update',
			{ customerId: 'cus_NffrFeUfNV2Hib', updateFields: { email: 'new@example.com' } },
			{
				method: 'POST',
				path: '/v1/customers/cus_NffrFeUfNV2Hib',
				params: { email: 'new@example.com' },
			},
			/^Update customer cus_NffrFeUfNV2Hib: email$/,
		],
		[
			'customer',
			'delete',
			{ customerId: 'cus_NffrFeUfNV2Hib' },
			{ method: 'DELETE', path: '/v1/customers/cus_NffrFeUfNV2Hib', params: {} },
			/^Delete customer/,
		],
		[
			'product',
			'create',
			{ name: 'Team', additionalFields: { active: true } },
			{ method: 'POST', path: '/v1/products', params: { name: 'Team', active: true } },
			/^Create a product$/,
		],
		[
			'product',
			'update',
			{ productId: product.id, updateFields: { active: false } },
			{ method: 'POST', path: `/v1/products/${product.id}`, params: { active: false } },
			/: active$/,
		],
		[
			'price',
			'create',
			{
				productId: product.id,
				currency: 'EUR',
				unitAmount: 990,
				additionalFields: { interval: 'month', intervalCount: 3 },
			},
			{
				method: 'POST',
				path: '/v1/prices',
				params: {
					product: product.id,
					currency: 'eur',
					unit_amount: 990,
					recurring: { interval: 'month', interval_count: 3 },
				},
			},
			/^Create price €9.90 every 3 months for product/,
		],
		[
			'price',
			'create',
			{
				productId: product.id,
				currency: 'jpy',
				unitAmount: 50000,
				additionalFields: { interval: '' },
			},
			{
				method: 'POST',
				path: '/v1/prices',
				params: { product: product.id, currency: 'jpy', unit_amount: 50000 },
			},
			/^Create price ¥50,000 for product/,
		],
		[
			'price',
			'update',
			{ priceId: price.id, updateFields: { nickname: 'Legacy' } },
			{ method: 'POST', path: `/v1/prices/${price.id}`, params: { nickname: 'Legacy' } },
			/nickname$/,
		],
		[
			'subscription',
			'update',
			{ subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', updateFields: { cancelAtPeriodEnd: true } },
			{
				method: 'POST',
				path: '/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs',
				params: { cancel_at_period_end: true },
			},
			/cancel at the end of the current period$/,
		],
		[
			'subscription',
			'cancel',
			{ subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', additionalFields: { prorate: true } },
			{
				method: 'DELETE',
				path: '/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs',
				params: { prorate: true },
			},
			/now, prorated$/,
		],
		[
			'invoice',
			'create',
			{
				customerId: 'cus_NffrFeUfNV2Hib',
				additionalFields: { collectionMethod: 'send_invoice', daysUntilDue: 14 },
			},
			{
				method: 'POST',
				path: '/v1/invoices',
				params: {
					customer: 'cus_NffrFeUfNV2Hib',
					pending_invoice_items_behavior: 'include',
					collection_method: 'send_invoice',
					days_until_due: 14,
				},
			},
			/draft invoice/,
		],
		[
			'invoice',
			'finalize',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			{ method: 'POST', path: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/finalize', params: {} },
			/^Finalize/,
		],
		[
			'invoice',
			'send',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			{ method: 'POST', path: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/send', params: {} },
			/^Email invoice/,
		],
		[
			'invoice',
			'void',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			{ method: 'POST', path: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/void', params: {} },
			/cannot be undone/,
		],
		[
			'paymentIntent',
			'cancel',
			{ paymentIntentId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', cancellationReason: 'abandoned' },
			{
				method: 'POST',
				path: '/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa/cancel',
				params: { cancellation_reason: 'abandoned' },
			},
			/^Cancel payment intent/,
		],
		[
			'checkoutSession',
			'create',
			{
				mode: 'payment',
				successUrl: 'https://example.com/thanks',
				lineItems: { item: [{ price: price.id, quantity: 2 }] },
			},
			{
				method: 'POST',
				path: '/v1/checkout/sessions',
				params: {
					mode: 'payment',
					success_url: 'https://example.com/thanks',
					line_items: [{ price: price.id, quantity: 2 }],
				},
			},
			/1 item\(s\) totalling \$98.00$/,
		],
		[
			'checkoutSession',
			'expire',
			{ checkoutSessionId: 'cs_test_a1b2c3' },
			{ method: 'POST', path: '/v1/checkout/sessions/cs_test_a1b2c3/expire', params: {} },
			/stops working/,
		],
	];
	for (const [resource, operation, parameters, request, summary] of cases) {
		const run = await propose(resource, operation, parameters);
		expect({ resource, operation, error: run.error?.message }).toEqual({
			resource,
			operation,
			error: undefined,
		});
		expect(run.items[0].json.request).toEqual(request);
		expect(run.items[0].json.summary).toMatch(summary);
	}
	expect(writeRequests()).toEqual([]);
});

describe('refusals name the item and write nothing', () => {
	test.each([
		[
			'refund',
			'create',
			{ chargeId: 'py_123' },
			/"py_123" is not a charge ID: it must start with ch_ \(item 0\)/,
		],
		[
			'price',
			'create',
			{ productId: 'prod_X', currency: 'usd', unitAmount: 12.5 },
			/Unit amount must be a positive whole number/,
		],
		[
			'price',
			'create',
			{ productId: 'prod_X', currency: 'usd', unitAmount: -5 },
			/positive whole number/,
		],
		[
			'price',
			'create',
			{ productId: 'prod_X', currency: 'xyz', unitAmount: 100 },
			/"xyz" is not a currency Stripe supports/,
		],
		[
			'customer',
			'update',
			{
				customerId: 'cus_X',
				updateFields: {
					metadata: JSON.stringify(
						Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
					),
				},
			},
			/Metadata has 51 keys; Stripe allows 50/,
		],
		[
			'customer',
			'update',
			{
				customerId: 'cus_X',
				updateFields: { metadata: JSON.stringify({ ['k'.repeat(41)]: 'v' }) },
			},
			/must be 1–40 characters/,
		],
		[
			'customer',
			'update',
			{
				customerId: 'cus_X',
				updateFields: { metadata: JSON.stringify({ note: 'x'.repeat(501) }) },
			},
			/501 characters; Stripe allows 500/,
		],
		[
			'customer',
			'update',
			{ customerId: 'cus_X', updateFields: { metadata: '{not json' } },
			/Metadata is not valid JSON/,
		],
		[
			'customer',
			'update',
			{ customerId: 'cus_X', updateFields: {} },
			/Choose at least one field to change/,
		],
		['customer', 'create', { email: 'not-an-email' }, /is not an email address/],
		['subscription', 'cancel', { subscriptionId: 'cus_X' }, /is not a subscription ID/],
		[
			'checkoutSession',
			'create',
			{ successUrl: 'https://example.com', lineItems: {} },
			/Add at least one line item/,
		],
	])('%s %s %p', async (resource, operation, parameters, expected) => {
		const run = await propose(resource, operation, parameters);
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(expected);
		expect(run.error?.context?.itemIndex).toBe(0);
		expect(writeRequests()).toEqual([]);
	});

	test('a refund larger than what is left of the charge', async () => {
		const e = emulator();
		const charge = e.create<{ id: string }>('charge', 'test', {
			amount: 5000,
			amount_refunded: 4000,
			currency: 'usd',
		});
		const run = await propose('refund', 'create', {
			chargeId: charge.id,
			additionalFields: { amount: 1500 },
		});
		expect(run.error?.message).toMatch(/has \$10.00 left to refund; \$15.00 is more \(item 0\)/);
	});
});

test('as an agent tool a write returns a proposal, and the tool says so', async () => {
	const e = emulator();
	const run = await runStripeGuard({
		parameters: { resource: 'customer', operation: 'delete', customerId: 'cus_NffrFeUfNV2Hib' },
		credential: { apiKey: e.keys.testWrite, allowWrites: true },
		asTool: true,
	});
	expect(run.items[0].json).toMatchObject({
		type: 'stripeGuardProposal',
		notice: expect.stringMatching(/nothing was written/),
	});
	const op = resources
		.find((r) => r.value === 'customer')!
		.operations.find((o) => o.value === 'delete')!;
	expect(op.description).toMatch(
		/Returns a proposal for a person to approve; nothing changes in Stripe until then/,
	);
	expect(writeRequests()).toEqual([]);
});
