/**
 * Propose Update Evidence and Propose Close for disputes, end to end through n8n-core against the
 * emulator (contract-checked): the Stripe Guard node proposes, the approver sees every value (and,
 * the dispute as Stripe has it at approval time, and for a close, the disputed amount read from
 * Stripe, counted toward Two Approvers Above), IDs of both forms (du_…, dp_…) are taken, and
 * Stripe Guard Approval sends exactly that once approved, with the proposal's idempotency key.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import Stripe from 'stripe';

import { runApproval, useApprovalSetup } from './approval-harness';
import { runStripeGuard, testCredential, type TestCredential } from './harness';

jest.setTimeout(60_000);
const { emulator, receiver } = useApprovalSetup({ seed: 'none', rateLimits: false });

const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });
const writes = () => emulator().requests.filter((r) => r.method !== 'GET');
const lines = (text: string) => text.split('\n');

function disputed(fields: IDataObject = {}) {
	const e = emulator();
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 12_900,
		currency: 'eur',
		status: 'succeeded',
		disputed: true,
	});
	return e.create<IDataObject & { id: string }>('dispute', 'test', {
		amount: 12_900,
		currency: 'eur',
		charge: charge.id,
		reason: 'product_not_received',
		status: 'needs_response',
		...fields,
	});
}

/** What the approver reads of the dispute, from Stripe when asked: our labels, Stripe's values. */
function fromStripeNow(dispute: IDataObject & { id: string }) {
	const now = emulator().get('dispute', 'test', dispute.id) as IDataObject;
	const due = (now.evidence_details as IDataObject).due_by as number;
	const dueText = `${new Date(due * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
	return [
		'    From Stripe now:',
		`    ◦ Dispute status: \`${String(now.status)}\``,
		`    ◦ Dispute reason: \`${String(now.reason)}\``,
		'    ◦ Disputed amount: `€129.00`',
		`    ◦ Evidence due by: \`${dueText}\``,
		`    ◦ Disputed charge: \`${String(now.charge)}\``,
	];
}

async function propose(operation: string, parameters: IDataObject) {
	return await runStripeGuard({
		parameters: { resource: 'dispute', operation, ...parameters } as INodeParameters,
		credential: writer(),
	});
}

/** Asks the approver through the chat webhook; `approvers` and a limit ask two named ones. */
async function ask(proposal: IDataObject, extra: IDataObject = {}) {
	const approval = await runApproval({
		proposals: [proposal],
		credential: writer(),
		parameters: {
			...(extra.approvers
				? { notificationWorkflowId: 'wf-notify' }
				: { webhookUrl: receiver().url }),
			expireAfter: 1,
			expireUnit: 'hours',
			...extra,
		},
	});
	expect(approval.run.status).toBe('waiting');
	const notified = approval.notifications[0];
	const text = notified?.length ? String(notified[0].text) : receiver().messages[0].text;
	const links = notified?.length
		? notified.map((i) => String(i.reviewUrl))
		: [/^Review and decide: (\S+)$/m.exec(text)![1]];
	return { approval, text, links };
}

describe('Propose Update Evidence', () => {
	test(
		'staged evidence: every value shown under our labels, then sent exactly once; ' +
			'the dispute keeps waiting for a response',
		async () => {
			const dispute = disputed();
			const e = emulator();
			const earlier = e.create<{ id: string }>('charge', 'test', { amount: 12_900 });
			const proposed = await propose('updateEvidence', {
				disputeId: { __rl: true, mode: 'id', value: dispute.id },
				updateFields: {
					productDescription: 'Lifetime plan, delivered by email',
					customerName: 'Marisol Quintanilla',
					shippingTrackingNumber: 'CX99887766ES',
					duplicateChargeId: {
						__rl: true,
						mode: 'url',
						value: `https://dashboard.stripe.com/test/payments/${earlier.id}`,
					},
					metadata: '{"case":"D-17"}',
				},
			});
			expect(proposed.error?.message).toBeUndefined();
			const proposal = proposed.items[0].json;
			const evidence = {
				product_description: 'Lifetime plan, delivered by email',
				customer_name: 'Marisol Quintanilla',
				shipping_tracking_number: 'CX99887766ES',
				duplicate_charge_id: earlier.id,
			};
			expect(proposal).toMatchObject({
				resource: 'dispute',
				operation: 'updateEvidence',
				request: {
					method: 'POST',
					path: `/v1/disputes/${dispute.id}`,
					params: { evidence, metadata: { case: 'D-17' }, submit: false },
				},
				summary:
					`Stage evidence on dispute ${dispute.id} (product_description, customer_name, ` +
					'shipping_tracking_number, duplicate_charge_id, metadata); not submitted yet',
				amounts: {},
			});
			expect(writes()).toEqual([]);

			const { approval, text, links } = await ask(proposal);
			expect(lines(text)).toEqual(
				expect.arrayContaining([
					`1. ${String(proposal.summary)}`,
					'    • Product description (evidence): `Lifetime plan, delivered by email`',
					'    • Customer name (evidence): `Marisol Quintanilla`',
					'    • Shipping tracking number (evidence): `CX99887766ES`',
					`    • Duplicate charge (evidence): \`${earlier.id}\``,
					'    • Metadata: `case = D-17`',
					'    • Submit all evidence to the bank now: `no`',
					...fromStripeNow(dispute),
					'Total that can move: no money',
				]),
			);
			expect(fromStripeNow(dispute)).toContain('    ◦ Dispute status: `needs_response`');
			const approved = await approval.open(links[0], 'POST', {
				approver: 'Ada',
				decision: 'approve',
			});
			const out = approval.outputs(approved.resumed!);
			expect(out.failed).toEqual([]);
			expect(writes().map((r) => [r.method, r.path, r.body, r.idempotencyKey])).toEqual([
				[
					'POST',
					`/v1/disputes/${dispute.id}`,
					{ evidence, metadata: { case: 'D-17' }, submit: 'false' },
					`stripe-guard-${String(proposal.proposalId)}`,
				],
			]);
			expect(e.get('dispute', 'test', dispute.id)).toMatchObject({
				status: 'needs_response',
				evidence,
				evidence_details: { has_evidence: true, submission_count: 0 },
				metadata: { case: 'D-17' },
			});
		},
	);

	test('Submit Now sends the evidence to the bank: the dispute goes under review', async () => {
		const dispute = disputed();
		const proposed = await propose('updateEvidence', {
			disputeId: dispute.id,
			submit: true,
			updateFields: { refundRefusalExplanation: 'Used for 40 days; policy allows 14.' },
		});
		const proposal = proposed.items[0].json;
		expect(proposal.summary).toBe(
			`Submit the evidence of dispute ${dispute.id} to the bank now ` +
				'(refund_refusal_explanation); it can then no longer be changed',
		);
		const { approval, text, links } = await ask(proposal);
		expect(lines(text)).toContain('    • Submit all evidence to the bank now: `yes`');
		const approved = await approval.open(links[0], 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		expect(approval.outputs(approved.resumed!).approved.map((i) => i.json.status)).toEqual([
			'under_review',
		]);
		expect(emulator().get('dispute', 'test', dispute.id)).toMatchObject({
			status: 'under_review',
			evidence_details: { has_evidence: true, submission_count: 1 },
		});
	});

	test('evidence staged before is submitted on its own', async () => {
		const dispute = disputed();
		const proposed = await propose('updateEvidence', { disputeId: dispute.id, submit: true });
		expect(proposed.items[0].json).toMatchObject({
			request: { params: { submit: true } },
			summary:
				`Submit the evidence of dispute ${dispute.id} to the bank now; ` +
				'it can then no longer be changed',
		});
	});

	test.each([
		[
			'nothing to send and nothing to submit',
			{},
			'Give at least one evidence field or metadata, or turn on Submit Now to submit ' +
				'the evidence staged before (item 0)',
		],
		[
			'a field beyond its maxLength in Stripe’s definitions',
			{ customerName: 'x'.repeat(5001) },
			'Customer Name is 5001 characters long; Stripe takes at most 5000: shorten it (item 0)',
		],
		[
			'more than the 150,000 characters Stripe takes in all',
			Object.fromEntries(
				[
					'productDescription',
					'accessActivityLog',
					'cancellationPolicyDisclosure',
					'cancellationRebuttal',
					'refundPolicyDisclosure',
					'refundRefusalExplanation',
					'duplicateChargeExplanation',
					'uncategorizedText',
				].map((field) => [field, 'x'.repeat(19_000)]),
			),
			'The evidence is 152000 characters long in all; Stripe takes at most 150000: ' +
				'shorten it (item 0)',
		],
		[
			'a duplicate charge that is no charge',
			{ duplicateChargeId: 'cus_NotACharge' },
			'"cus_NotACharge" is not a charge ID: it must start with ch_ (item 0)',
		],
	])('%s is refused in words, before anything is proposed', async (_what, fields, message) => {
		const dispute = disputed();
		const run = await propose('updateEvidence', {
			disputeId: dispute.id,
			updateFields: fields,
		});
		expect(run.error?.message).toBe(message);
		expect(writes()).toEqual([]);
	});
});

describe('Propose Close', () => {
	test(
		'the approver sees the disputed amount, read from Stripe, and that it will not be ' +
			'contested; it counts toward Two Approvers Above; closed once, as lost',
		async () => {
			const dispute = disputed();
			const proposed = await propose('close', { disputeId: dispute.id });
			const proposal = proposed.items[0].json;
			expect(proposal).toMatchObject({
				request: { method: 'POST', path: `/v1/disputes/${dispute.id}/close`, params: {} },
				summary:
					`Close dispute ${dispute.id}: accept it as lost, without contesting it ` +
					'(cannot be undone)',
				amounts: {},
			});
			emulator().clearRequests();
			const { approval, text, links } = await ask(proposal, {
				approvers: 'ada@example.com, grace@example.com',
				twoApproversAbove: { limits: [{ currency: 'eur', amount: 10_000 }] },
			});
			expect(lines(text)).toEqual(
				expect.arrayContaining([
					`Total that can move: no money, plus dispute ${dispute.id}'s disputed amount, ` +
						'given up by closing it (it will not be contested)',
					`Read from Stripe now: dispute ${dispute.id} is for €129.00; closing it accepts ` +
						'that loss, and the dispute will not be contested',
					'At most, with the amounts read from Stripe now: €129.00',
					'Two different approvers must approve before anything runs: ' +
						'€129.00 is above the limit of €100.00.',
					...fromStripeNow(dispute),
				]),
			);
			expect(writes()).toEqual([]);
			const first = await approval.open(links[0], 'POST', { decision: 'approve' });
			expect(first.resumed).toBeUndefined();
			expect(writes()).toEqual([]);
			const second = await approval.open(links[1], 'POST', { decision: 'approve' });
			const out = approval.outputs(second.resumed!);
			expect(out.approved.map((i) => i.json.status)).toEqual(['lost']);
			expect(writes().map((r) => [r.method, r.path, r.body, r.idempotencyKey])).toEqual([
				[
					'POST',
					`/v1/disputes/${dispute.id}/close`,
					{},
					`stripe-guard-${String(proposal.proposalId)}`,
				],
			]);
			expect(emulator().get('dispute', 'test', dispute.id)?.status).toBe('lost');
		},
	);

	test('a dispute that cannot be read counts as above every limit, and says why', async () => {
		const proposed = await propose('close', { disputeId: 'dp_Missing0001' });
		const { text } = await ask(proposed.items[0].json, {
			approvers: 'ada@example.com, grace@example.com',
			twoApproversAbove: { limits: [{ currency: 'eur', amount: 10_000_000 }] },
		});
		expect(text).toContain(
			"Not known before the decision: dispute dp_Missing0001's disputed amount, given up by " +
				'closing it (it will not be contested): ',
		);
		expect(text).toContain('No such dispute');
		expect(text).toContain('Two different approvers must approve');
	});
});

describe('both forms of dispute ID, du_… and dp_…', () => {
	test.each([
		['updateEvidence', { customerName: 'Ada Lovelace' }],
		['close', {}],
	])('%s takes either form and refuses any other prefix', async (operation, fields) => {
		for (const id of ['du_1MtJUT2eZvKYlo2CNaw2HvEv', 'dp_1MtJUT2eZvKYlo2CNaw2HvEv']) {
			const run = await propose(operation, {
				disputeId: { __rl: true, mode: 'id', value: id },
				updateFields: fields,
			});
			expect(run.error?.message).toBeUndefined();
			expect(String((run.items[0].json.request as IDataObject).path)).toMatch(
				new RegExp(`^/v1/disputes/${id}(/close)?$`),
			);
		}
		const refused = await propose(operation, {
			disputeId: 'xx_1MtJUT2eZvKYlo2CNaw2HvEv',
			updateFields: fields,
		});
		expect(refused.error?.message).toBe(
			'"xx_1MtJUT2eZvKYlo2CNaw2HvEv" is not a dispute ID: it must start with du_ or dp_ (item 0)',
		);
		expect(writes()).toEqual([]);
	});

	test('a du_… dispute: read for the approver, then closed once', async () => {
		const dispute = disputed({ id: 'du_1MtJUT2eZvKYlo2CNaw2HvEv' });
		const proposed = await propose('close', {
			disputeId: {
				__rl: true,
				mode: 'url',
				value: `https://dashboard.stripe.com/test/disputes/${dispute.id}`,
			},
		});
		const proposal = proposed.items[0].json;
		expect(proposal.request).toEqual({
			method: 'POST',
			path: '/v1/disputes/du_1MtJUT2eZvKYlo2CNaw2HvEv/close',
			params: {},
		});
		const { approval, text, links } = await ask(proposal);
		expect(lines(text)).toEqual(expect.arrayContaining(fromStripeNow(dispute)));
		expect(text).toContain(
			'Read from Stripe now: dispute du_1MtJUT2eZvKYlo2CNaw2HvEv is for €129.00',
		);
		const approved = await approval.open(links[0], 'POST', {
			approver: 'Ada',
			decision: 'approve',
		});
		expect(approval.outputs(approved.resumed!).approved.map((i) => i.json.status)).toEqual([
			'lost',
		]);
		expect(writes().map((r) => r.path)).toEqual(['/v1/disputes/du_1MtJUT2eZvKYlo2CNaw2HvEv/close']);
	});

	test('a dispute that cannot be read: the approver is told so, and can still decide', async () => {
		const proposed = await propose('updateEvidence', {
			disputeId: 'du_Missing0001',
			updateFields: { customerName: 'Ada Lovelace' },
		});
		const { text } = await ask(proposed.items[0].json);
		expect(lines(text)).toEqual(
			expect.arrayContaining([
				'    From Stripe now:',
				expect.stringMatching(/^ {4}◦ Context: `could not be read from Stripe \(No such dispute/),
			]),
		);
	});
});

describe("the emulator's disputes, as Stripe answers them", () => {
	const sdk = () => new Stripe(emulator().keys.testWrite, { maxNetworkRetries: 0 });

	test('a closed dispute can be neither closed again nor given evidence', async () => {
		const dispute = disputed({ status: 'lost' });
		await expect(sdk().disputes.close(dispute.id)).rejects.toThrow(/status of lost/);
		await expect(
			sdk().disputes.update(dispute.id, { evidence: { customer_name: 'x' } }),
		).rejects.toThrow(/status of lost/);
	});

	test('an inquiry closes as warning_closed; over 150,000 evidence characters fail', async () => {
		const inquiry = disputed({ status: 'warning_needs_response' });
		expect((await sdk().disputes.close(inquiry.id)).status).toBe('warning_closed');
		const open = disputed();
		await expect(
			sdk().disputes.update(open.id, {
				evidence: {
					product_description: 'x'.repeat(20_000),
					access_activity_log: 'x'.repeat(20_000),
					cancellation_rebuttal: 'x'.repeat(20_000),
					cancellation_policy_disclosure: 'x'.repeat(20_000),
					refund_policy_disclosure: 'x'.repeat(20_000),
					refund_refusal_explanation: 'x'.repeat(20_000),
					duplicate_charge_explanation: 'x'.repeat(20_000),
					uncategorized_text: 'x'.repeat(10_001),
				},
				submit: false,
			}),
		).rejects.toThrow(/at most 150000/);
		emulator().takeViolations();
	});
});

test('the credential test probes Disputes: Write once, and names it', async () => {
	const e = emulator();
	const key = e.addKey({ mode: 'test', permissions: { customer: 'read', dispute: 'write' } });
	e.clearRequests();
	const result = await testCredential({ apiKey: key });
	expect(result.status).toBe('Error');
	expect(result.message).toContain('can write Disputes: Write (rak_dispute_write)');
	const probes = e.requests.filter((r) => r.path.startsWith('/v1/disputes'));
	expect(probes.map((r) => [r.method, r.path, r.status])).toEqual([
		['POST', '/v1/disputes/dp_StripeGuardWriteProbe0000', 400],
	]);
});
