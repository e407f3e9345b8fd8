/**
 * Every proposable write: the exact request and summary, the refusals, and that the request is one
 * Stripe accepts (sent here to the emulator directly with a write key, as the approval node will).
 */
import Stripe from 'stripe';

import {
	WRITE_BUILDERS,
	WriteInputError,
	type WriteContext,
	type WriteKey,
} from '../../nodes/StripeGuard/writes';
import { useEmulator } from './emulator-context';

const emulator = useEmulator({ seed: 'demo' });
const build = (key: string, input: Record<string, unknown>, context: WriteContext = {}) =>
	WRITE_BUILDERS[key as WriteKey](input, context);
const refusal = (key: string, input: Record<string, unknown>, context: WriteContext = {}) => {
	try {
		build(key, input, context);
	} catch (error) {
		expect(error).toBeInstanceOf(WriteInputError);
		return (error as Error).message;
	}
	throw new Error('expected a refusal');
};

test('the builders cover exactly the 20 supported writes', () => {
	expect(Object.keys(WRITE_BUILDERS).sort()).toEqual(
		[
			'customer.create',
			'customer.update',
			'customer.delete',
			'coupon.update',
			'product.create',
			'product.update',
			'price.create',
			'price.update',
			'subscription.update',
			'subscription.cancel',
			'invoice.create',
			'invoice.finalize',
			'invoice.send',
			'invoice.void',
			'paymentIntent.cancel',
			'refund.create',
			'checkoutSession.create',
			'checkoutSession.expire',
			'dispute.updateEvidence',
			'dispute.close',
		].sort(),
	);
});

describe('refunds', () => {
	const charge = {
		id: 'ch_3MmlLrLkdIwHu7ix0snN0B15',
		amount: 5000,
		amount_refunded: 0,
		currency: 'jpy',
	};

	test('summary in the charge currency, zero-decimal aware, with reason', () => {
		const d = build(
			'refund.create',
			{ chargeId: charge.id, amount: 1200, reason: 'duplicate' },
			{ charge },
		);
		expect(d.summary).toBe(
			'Refund ¥1,200 of charge ch_3MmlLrLkdIwHu7ix0snN0B15 — reason: duplicate',
		);
		expect(d.request).toEqual({
			method: 'POST',
			path: '/v1/refunds',
			params: { charge: charge.id, amount: 1200, reason: 'duplicate' },
		});
		expect(d.amounts).toEqual({ jpy: 1200 });
	});

	test('three-decimal currencies and full refunds', () => {
		const d = build(
			'refund.create',
			{ chargeId: charge.id },
			{ charge: { ...charge, currency: 'bhd', amount: 12345, amount_refunded: 345 } },
		);
		expect(d.summary.replace(/\u00a0/g, ' ')).toBe(
			'Refund BHD 12.000 of charge ch_3MmlLrLkdIwHu7ix0snN0B15',
		);
		// A full refund still sends its amount: Stripe would
		// otherwise refund whatever is left when it runs.
		expect(d.request.params).toEqual({ charge: charge.id, amount: 12000 });
	});

	test.each([
		[{ chargeId: 'py_123' }, /is not a charge ID/],
		[{ chargeId: charge.id, amount: 0 }, /positive whole number/],
		[{ chargeId: charge.id, amount: 12.5 }, /positive whole number/],
		[{ chargeId: charge.id, amount: 6000 }, /has ¥5,000 left to refund; ¥6,000 is more/],
		[
			{ chargeId: charge.id, reason: 'changed mind' },
			/Reason must be one of duplicate, fraudulent, requested_by_customer/,
		],
		[{ chargeId: charge.id, metadata: { ['k'.repeat(41)]: 'v' } }, /1–40 characters/],
	])('refused: %p', (input, expected) => {
		expect(refusal('refund.create', input, { charge })).toMatch(expected);
	});

	// Stripe's definitions name a charge's statuses; a refund is for a payment that succeeded.
	const statuses: Record<Stripe.Charge.Status, boolean> = {
		succeeded: true,
		pending: false,
		failed: false,
	};
	test.each(Object.entries(statuses))('a %s charge can be refunded: %p', (status, refundable) => {
		const context = { charge: { ...charge, status } };
		if (refundable)
			expect(build('refund.create', { chargeId: charge.id }, context).summary).toBe(
				'Refund ¥5,000 of charge ch_3MmlLrLkdIwHu7ix0snN0B15',
			);
		else
			expect(refusal('refund.create', { chargeId: charge.id }, context)).toBe(
				`Charge ${charge.id} is ${status}: only a succeeded charge can be refunded`,
			);
	});

	test('a fully refunded charge cannot be refunded again', () => {
		expect(
			refusal(
				'refund.create',
				{ chargeId: charge.id },
				{ charge: { ...charge, amount_refunded: 5000 } },
			),
		).toMatch(/already fully refunded/);
	});
});

describe('other writes', () => {
	test.each([
		[
			'customer.create',
			{ name: 'Jane Doe', email: 'jane@example.com' },
			'POST',
			'/v1/customers',
			'Create a customer',
		],
		[
			'customer.update',
			{ customerId: 'cus_NffrFeUfNV2Hib', email: 'new@example.com', metadata: { tier: 'gold' } },
			'POST',
			'/v1/customers/cus_NffrFeUfNV2Hib',
			'Update customer cus_NffrFeUfNV2Hib: email, metadata',
		],
		[
			'customer.delete',
			{ customerId: 'cus_NffrFeUfNV2Hib' },
			'DELETE',
			'/v1/customers/cus_NffrFeUfNV2Hib',
			'Delete customer cus_NffrFeUfNV2Hib (cancels their subscriptions)',
		],
		['product.create', { name: 'Gold' }, 'POST', '/v1/products', 'Create a product'],
		[
			'price.create',
			{
				productId: 'prod_NWjs8kKbJWmuuc',
				currency: 'EUR',
				unitAmount: 4500,
				interval: 'month',
				intervalCount: 3,
			},
			'POST',
			'/v1/prices',
			'Create price €45.00 every 3 months for product prod_NWjs8kKbJWmuuc',
		],
		[
			'price.update',
			{ priceId: 'price_1MoBy5LkdIwHu7ixZhnattbh', active: false },
			'POST',
			'/v1/prices/price_1MoBy5LkdIwHu7ixZhnattbh',
			'Update price price_1MoBy5LkdIwHu7ixZhnattbh: active',
		],
		[
			'subscription.update',
			{ subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', cancelAtPeriodEnd: true },
			'POST',
			'/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs',
			'Update subscription sub_1MowQVLkdIwHu7ixeRlqHVzs: cancel at the end of the current period',
		],
		[
			'subscription.cancel',
			{ subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs' },
			'DELETE',
			'/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs',
			'Cancel subscription sub_1MowQVLkdIwHu7ixeRlqHVzs now',
		],
		[
			'invoice.create',
			{ customerId: 'cus_NffrFeUfNV2Hib', collectionMethod: 'send_invoice', daysUntilDue: 14 },
			'POST',
			'/v1/invoices',
			'Create a draft invoice for customer cus_NffrFeUfNV2Hib',
		],
		[
			'invoice.finalize',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			'POST',
			'/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/finalize',
			'Finalize invoice in_1MtHbELkdIwHu7ixl4OzzPMv (it can then be paid and no longer edited)',
		],
		[
			'invoice.send',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			'POST',
			'/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/send',
			'Email invoice in_1MtHbELkdIwHu7ixl4OzzPMv to the customer',
		],
		[
			'invoice.void',
			{ invoiceId: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
			'POST',
			'/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/void',
			'Void invoice in_1MtHbELkdIwHu7ixl4OzzPMv (cannot be undone)',
		],
		[
			'paymentIntent.cancel',
			{ paymentIntentId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', cancellationReason: 'abandoned' },
			'POST',
			'/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa/cancel',
			'Cancel payment intent pi_3MtwBwLkdIwHu7ix28a3tqPa',
		],
		[
			'checkoutSession.expire',
			{ checkoutSessionId: 'cs_test_a1b2' },
			'POST',
			'/v1/checkout/sessions/cs_test_a1b2/expire',
			'Expire checkout session cs_test_a1b2 (its payment link stops working)',
		],
	])('%s', (key, input, method, path, summary) => {
		const d = build(key, input);
		expect(d.request.method).toBe(method);
		expect(d.request.path).toBe(path);
		expect(d.summary).toBe(summary);
	});

	test('checkout links total their line items per currency', () => {
		const d = build(
			'checkoutSession.create',
			{
				mode: 'payment',
				successUrl: 'https://example.com/thanks',
				lineItems: [{ price: 'price_A1', quantity: 2 }, { price: 'price_B2' }],
			},
			{
				prices: {
					price_A1: { unit_amount: 1500, currency: 'usd' },
					price_B2: { unit_amount: 500, currency: 'usd' },
				},
			},
		);
		expect(d.summary).toBe('Create a payment checkout link for 2 item(s) totalling $35.00');
		expect(d.request.params.line_items).toEqual([
			{ price: 'price_A1', quantity: 2 },
			{ price: 'price_B2', quantity: 1 },
		]);
		expect(d.amounts).toEqual({ usd: 3500 });
	});

	test.each([
		['customer.create', {}, /at least a name or an email/],
		['customer.create', { email: 'not-an-email' }, /is not an email address/],
		['customer.update', { customerId: 'cus_1' }, /at least one field/],
		['customer.update', { customerId: 'sub_1', name: 'x' }, /is not a customer ID/],
		[
			'price.create',
			{ productId: 'prod_1', currency: 'xyz', unitAmount: 100 },
			/not a currency Stripe supports/,
		],
		[
			'price.create',
			{ productId: 'prod_1', currency: 'usd', unitAmount: -1 },
			/positive whole number/,
		],
		[
			'price.create',
			{ productId: 'prod_1', currency: 'usd', unitAmount: 100, interval: 'fortnight' },
			/day, week, month or year/,
		],
		[
			'checkoutSession.create',
			{ successUrl: 'https://x.example', lineItems: [] },
			/at least one line item/,
		],
		[
			'checkoutSession.create',
			{ successUrl: 'javascript:alert(1)', lineItems: [{ price: 'price_1' }] },
			/must start with https:\/\//,
		],
		[
			'paymentIntent.cancel',
			{ paymentIntentId: 'pi_1', cancellationReason: 'bored' },
			/must be one of/,
		],
		['product.create', { metadata: { a: 'b' } }, /Product name is required/],
	])('%s refuses %p', (key, input, expected) => {
		expect(refusal(key, input)).toMatch(expected);
	});
});

describe('the requests are ones Stripe accepts', () => {
	test('each drafted request succeeds against the emulator, once per idempotency key', async () => {
		const e = emulator();
		const stripe = new Stripe(e.keys.testWrite, { maxNetworkRetries: 0 });
		const send = (d: ReturnType<typeof build>, key: string) =>
			stripe.rawRequest(d.request.method, d.request.path, d.request.params, {
				idempotencyKey: key,
			});
		const customer = e.list('customer', 'test')[0];
		const product = e.list('product', 'test')[0];
		const price = e.list('price', 'test').find((p) => p.currency === 'usd')!;
		const sub = e.list('subscription', 'test').find((s) => s.status === 'active')!;
		const charge = e
			.list('charge', 'test')
			.find((c) => c.status === 'succeeded' && !c.amount_refunded)!;
		const drafts = [
			build('customer.update', { customerId: customer.id, metadata: { tier: 'gold' } }),
			build('product.update', { productId: product.id, description: 'Updated' }),
			build('price.create', {
				productId: product.id,
				currency: 'usd',
				unitAmount: 999,
				interval: 'month',
			}),
			build('subscription.update', { subscriptionId: sub.id, cancelAtPeriodEnd: true }),
			build(
				'refund.create',
				{ chargeId: charge.id, amount: 100, reason: 'duplicate' },
				{ charge: charge as never },
			),
			build(
				'checkoutSession.create',
				{ successUrl: 'https://example.com/ok', lineItems: [{ price: price.id, quantity: 2 }] },
				{ prices: { [price.id as string]: price as never } },
			),
		];
		for (const [i, d] of drafts.entries()) {
			const first = await send(d, `stripe-guard-prop_test${i}`);
			const again = await send(d, `stripe-guard-prop_test${i}`);
			expect(again.id).toBe(first.id);
		}
		expect(e.get('customer', 'test', customer.id)?.metadata).toMatchObject({ tier: 'gold' });
		expect(e.get('charge', 'test', charge.id)?.amount_refunded).toBe(100);
		expect(e.requests.filter((r) => r.replayed)).toHaveLength(drafts.length);
	});
});
