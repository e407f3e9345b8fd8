/**
 * Two Approvers Above sees every amount that can move, through n8n-core against the emulator:
 * what Stripe decides at execution (an invoice's amount due when finalized, the final invoice of a
 * cancellation) is read before the decision, shown and counted; with a limit set, an amount in a
 * currency without one, or one that cannot be known, needs two approvers; a limit that is not a
 * whole number fails the node before anyone is asked; refunds of one charge count at most what is
 * left of it, and the approver is told which cannot be made in full.
 */
import type { IDataObject } from 'n8n-workflow';

import { StripeGuardApproval } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { runApproval, useApprovalSetup } from './approval-harness';
import { runStripeGuard, type TestCredential } from './harness';

jest.setTimeout(60_000);
const { emulator, receiver } = useApprovalSetup({ seed: 'none', rateLimits: false });

const PREVIEW = '/v1/invoices/create_preview';
const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
/** What changed Stripe: a preview is a POST that creates nothing, so it is not among them. */
const writes = () =>
	emulator().requests.filter((r) => r.method !== 'GET' && r.path !== PREVIEW && r.status === 200);
const previews = () => emulator().requests.filter((r) => r.path === PREVIEW);
const TWO = 'ada@example.com, grace@example.com';
const limits = (...pairs: Array<[string, unknown]>) => ({
	limits: pairs.map(([currency, amount]) => ({ currency, amount })),
});
/** Named approvers' links reach each of them alone, through the notification workflow. */
const params = (extra: IDataObject = {}) => ({
	...(extra.approvers ? { notificationWorkflowId: 'wf-notify' } : { webhookUrl: receiver().url }),
	expireAfter: 1,
	expireUnit: 'hours',
	...extra,
});
type Approval = Awaited<ReturnType<typeof runApproval>>;
/** What the approvers were sent: the message (the same for each but its link), and the links. */
function asked(approval: Approval) {
	const items = approval.notifications[0];
	if (items?.length)
		return {
			text: String(items[0].text),
			links: items.map((i) => ({ approver: String(i.approver), url: String(i.reviewUrl) })),
		};
	const { text } = receiver().messages[0];
	return { text, links: [{ approver: '', url: /^Review and decide: (\S+)$/m.exec(text)![1] }] };
}
const sentNothing = (approval: Approval) => {
	expect(receiver().messages).toEqual([]);
	expect(approval.notifications).toEqual([]);
};
const lines = (text: string) => text.split('\n');

async function propose(
	resource: string,
	operation: string,
	parameters: IDataObject,
	credential = writer(),
) {
	const run = await runStripeGuard({
		parameters: { resource, operation, ...parameters },
		credential,
	});
	expect(run.error?.message).toBeUndefined();
	return run.items[0].json;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function customer() {
	return emulator().create<{ id: string }>('customer', 'test', {
		name: 'Jane Doe',
		email: 'jane@example.com',
	});
}

/** A draft of $50,000.00 that Stripe charges as soon as it is finalized. */
function autoChargedInvoice(amount = 5_000_000) {
	return emulator().create<{ id: string }>('invoice', 'test', {
		customer: customer().id,
		status: 'draft',
		currency: 'usd',
		collection_method: 'charge_automatically',
		auto_advance: true,
		total: amount,
		subtotal: amount,
		amount_due: amount,
		amount_paid: 0,
		amount_remaining: amount,
	});
}

/**
 * An active $20.00-a-month subscription half way through its period, and $75.00 of usage waiting
 * for the next invoice: cancelling now with Invoice Now and Prorate bills $75.00 and credits about
 * $10.00 of unused time, $65.00 due.
 */
function halfUsedSubscription() {
	const e = emulator();
	const who = customer();
	const subscription = e.create<{ id: string }>('subscription', 'test', {
		customer: who.id,
		status: 'active',
		currency: 'usd',
		created: nowSeconds() - 15 * 86_400,
	});
	e.create('invoiceitem', 'test', {
		customer: who.id,
		amount: 7_500,
		currency: 'usd',
		description: 'API usage',
		invoice: null,
		proration: false,
	});
	return subscription;
}

function charge(amount: number, currency: string) {
	return emulator().create<{ id: string }>('charge', 'test', {
		amount,
		amount_refunded: 0,
		currency,
		customer: customer().id,
		status: 'succeeded',
	});
}

/** Two approvals through the named links: the first decides nothing, the second executes. */
async function approveByBoth(approval: Approval) {
	const [ada, grace] = asked(approval).links;
	const first = await approval.open(ada.url, 'POST', { decision: 'approve' });
	expect(first.resumed).toBeUndefined();
	expect(first.page.body).toContain('Your approval is recorded, ada@example.com');
	expect(writes()).toEqual([]);
	const second = await approval.open(grace.url, 'POST', { decision: 'approve' });
	expect(second.resumed?.status).toBe('success');
	return approval.outputs(second.resumed!);
}

describe('amounts Stripe decides are read before the decision and counted', () => {
	test(
		'finalizing an auto-charged $50,000 invoice above a $1,000 limit: the amount is shown, ' +
			'two approvers must approve, and it executes once, after the second',
		async () => {
			const invoice = autoChargedInvoice();
			const proposal = await propose('invoice', 'finalize', { invoiceId: invoice.id });
			const approval = await runApproval({
				proposals: [proposal],
				credential: writer(),
				parameters: params({ approvers: TWO, twoApproversAbove: limits(['usd', 100_000]) }),
			});
			expect(approval.run.status).toBe('waiting');
			const { text } = asked(approval);
			expect(lines(text)).toContain(
				`Read from Stripe now: invoice ${invoice.id}'s amount due is $50,000.00, ` +
					'which Stripe charges automatically once it is finalized',
			);
			expect(lines(text)).toContain('At most, with the amounts read from Stripe now: $50,000.00');
			expect(lines(text)).toContain(
				'Two different approvers must approve before anything runs: ' +
					'$50,000.00 is above the limit of $1,000.00.',
			);
			// Read again when the page opens: the amount due as it is then.
			emulator().get('invoice', 'test', invoice.id)!.amount_due = 6_000_000;
			const page = (await approval.open(asked(approval).links[0].url)).page.body;
			expect(page).toContain(`invoice ${invoice.id}&#39;s amount due is $60,000.00`);
			expect(page).toContain('two different approvers must approve');

			const out = await approveByBoth(approval);
			expect(out.approved.map((i) => i.json)).toEqual([
				expect.objectContaining({
					id: invoice.id,
					status: 'open',
					audit: expect.objectContaining({
						approvers: ['ada@example.com', 'grace@example.com'],
						outcome: 'executed',
					}),
				}),
			]);
			expect(writes().map((w) => [w.method, w.path])).toEqual([
				['POST', `/v1/invoices/${invoice.id}/finalize`],
			]);
		},
	);

	test(
		'cancelling now with Invoice Now and Prorate under a usd limit of 0: ' +
			"Stripe's preview of the final invoice is shown and counted, two approvers must approve",
		async () => {
			const subscription = halfUsedSubscription();
			const proposal = await propose('subscription', 'cancel', {
				subscriptionId: subscription.id,
				additionalFields: { invoiceNow: true, prorate: true },
			});
			emulator().clearRequests();
			const approval = await runApproval({
				proposals: [proposal],
				credential: writer(),
				parameters: params({ approvers: TWO, twoApproversAbove: limits(['usd', 0]) }),
			});
			// The preview asks Stripe what cancelling now, invoicing and prorating would bill.
			expect(previews().map((r) => [r.method, r.body, r.status])).toEqual([
				[
					'POST',
					{
						subscription: subscription.id,
						subscription_details: { cancel_now: 'true', proration_behavior: 'always_invoice' },
					},
					200,
				],
			]);
			const { text } = asked(approval);
			expect(lines(text)).toContain(
				`Read from Stripe now: the final invoice of subscription ${subscription.id}, ` +
					'as Stripe previews it: $65.00 due',
			);
			expect(lines(text)).toContain('At most, with the amounts read from Stripe now: $65.00');
			expect(lines(text)).toContain(
				'Two different approvers must approve before anything runs: ' +
					'$65.00 is above the limit of $0.00.',
			);
			const out = await approveByBoth(approval);
			expect(out.approved.map((i) => i.json.status)).toEqual(['canceled']);
			expect(writes().map((w) => [w.method, w.path, w.query])).toEqual([
				[
					'DELETE',
					`/v1/subscriptions/${subscription.id}`,
					{ invoice_now: 'true', prorate: 'true' },
				],
			]);
		},
	);

	test('a cancellation that invoices nothing previews nothing and moves no money', async () => {
		const subscription = halfUsedSubscription();
		const proposal = await propose('subscription', 'cancel', { subscriptionId: subscription.id });
		emulator().clearRequests();
		const approval = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ approvers: TWO, twoApproversAbove: limits(['usd', 0]) }),
		});
		expect(previews()).toEqual([]);
		const { text } = asked(approval);
		expect(lines(text)).toContain('Total that can move: no money');
		expect(text).not.toContain('Two different approvers');
	});

	test.each([
		[
			'an invoice that cannot be read',
			async () => {
				const proposal = await propose('invoice', 'finalize', { invoiceId: 'in_Missing0001' });
				return { proposal, credential: writer(), what: "invoice in_Missing0001's amount due" };
			},
			/No such invoice/,
		],
		[
			'a preview Stripe refuses (the subscription is already canceled)',
			async () => {
				const subscription = halfUsedSubscription();
				const proposal = await propose('subscription', 'cancel', {
					subscriptionId: subscription.id,
					additionalFields: { invoiceNow: true },
				});
				emulator().get('subscription', 'test', subscription.id)!.status = 'canceled';
				return {
					proposal,
					credential: writer(),
					what: `the final invoice of subscription ${subscription.id}`,
				};
			},
			/no upcoming invoice/i,
		],
		[
			'a preview the key may not ask for (no Invoices: Read)',
			async () => {
				const subscription = halfUsedSubscription();
				const key = emulator().addKey({ mode: 'test', permissions: { subscription: 'write' } });
				const credential = { apiKey: key, allowWrites: true };
				const proposal = await propose(
					'subscription',
					'cancel',
					{ subscriptionId: subscription.id, additionalFields: { prorate: true } },
					credential,
				);
				return {
					proposal,
					credential,
					what: `the final invoice of subscription ${subscription.id}`,
				};
			},
			/rak_invoice_read/,
		],
	])(
		'no bound can be known for %s: the approver is told why, ' +
			'and it counts as above every limit',
		async (_name, make, reason) => {
			const { proposal, credential, what } = await make();
			const approval = await runApproval({
				proposals: [proposal],
				credential,
				// A limit far above anything here, and in another currency: unknown is still above it.
				parameters: params({ approvers: TWO, twoApproversAbove: limits(['eur', 10 ** 12]) }),
			});
			expect(approval.run.status).toBe('waiting');
			const { text } = asked(approval);
			const told = lines(text).find((l) => l.startsWith('Not known before the decision: '));
			expect(told).toContain(what);
			expect(told).toMatch(reason);
			expect(told).toMatch(/it counts as above every limit\.$/);
			expect(lines(text)).toContain(
				'Two different approvers must approve before anything runs: ' +
					'an amount could not be known before the decision.',
			);
			const [ada] = asked(approval).links;
			const first = await approval.open(ada.url, 'POST', { decision: 'approve' });
			expect(first.resumed).toBeUndefined();
			expect(first.page.body).toContain('Not known before the decision');
			expect(writes()).toEqual([]);
		},
	);
});

describe('currencies without a limit are not unlimited', () => {
	test('a ¥10,000,000 refund with only a usd limit needs two approvers', async () => {
		const yen = charge(10_000_000, 'jpy');
		const proposal = await propose('refund', 'create', { chargeId: yen.id });
		const approval = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ approvers: TWO, twoApproversAbove: limits(['usd', 100_000]) }),
		});
		const { text } = asked(approval);
		expect(lines(text)).toContain('Total that can move: ¥10,000,000');
		expect(lines(text)).toContain(
			'Two different approvers must approve before anything runs: ' +
				'¥10,000,000 is in JPY, which has no limit (with limits set, ' +
				'an amount in a currency without one needs two approvers).',
		);
		const out = await approveByBoth(approval);
		expect(out.approved.map((i) => [i.json.object, i.json.amount])).toEqual([
			['refund', 10_000_000],
		]);
	});

	test('the setting says so', () => {
		const { properties } = new StripeGuardApproval().description;
		const setting = properties.find((p) => p.name === 'twoApproversAbove')!;
		expect(setting.description).toMatch(/a currency without a limit needs two approvers/);
		expect(setting.description).toMatch(/cannot be known before the decision/);
	});
});

describe('a limit that is not a whole number of the smallest unit fails the node', () => {
	test.each([
		['an expression giving "1,000"', 'usd', '={{ "1,000" }}', /USD.*"1,000"/],
		['NaN', 'usd', '={{ Number("x") }}', /USD.*NaN/],
		['10.5 cents', 'usd', 10.5, /USD.*10\.5/],
		['a negative amount', 'usd', -1, /USD.*-1/],
		['half a yen', 'jpy', 0.5, /JPY.*0\.5/],
		['an empty amount', 'eur', '', /EUR/],
	])('%s', async (_name, currency, amount, named) => {
		const proposal = await propose('customer', 'delete', { customerId: 'cus_Doomed0001' });
		const approval = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ approvers: TWO, twoApproversAbove: limits([currency, amount]) }),
		});
		expect(approval.run.status).toBe('error');
		const error = approval.run.data.resultData.error!;
		expect(error.message).toMatch(/^Two Approvers Above: /);
		expect(error.message).toMatch(named);
		expect(error.message).toMatch(/whole number/);
		expect(error.name).toBe('NodeOperationError');
		sentNothing(approval);
		expect(writes()).toEqual([]);
	});
});

describe('totals never exceed what can move', () => {
	test(
		'two €100 refunds of one €159 charge count €159, ' +
			'and the approver is told the second cannot be made in full',
		async () => {
			const euro = charge(15_900, 'eur');
			const dollar = charge(10_000, 'usd');
			const proposals = [
				await propose('refund', 'create', {
					chargeId: euro.id,
					additionalFields: { amount: 10_000 },
				}),
				await propose('refund', 'create', {
					chargeId: euro.id,
					additionalFields: { amount: 10_000 },
				}),
				await propose('refund', 'create', {
					chargeId: dollar.id,
					additionalFields: { amount: 500 },
				}),
			];
			const approval = await runApproval({
				proposals,
				credential: writer(),
				parameters: params(),
			});
			const { text } = asked(approval);
			expect(lines(text)).toContain('Total that can move: €159.00 + $5.00');
			expect(lines(text)).toContain(
				`Warning: refund 2 of ${euro.id} cannot be made in full: only €59.00 left after refund 1.`,
			);
			const page = (await approval.open(asked(approval).links[0].url)).page.body;
			expect(page).toContain('Total that can move: €159.00 + $5.00');
			expect(page).toContain(`refund 2 of ${euro.id} cannot be made in full`);
			const done = await approval.open(asked(approval).links[0].url, 'POST', {
				approver: 'Ada',
				decision: 'approve',
			});
			const out = approval.outputs(done.resumed!);
			expect(out.approved.map((i) => [i.json.currency, i.json.amount])).toEqual([
				['eur', 10_000],
				['usd', 500],
			]);
			expect(out.failed.map((i) => String(i.json.error))).toEqual([
				expect.stringMatching(/greater than unrefunded amount/),
			]);
		},
	);

	test(
		'a batch mixing them: every amount counted in its currency, ' +
			'two approvers, each write executed once',
		async () => {
			const invoice = autoChargedInvoice();
			const subscription = halfUsedSubscription();
			const yen = charge(10_000_000, 'jpy');
			const euro = charge(15_900, 'eur');
			const proposals = [
				await propose('invoice', 'finalize', { invoiceId: invoice.id }),
				await propose('subscription', 'cancel', {
					subscriptionId: subscription.id,
					additionalFields: { invoiceNow: true, prorate: true },
				}),
				await propose('refund', 'create', {
					chargeId: yen.id,
					additionalFields: { amount: 5_000 },
				}),
				await propose('refund', 'create', {
					chargeId: euro.id,
					additionalFields: { amount: 10_000 },
				}),
				await propose('refund', 'create', {
					chargeId: euro.id,
					additionalFields: { amount: 10_000 },
				}),
			];
			const approval = await runApproval({
				proposals,
				credential: writer(),
				parameters: params({
					approvers: TWO,
					twoApproversAbove: limits(['usd', 10_000_000], ['eur', 100_000]),
				}),
			});
			const { text } = asked(approval);
			expect(lines(text)).toContain(
				'Total that can move: €159.00 + ¥5,000, plus ' +
					`invoice ${invoice.id}'s amount due, which Stripe charges at once when the invoice ` +
					'collects automatically, plus the final invoice of subscription ' +
					`${subscription.id} (outstanding usage and prorations, amount decided by Stripe)`,
			);
			expect(lines(text)).toContain(
				'At most, with the amounts read from Stripe now: €159.00 + ¥5,000 + $50,065.00',
			);
			expect(lines(text)).toContain(
				`Warning: refund 5 of ${euro.id} cannot be made in full: only €59.00 left after refund 4.`,
			);
			// Under the usd and eur limits; the yen have none.
			expect(lines(text)).toContain(
				'Two different approvers must approve before anything runs: ' +
					'¥5,000 is in JPY, which has no limit (with limits set, ' +
					'an amount in a currency without one needs two approvers).',
			);
			const out = await approveByBoth(approval);
			expect(out.approved.map((i) => i.json.object)).toEqual([
				'invoice',
				'subscription',
				'refund',
				'refund',
			]);
			expect(out.failed).toHaveLength(1);
			expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([
				`POST /v1/invoices/${invoice.id}/finalize`,
				`DELETE /v1/subscriptions/${subscription.id}`,
				'POST /v1/refunds',
				'POST /v1/refunds',
			]);
		},
	);
});
