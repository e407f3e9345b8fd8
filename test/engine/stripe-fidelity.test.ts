/**
 * Where our reading of Stripe disagreed with Stripe's published definitions, each
 * through n8n-core against the emulator, which now answers as those definitions
 * say: an invoice's subscription since API version 2025-03-31, the pending
 * invoice items a draft collects, and what the emulator refuses as Stripe does.
 */
import type { IDataObject } from 'n8n-workflow';
import Stripe from 'stripe';

import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type TestCredential } from './harness';

jest.setTimeout(30_000);
const emulator = useEmulator({ seed: 'none' });
beforeEach(() => emulator().reset());

function invoiceOfSubscription() {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', { name: 'Jane Doe' });
	const subscription = e.create<{ id: string }>('subscription', 'test', {
		customer: customer.id,
		status: 'active',
	});
	const invoice = e.create<{ id: string }>('invoice', 'test', {
		customer: customer.id,
		parent: {
			type: 'subscription_details',
			quote_details: null,
			subscription_details: { metadata: {}, subscription: subscription.id },
		},
	});
	return { customer, subscription, invoice };
}

describe(
	"an invoice's subscription is under " + 'parent.subscription_details (API 2025-03-31 on)',
	() => {
		test(
			'Get and List expand it there, and workflows saved ' +
				'with the old "subscription" choice keep working',
			async () => {
				const { subscription, invoice } = invoiceOfSubscription();
				const key = { apiKey: emulator().keys.testRead };
				const get = await runStripeGuard({
					parameters: {
						resource: 'invoice',
						operation: 'get',
						invoiceId: invoice.id,
						options: { expand: ['subscription'] },
					} as never,
					credential: key,
				});
				const list = await runStripeGuard({
					parameters: {
						resource: 'invoice',
						operation: 'list',
						options: { expand: ['parent.subscription_details.subscription'] },
					} as never,
					credential: key,
				});
				expect([get.error?.message, list.error?.message]).toEqual([undefined, undefined]);
				expect(emulator().requests.map((r) => r.query.expand)).toEqual([
					['parent.subscription_details.subscription'],
					['data.parent.subscription_details.subscription'],
				]);
				for (const run of [get, list]) {
					const parent = run.items[0].json.parent as IDataObject;
					expect((parent.subscription_details as IDataObject).subscription).toMatchObject({
						id: subscription.id,
						object: 'subscription',
					});
				}
				// Simplified, the subscription is named where people look for it.
				const simple = await runStripeGuard({
					parameters: {
						resource: 'invoice',
						operation: 'get',
						invoiceId: invoice.id,
						simplify: true,
					} as never,
					credential: key,
				});
				expect(simple.items[0].json.subscription).toBe(subscription.id);
			},
		);

		test('the Query takes the old name too, and sends the new path', async () => {
			const { invoice } = invoiceOfSubscription();
			const run = await runStripeGuard({
				parameters: {
					resource: 'query',
					operation: 'run',
					query: JSON.stringify({ get: 'invoices', id: invoice.id, expand: ['subscription'] }),
				} as never,
				credential: { apiKey: emulator().keys.testRead },
			});
			expect(run.error?.message).toBeUndefined();
			expect(emulator().requests[0].query.expand).toEqual([
				'parent.subscription_details.subscription',
			]);
		});

		test(
			'what the package used to send is refused as Stripe refuses it: ' +
				'no invoice.subscription, no charge.invoice',
			async () => {
				const { invoice } = invoiceOfSubscription();
				const stripe = new Stripe(emulator().keys.testRead, { maxNetworkRetries: 0 });
				const refused = async (call: Promise<unknown>) =>
					(await call.then(
						() => undefined,
						(error: { statusCode: number; message: string; param: string }) => error,
					)) as { statusCode: number; message: string; param: string };
				const onInvoice = await refused(
					stripe.invoices.retrieve(invoice.id, { expand: ['subscription'] }),
				);
				const onList = await refused(stripe.invoices.list({ expand: ['data.subscription'] }));
				const onCharges = await refused(stripe.charges.list({ expand: ['data.invoice'] }));
				expect([onInvoice, onList, onCharges].map((e) => e.statusCode)).toEqual([400, 400, 400]);
				expect(onInvoice.message).toMatch(/^This property cannot be expanded \(subscription\)/);
				expect(onInvoice.param).toMatch(/^expand/);
				// The emulator keeps what it refused for the suite to fail on; these three were on purpose.
				expect(
					emulator()
						.takeViolations()
						.map((v) => v.request),
				).toEqual(['GET /v1/invoices/' + invoice.id, 'GET /v1/invoices', 'GET /v1/charges']);
			},
		);
	},
);

describe('Invoice → Create collects the pending invoice items it says it does', () => {
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	beforeAll(async () => {
		receiver = await startReceiver();
	});
	afterAll(async () => await receiver.stop());

	test(
		'approved, the draft holds the customer’s pending ' +
			'items (Stripe leaves them out unless asked)',
		async () => {
			const e = emulator();
			const customer = e.create<{ id: string }>('customer', 'test', {
				name: 'Jane Doe',
				currency: 'usd',
			});
			const items = [1_500, 2_250].map((amount) =>
				e.create<{ id: string }>('invoiceitem', 'test', {
					customer: customer.id,
					amount,
					currency: 'usd',
					invoice: null,
					description: 'Consulting',
				}),
			);
			const writer: TestCredential = { apiKey: e.keys.testWrite, allowWrites: true };
			const proposed = await runStripeGuard({
				parameters: { resource: 'invoice', operation: 'create', customerId: customer.id } as never,
				credential: writer,
			});
			const proposal = proposed.items[0].json;
			expect((proposal.request as IDataObject).params).toMatchObject({
				customer: customer.id,
				pending_invoice_items_behavior: 'include',
			});

			const approval = await runApproval({
				proposals: [proposal],
				credential: writer,
				parameters: { webhookUrl: receiver.url, expireAfter: 1, expireUnit: 'hours' },
			});
			const message = receiver.messages.at(-1)!.text;
			expect(message).toContain("Customer's pending invoice items: `include`");
			const link = /^Review and decide: (\S+)$/m.exec(message)![1];
			const done = await approval.open(link, 'POST', { approver: 'Ada', decision: 'approve' });
			const invoice = approval.outputs(done.resumed!).approved[0].json;
			expect(invoice).toMatchObject({ object: 'invoice', status: 'draft', total: 3_750 });
			expect(items.map((i) => e.get('invoiceitem', 'test', i.id)?.invoice)).toEqual([
				invoice.id,
				invoice.id,
			]);
		},
	);

	test(
		"Stripe's default, as the emulator now has it: " + 'without the parameter the draft is empty',
		async () => {
			const e = emulator();
			const customer = e.create<{ id: string }>('customer', 'test', { currency: 'usd' });
			e.create('invoiceitem', 'test', {
				customer: customer.id,
				amount: 900,
				currency: 'usd',
				invoice: null,
			});
			const stripe = new Stripe(e.keys.testWrite, { maxNetworkRetries: 0 });
			expect(await stripe.invoices.create({ customer: customer.id })).toMatchObject({ total: 0 });
			expect(
				await stripe.invoices.create({
					customer: customer.id,
					pending_invoice_items_behavior: 'include',
				}),
			).toMatchObject({ total: 900 });
		},
	);
});
