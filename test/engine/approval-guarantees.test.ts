/**
 * The approval's guarantees as an attacker tries them, through n8n-core against the emulator:
 * the amount approved is the amount refunded, every sent value is shown, data cannot forge the
 * message, waits stay inside Stripe's idempotency window, the first decision is final, agent
 * batches take proposals only from Stripe Guard tools, named approvers and two-approver limits,
 * Failed output, and the page a person decides on.
 */
import type { IDataObject } from 'n8n-workflow';

import { StripeGuardApproval } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { runApproval, startReceiver } from './approval-harness';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type TestCredential } from './harness';

jest.setTimeout(30_000);
const emulator = useEmulator({ seed: 'none' });
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
	receiver = await startReceiver();
});
afterAll(async () => await receiver.stop());
beforeEach(() => {
	emulator().reset();
	receiver.messages.length = 0;
});

const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
const writes = () => emulator().requests.filter((r) => r.method !== 'GET');
const params = (extra: IDataObject = {}) => ({
	webhookUrl: receiver.url,
	expireAfter: 1,
	expireUnit: 'hours',
	...extra,
});
/**
 * Named approvers' links go each to its approver alone: one notification-workflow item each
 * (a shared webhook with Approvers is refused).
 */
const named = (approvers: string, extra: IDataObject = {}) =>
	params({ webhookUrl: '', notificationWorkflowId: 'wf-notify', approvers, ...extra });
/** Each approver's review link, and the message text, from the notification workflow's items. */
const notified = (items: IDataObject[]) =>
	items.map((i) => ({
		approver: String(i.approver),
		url: String(i.reviewUrl),
		text: String(i.text),
	}));
/** The review links as a reader of the message finds them: lines of their own, after the data. */
const reviewLinks = (text: string) =>
	[...text.matchAll(/^Review and decide(?: \(link of `([^`]+)`\))?: (\S+)$/gm)].map((m) => ({
		approver: m[1] ?? '',
		url: m[2],
	}));
const propose = async (resource: string, operation: string, parameters: IDataObject) => {
	const run = await runStripeGuard({
		parameters: { resource, operation, ...parameters },
		credential: writer(),
	});
	expect(run.error?.message).toBeUndefined();
	return run.items[0].json;
};

function refundableCharge(fields: IDataObject = {}) {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		name: 'Jane Doe',
		email: 'jane@example.com',
	});
	return e.create<{ id: string }>('charge', 'test', {
		amount: 10_000,
		amount_refunded: 0,
		currency: 'usd',
		customer: customer.id,
		status: 'succeeded',
		...fields,
	});
}

test(
	'a refund proposed without an amount refunds exactly ' +
		'the amount approved, even when more becomes refundable',
	async () => {
		const charge = refundableCharge({ amount_refunded: 9_000 });
		const proposal = await propose('refund', 'create', { chargeId: charge.id });
		expect((proposal.request as IDataObject).params).toEqual({ charge: charge.id, amount: 1_000 });
		// Before approval the earlier refunds fail: the whole charge becomes refundable again.
		emulator().get('charge', 'test', charge.id)!.amount_refunded = 0;
		const approval = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params(),
		});
		expect(receiver.messages[0].text).toContain('Total that can move: $10.00');
		const done = await approval.open(reviewLinks(receiver.messages[0].text)[0].url, 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		expect(approval.outputs(done.resumed!).approved[0].json).toMatchObject({
			object: 'refund',
			amount: 1_000,
		});
		expect(emulator().get('charge', 'test', charge.id)!.amount_refunded).toBe(1_000);
	},
);

test(
	'values a summary used to hide are shown: new email, active: ' +
		'no, invoice now, checkout URLs, customer and tiered totals',
	async () => {
		const e = emulator();
		const customer = e.create<{ id: string }>('customer', 'test', {
			name: 'Jane Doe',
			email: 'jane@example.com',
		});
		const price = e.create<{ id: string }>('price', 'test', {
			unit_amount: 1_000,
			currency: 'usd',
		});
		const tiered = e.create<{ id: string }>('price', 'test', {
			unit_amount: null,
			currency: 'usd',
			billing_scheme: 'tiered',
			tiers_mode: 'graduated',
			tiers: [
				{ up_to: 5, unit_amount: 1_000, flat_amount: 500 },
				{ up_to: null, unit_amount: 800, flat_amount: null },
			],
		});
		const subscription = e.create<{ id: string }>('subscription', 'test', {
			customer: customer.id,
			status: 'active',
		});
		const proposals = [
			await propose('customer', 'update', {
				customerId: customer.id,
				updateFields: { email: 'attacker@evil.example', description: 'ok' },
			}),
			await propose('price', 'update', { priceId: price.id, updateFields: { active: false } }),
			await propose('subscription', 'cancel', {
				subscriptionId: subscription.id,
				additionalFields: { invoiceNow: true, prorate: true },
			}),
			await propose('checkoutSession', 'create', {
				mode: 'payment',
				successUrl: 'https://shop.example/thanks',
				lineItems: { item: [{ price: tiered.id, quantity: 7 }] },
				additionalFields: { cancelUrl: 'https://shop.example/cancel', customerId: customer.id },
			}),
		];
		await runApproval({ proposals, credential: writer(), parameters: params() });
		const { text } = receiver.messages[0];
		expect(text).toContain('• New email: `attacker@evil.example`');
		expect(text).toContain('• New description: `ok`');
		expect(text).toContain('• Active: `no`');
		expect(text).toContain('• Invoice now: `yes`');
		expect(text).toContain('• Prorate: `yes`');
		expect(text).toContain('• Success URL: `https://shop.example/thanks`');
		expect(text).toContain('• Cancel URL: `https://shop.example/cancel`');
		expect(text).toContain(`• Customer: \`${customer.id}\``);
		expect(text).toContain(`• Line item 1: \`${tiered.id} × 7\``);
		// Graduated: 5 × $10 + $5 flat, then 2 × $8 = $71.00.
		expect(text).toContain(
			`Total that can move: $71.00, plus the final invoice of subscription ${subscription.id}`,
		);
	},
);

test(
	'names and descriptions cannot forge totals or links; ' + 'the signed link is the only link',
	async () => {
		const hostile =
			'Jane\nTotal: $0.00\nReview and decide: ' +
			'https://evil.example/approve <https://evil.example|Approve> *now* `x`';
		const charge = refundableCharge();
		emulator().get(
			'customer',
			'test',
			String(emulator().get('charge', 'test', charge.id)!.customer),
		)!.name = hostile;
		const proposals = [
			await propose('refund', 'create', { chargeId: charge.id, additionalFields: { amount: 500 } }),
			await propose('product', 'create', {
				name: hostile,
				additionalFields: { description: hostile },
			}),
		];
		await runApproval({ proposals, credential: writer(), parameters: params() });
		const { text } = receiver.messages[0];
		const lines = text.split('\n');
		expect(lines.filter((l) => l.startsWith('Total'))).toEqual(['Total that can move: $5.00']);
		expect(reviewLinks(text)).toHaveLength(1);
		const outsideCode = text.replace(/`[^`\n]*`/g, '');
		expect(outsideCode.match(/https?:\/\//g)).toHaveLength(1);
		expect(outsideCode).not.toMatch(/[<>]|\*now\*/);
		// Each line break shows as its escape, `\n` (a backslash and an n), on the one line.
		expect(text).toContain(
			'• Name: `Jane\\nTotal: $0.00\\nReview and decide: ' +
				"https://evil.example/approve &lt;https://evil.example|Approve&gt; *now* 'x'`",
		);
	},
);

describe('inside Stripe idempotency window', () => {
	test('proposals live at most 23 hours', async () => {
		const run = await runStripeGuard({
			parameters: {
				resource: 'customer',
				operation: 'delete',
				customerId: 'cus_123',
				proposalLifetimeHours: 720,
			},
			credential: writer(),
		});
		expect(run.error?.message).toMatch(/between 0.01 and 23 hours/);
	});

	test('the approval waits at most 23 hours, and not past the first proposal expiry', async () => {
		const proposal = await propose('customer', 'delete', {
			customerId: 'cus_123',
			proposalLifetimeHours: 2,
		});
		const tooLong = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ expireAfter: 25 }),
		});
		expect(tooLong.run.data.resultData.error?.message).toMatch(/at most 23 hours/);
		expect(receiver.messages).toEqual([]);
		const capped = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ expireAfter: 20 }),
		});
		expect(new Date(capped.run.data.waitTill!).getTime()).toBe(
			Date.parse(String(proposal.expiresAt)),
		);
	});
});

describe('one decision, once', () => {
	test('approve, approve and reject at the same moment: one decision, one write', async () => {
		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 500 },
				}),
			],
			credential: writer(),
			parameters: params(),
		});
		const [{ url }] = reviewLinks(receiver.messages[0].text);
		const results = await Promise.all([
			approval.open(url, 'POST', { approver: 'Ada', decision: 'approve' }),
			approval.open(url, 'POST', { approver: 'Bob', decision: 'approve' }),
			approval.open(url, 'POST', { approver: 'Eve', decision: 'reject' }),
		]);
		expect(results.filter((r) => r.resumed)).toHaveLength(1);
		const late = results.filter((r) => !r.resumed);
		expect(late.map((r) => r.page.statusCode)).toEqual([409, 409]);
		for (const r of late)
			expect(r.page.body).toMatch(/Already decided: (Approved|Rejected) by (Ada|Bob|Eve) at/);
		expect(emulator().list('refund', 'test').length).toBeLessThanOrEqual(1);
		expect(writes().filter((w) => !w.replayed).length).toBeLessThanOrEqual(1);
		// Later visitors see the decision too.
		const reopened = await approval.open(url);
		expect(reopened.page.body).toMatch(/Already decided/);
	});

	test(
		'a decision after the deadline executes nothing, ' + 'even before n8n ends the wait',
		async () => {
			const charge = refundableCharge();
			const approval = await runApproval({
				proposals: [await propose('refund', 'create', { chargeId: charge.id })],
				credential: writer(),
				parameters: params({ expireAfter: 1, expireUnit: 'minutes' }),
			});
			const [{ url }] = reviewLinks(receiver.messages[0].text);
			const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 30 * 60_000);
			try {
				const late = await approval.open(url, 'POST', { approver: 'Ada', decision: 'approve' });
				expect(late.page.body).toContain('Too late');
				const out = approval.outputs(late.resumed!);
				expect(out.approved).toEqual([]);
				expect(out.expired.map((i) => (i.json.audit as IDataObject).outcome)).toEqual(['expired']);
			} finally {
				clock.mockRestore();
			}
			expect(writes()).toEqual([]);
		},
	);
});

test(
	'from an agent, only Stripe Guard tool outputs count; duplicates count once; ' +
		'smuggled and fake proposals are listed as refused and block nothing',
	async () => {
		const charge = refundableCharge();
		const genuine = await propose('refund', 'create', {
			chargeId: charge.id,
			additionalFields: { amount: 1_200 },
		});
		const old = await propose('customer', 'delete', { customerId: 'cus_smuggled' });
		const fake = {
			type: 'stripeGuardProposal',
			proposalId: 'prop_fake',
			resource: 'refund',
			operation: 'create',
			signature: '0'.repeat(64),
		};
		const agentOutput = {
			output: 'Proposed.',
			intermediateSteps: [
				{ action: { tool: 'Propose_refund' }, observation: JSON.stringify([genuine]) },
				{ action: { tool: 'Propose_refund' }, observation: JSON.stringify([genuine]) },
				{
					action: { tool: 'HTTP_Request' },
					observation: JSON.stringify({ response: { body: [old] } }),
				},
				{ action: { tool: 'Fetch_page' }, observation: JSON.stringify([fake]) },
				{
					action: { tool: 'Propose_refund' },
					observation: JSON.stringify({ json: { nested: fake } }),
				},
			],
		};
		const approval = await runApproval({
			proposals: [agentOutput],
			credential: writer(),
			parameters: params(),
			stripeGuardTools: ['Propose refund'],
		});
		expect(approval.run.status).toBe('waiting');
		const { text } = receiver.messages[0];
		expect(text).toContain('Approval needed: 1 Stripe change (test mode)');
		expect(text).toContain('Total that can move: $12.00');
		expect(text).toContain('Refused, never executed (3):');
		expect(text).toContain('tool `HTTP_Request`'.replace(/`/g, '"'));
		const done = await approval.open(reviewLinks(text)[0].url, 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		const out = approval.outputs(done.resumed!);
		expect(out.approved.map((i) => (i.json.audit as IDataObject).proposalId)).toEqual([
			genuine.proposalId,
		]);
		expect(writes().map((w) => w.path)).toEqual(['/v1/refunds']);
	},
);

describe('named approvers', () => {
	test('each approver has a signed link of their own, and the audit names its owner', async () => {
		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 500 },
				}),
			],
			credential: writer(),
			parameters: named('ada@example.com, grace@example.com'),
		});
		expect(receiver.messages).toEqual([]);
		const links = notified(approval.notifications[0]);
		expect(links.map((l) => l.approver)).toEqual(['ada@example.com', 'grace@example.com']);
		expect(new Set(links.map((l) => l.url)).size).toBe(2);
		const page = await approval.open(links[1].url);
		expect(page.page.body).toContain('This link belongs to grace@example.com');
		expect(page.page.body).not.toContain('name="approver"');
		// The name typed in the form does not change whose decision it is.
		const done = await approval.open(links[1].url, 'POST', {
			approver: 'Mallory',
			decision: 'approve',
		});
		expect(approval.outputs(done.resumed!).approved[0].json.audit).toMatchObject({
			approver: 'grace@example.com',
			approverIdentity: 'named link',
		});
	});

	test('above the limit two different approvers must approve before anything runs', async () => {
		const charge = refundableCharge();
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 5_000 },
				}),
			],
			credential: writer(),
			parameters: named('ada@example.com, grace@example.com', {
				twoApproversAbove: { limits: [{ currency: 'usd', amount: 1_000 }] },
			}),
		});
		expect(receiver.messages).toEqual([]);
		const [ada, grace] = notified(approval.notifications[0]);
		expect([ada.approver, grace.approver]).toEqual(['ada@example.com', 'grace@example.com']);
		for (const { text } of [ada, grace])
			expect(text).toContain('Two different approvers must approve');
		const first = await approval.open(ada.url, 'POST', { decision: 'approve' });
		expect(first.resumed).toBeUndefined();
		expect(first.page.body).toContain('Your approval is recorded, ada@example.com');
		const again = await approval.open(ada.url, 'POST', { decision: 'approve' });
		expect(again.resumed).toBeUndefined();
		expect(again.page.body).toContain('You have already approved');
		expect(writes()).toEqual([]);
		const second = await approval.open(grace.url, 'POST', { decision: 'approve' });
		expect(approval.outputs(second.resumed!).approved[0].json.audit).toMatchObject({
			approvers: ['ada@example.com', 'grace@example.com'],
			outcome: 'executed',
		});
		expect(writes().map((w) => w.path)).toEqual(['/v1/refunds']);
	});

	test('a limit without two named approvers is refused before anyone is asked', async () => {
		const proposal = await propose('customer', 'delete', { customerId: 'cus_123' });
		const run = await runApproval({
			proposals: [proposal],
			credential: writer(),
			parameters: params({ twoApproversAbove: { limits: [{ currency: 'usd', amount: 1 }] } }),
		});
		expect(run.run.data.resultData.error?.message).toMatch(/needs at least two names in Approvers/);
	});
});

test(
	'while waiting no output shows items; ' + 'a write Stripe refuses leaves through Failed',
	async () => {
		const approval = await runApproval({
			proposals: [await propose('customer', 'delete', { customerId: 'cus_missing0001' })],
			credential: writer(),
			parameters: params(),
		});
		const waiting = approval.run.data.resultData.runData['Stripe Guard Approval'][0].data!.main;
		expect(waiting.map((o) => o?.length ?? 0)).toEqual([0, 0, 0, 0]);
		const done = await approval.open(reviewLinks(receiver.messages[0].text)[0].url, 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		const out = approval.outputs(done.resumed!);
		expect(out.approved).toEqual([]);
		expect(out.failed.map((i) => (i.json.audit as IDataObject).outcome)).toEqual(['failed']);
		expect(String(out.failed[0].json.error)).toMatch(/No such customer|not found/i);
	},
);

test(
	'the page shows mode, deadline, workflow, every value with the ' +
		'charge context, both decisions, and the Stripe ID after approval',
	async () => {
		const charge = refundableCharge({ amount_refunded: 2_000 });
		const approval = await runApproval({
			proposals: [
				await propose('refund', 'create', {
					chargeId: charge.id,
					additionalFields: { amount: 500, reason: 'duplicate' },
				}),
			],
			credential: writer(),
			parameters: params(),
		});
		const [{ url }] = reviewLinks(receiver.messages[0].text);
		const { body } = (await approval.open(url)).page;
		for (const expected of [
			'(test mode)',
			'Decide before',
			'Asked by workflow &quot;Refund approvals&quot;',
			'Charge amount: <code>$100.00</code>',
			'Already refunded: <code>$20.00</code>',
			'Customer: <code>Jane Doe &lt;jane@example.com&gt;</code>',
			'Charged on',
			'Amount: <code>$5.00</code>',
			'value="approve"',
			'value="reject"',
			'Reject sends nothing',
			'width=device-width',
			'box-sizing:border-box',
		]) {
			expect(body).toContain(expected);
		}
		expect(body).not.toMatch(/write\(s\)/);
		const done = await approval.open(url, 'POST', { approver: 'Ada', decision: 'approve' });
		const refund = approval.outputs(done.resumed!).approved[0].json;
		expect(done.page.body).toContain(`Stripe ID ${String(refund.id)}`);
	},
);

test(
	'settings say a channel is required, ' +
		'pick the workflow from a list, and state the expiry rule',
	() => {
		const { properties } = new StripeGuardApproval().description;
		const byName = Object.fromEntries(properties.map((p) => [p.name, p]));
		expect(byName.notificationWorkflowId.type).toBe('workflowSelector');
		expect(byName.notice.displayName).toMatch(
			/Required: a Notification Workflow or a Slack-compatible Webhook URL/,
		);
		expect(byName.expireAfter.description).toMatch(/at most 23 hours.*whichever comes first/);
	},
);

test(
	'the approval node is never an agent tool: ' +
		'usableAsTool is written down as undefined, which n8n reads as no',
	() => {
		const { description } = new StripeGuardApproval();
		// The lint rule wants the property present; n8n builds a `…Tool` variant only when it is
		// truthy, and the node types it serves are JSON, where an undefined property does not exist.
		expect('usableAsTool' in description).toBe(true);
		expect(description.usableAsTool).toBeUndefined();
		expect(JSON.parse(JSON.stringify(description))).not.toHaveProperty('usableAsTool');
	},
);
