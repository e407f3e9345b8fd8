/**
 * Propose Update Coupon end to end through n8n-core: the Stripe Guard node proposes it from a
 * coupon picked by ID (coupon IDs have no prefix and may hold a hyphen) or by Dashboard URL, the
 * approver sees every value, and Stripe Guard Approval writes exactly that once approved.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runApproval, useApprovalSetup } from './approval-harness';
import { runStripeGuard, type TestCredential } from './harness';

const { emulator, receiver } = useApprovalSetup({ seed: 'none' });

const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
const writes = () => emulator().requests.filter((r) => r.method !== 'GET');

async function propose(couponId: INodeParameters[string], updateFields: INodeParameters) {
	return await runStripeGuard({
		parameters: { resource: 'coupon', operation: 'update', couponId, updateFields },
		credential: writer(),
	});
}

test('a coupon named by its code is proposed, shown and, once approved, updated', async () => {
	const e = emulator();
	e.create('coupon', 'test', { id: 'SPRING-25', percent_off: 25, name: 'Spring' });
	const proposed = await propose(
		{ __rl: true, mode: 'id', value: 'SPRING-25' },
		{ name: 'Spring sale', metadata: '{"campaign":"spring"}' },
	);
	expect(proposed.status).toBe('success');
	const proposal = proposed.items[0].json;
	expect(proposal).toMatchObject({
		resource: 'coupon',
		operation: 'update',
		request: {
			method: 'POST',
			path: '/v1/coupons/SPRING-25',
			params: { name: 'Spring sale', metadata: { campaign: 'spring' } },
		},
		summary: 'Update coupon SPRING-25: name, metadata',
		amounts: {},
	});
	expect(writes()).toEqual([]);

	const approval = await runApproval({
		proposals: [proposal],
		credential: writer(),
		parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
	});
	expect(approval.run.status).toBe('waiting');
	const { text } = receiver().messages[0];
	expect(text).toContain('1. Update coupon SPRING-25: name, metadata');
	expect(text).toContain('    • New name: `Spring sale`');
	expect(text).toContain('    • Set metadata: `campaign = spring`');
	const url = /Review and decide: (\S+)/.exec(text)![1];
	const approved = await approval.open(url, 'POST', { approver: 'Ada', decision: 'approve' });
	const out = approval.outputs(approved.resumed!);
	expect(out.failed).toEqual([]);
	expect(out.approved.map((i) => (i.json as IDataObject).name)).toEqual(['Spring sale']);
	expect(writes().map((r) => [r.method, r.path, r.body, r.idempotencyKey])).toEqual([
		[
			'POST',
			'/v1/coupons/SPRING-25',
			{ name: 'Spring sale', metadata: { campaign: 'spring' } },
			`stripe-guard-${String(proposal.proposalId)}`,
		],
	]);
	expect(e.get('coupon', 'test', 'SPRING-25')).toMatchObject({
		name: 'Spring sale',
		percent_off: 25,
	});
});

test('a coupon picked by its Dashboard URL is proposed under its ID', async () => {
	emulator().create('coupon', 'test', { id: 'WELCOME10', percent_off: 10 });
	const run = await propose(
		{ __rl: true, mode: 'url', value: 'https://dashboard.stripe.com/test/coupons/WELCOME10' },
		{ name: 'Welcome' },
	);
	expect(run.status).toBe('success');
	expect((run.items[0].json.request as IDataObject).path).toBe('/v1/coupons/WELCOME10');
});

test('an update that changes nothing, or names no coupon, is refused in words', async () => {
	const empty = await propose('WELCOME10', {});
	expect(empty.error?.message).toBe('Choose at least one field to change (item 0)');
	const bad = await propose('not a code!', { name: 'x' });
	expect(bad.error?.message).toBe(
		'"not a code!" is not a coupon ID: it may hold only letters, digits, _ and - (item 0)',
	);
	expect(writes()).toEqual([]);
});
