/**
 * Approval scenarios that more than one suite runs on a real n8n (one process, and queue mode),
 * with named approvers whose links reach each of them alone through a notification workflow
 * (`notifyToReceiver`): the workflows, what each approver was sent, and the checks against what
 * the emulator received and what n8n stored.
 */
import type { RequestLogEntry, StripeEmulator } from '../emulator';
import { executionRun, executionStatus, waitFor, type StoredItem } from './polling';
import { chain, decide, node, reviewLinks, webhook } from './workflows';

type Credential = { id: string; name: string };
type Receiver = { messages: Array<{ text: string }> };

export const ADA = 'ada@example.com';
export const GRACE = 'grace@example.com';

/** One item of the notification workflow, as the receiver got it: what one approver was sent. */
export interface Delivered {
	approver: string;
	reviewUrl: string;
	text: string;
	executionId: string;
	links: Array<{ approver: string; url: string }>;
	proposals: Array<{ proposalId: string; headline: string }>;
	atMost: Record<string, { amount: number; formatted: string }>;
	moneyNotes: string[];
}

/** Every notification item the receiver got, in order. */
export const delivered = (receiver: Receiver) =>
	receiver.messages.map((m) => JSON.parse(m.text) as Delivered);

/**
 * The items of one request of an execution, once both approvers' have arrived: the request
 * number `round` (1, 2…), or, without an execution, the first request that came after `from`
 * messages. Each item carries its own link and no other approver's, anywhere in it.
 */
export async function requestOf(
	receiver: Receiver,
	{ executionId, round = 1, from = 0 }: { executionId?: string; round?: number; from?: number },
	timeoutMs = 90_000,
): Promise<Record<string, Delivered>> {
	const items = await waitFor(
		`request ${round} of execution ${executionId ?? '(new)'}`,
		() => {
			const all = delivered(receiver).slice(from);
			const id = executionId ?? all[0]?.executionId;
			const mine = all.filter((i) => i.executionId === id);
			return mine.length >= 2 * round ? mine.slice(2 * (round - 1), 2 * round) : undefined;
		},
		timeoutMs,
	);
	expect(items.map((i) => i.approver).sort()).toEqual([ADA, GRACE]);
	for (const item of items) {
		expect(item.links).toEqual([{ approver: item.approver, url: item.reviewUrl }]);
		expect(reviewLinks(item.text)).toEqual([{ approver: item.approver, url: item.reviewUrl }]);
		for (const other of items.filter((o) => o !== item))
			expect(JSON.stringify(item)).not.toContain(other.reviewUrl);
	}
	return Object.fromEntries(items.map((i) => [i.approver, i]));
}

/**
 * Approval, with Ada and Grace named, asked through the notification workflow `notifyId`; above
 * $1.00 (unless `extra` says otherwise) both must approve.
 */
export const namedApproval = (
	notifyId: string,
	credential: Credential,
	position: [number, number],
	extra: Record<string, unknown> = {},
) =>
	node(
		'Approval',
		'n8n-nodes-stripe-guard.stripeGuardApproval',
		{
			operation: 'sendAndWait',
			notificationWorkflowId: notifyId,
			approvers: `${ADA}, ${GRACE}`,
			twoApproversAbove: { limits: [{ currency: 'usd', amount: 100 }] },
			expireAfter: 1,
			expireUnit: 'hours',
			...extra,
		},
		position,
		{ credentials: { stripeRestrictedKeyApi: credential } },
	);

const proposeRefund = (
	name: string,
	chargeId: string,
	amount: number,
	credential: Credential,
	position: [number, number],
) =>
	node(
		name,
		'n8n-nodes-stripe-guard.stripeGuard',
		{ resource: 'refund', operation: 'create', chargeId, additionalFields: { amount } },
		position,
		{ credentials: { stripeRestrictedKeyApi: credential } },
	);

/**
 * Webhook (POST {chargeId}) → propose a $2.00 refund → Approval (Ada and Grace, two of them above
 * $1.00); its first request expires after 15 seconds, a later one after an hour. Expired →
 * propose a $3.00 refund of the same charge → the same Approval.
 */
export const expiredLoopWorkflow = (
	id: string,
	path: string,
	notifyId: string,
	credential: Credential,
) => ({
	id,
	name: 'Refund, asked again after the time limit',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		webhook(path, 'onReceived'),
		proposeRefund('Propose refund', '={{ $json.body.chargeId }}', 200, credential, [220, 0]),
		namedApproval(notifyId, credential, [440, 0], {
			expireAfter: '={{ $runIndex === 0 ? 0.25 : 60 }}',
			expireUnit: 'minutes',
		}),
		proposeRefund(
			'Propose again',
			"={{ $('Webhook').first().json.body.chargeId }}",
			300,
			credential,
			[660, -200],
		),
	],
	connections: {
		...chain('Webhook', 'Propose refund', 'Approval'),
		Approval: { main: [[{ node: 'Propose again', type: 'main', index: 0 }], [], [], []] },
		'Propose again': { main: [[{ node: 'Approval', type: 'main', index: 0 }]] },
	},
});

/** The requests the emulator got from now on (a marker that survives other tests' requests). */
export function requestsFromNow(emulator: StripeEmulator) {
	const before = new Set<RequestLogEntry>(emulator.requests);
	const since = () => emulator.requests.filter((r) => !before.has(r));
	return {
		since,
		/** What can change Stripe: every request but reads and invoice previews. */
		writes: () =>
			since().filter((r) => r.method !== 'GET' && r.path !== '/v1/invoices/create_preview'),
	};
}

/** Posts to a workflow's webhook (its registration can trail n8n's readiness by a moment). */
export async function startByWebhook(serverUrl: string, path: string, body: unknown) {
	const res = await waitFor(`webhook ${path}`, async () => {
		const r = await fetch(`${serverUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		return r.status === 404 ? undefined : r;
	});
	expect(res.status).toBe(200);
}

/** Waits until the execution is done (neither waiting nor running) and returns its status. */
export const finished = (serverUrl: string, cookie: string, id: string, timeoutMs = 90_000) =>
	waitFor(
		`execution ${id} to finish`,
		async () => {
			const status = await executionStatus(serverUrl, cookie, id);
			return ['waiting', 'running', 'new'].includes(status) ? undefined : status;
		},
		timeoutMs,
	);

/** Waits until the execution waits (again) for a decision. */
export const waiting = (serverUrl: string, cookie: string, id: string) =>
	waitFor(`execution ${id} to wait`, async () =>
		(await executionStatus(serverUrl, cookie, id)) === 'waiting' ? true : undefined,
	);

const waitOf = (url: string) => new URL(url).searchParams.get('wait');

/**
 * The Expired → propose again → same node loop (`expiredLoopWorkflow` at `path`): request 1 ($2.00,
 * above the $1.00 limit) gets Ada's approval and times out; request 2 ($3.00) is asked afresh in
 * the same execution, with new links. Ada's approval of request 1 neither shows nor counts: Grace
 * alone is not enough; every link of request 1 answers 410 and decides nothing; Ada and Grace in
 * request 2 execute the $3.00 refund once, with its proposal's idempotency key. Returns the
 * execution's id, for what a suite checks besides.
 */
export async function expiredLoop(ctx: {
	serverUrl: string;
	cookie: string;
	emulator: StripeEmulator;
	receiver: Receiver;
	path: string;
}): Promise<string> {
	const { serverUrl, cookie, emulator, receiver } = ctx;
	const customer = emulator.create<{ id: string }>('customer', 'test', { name: 'Jane' });
	const charge = emulator.create<{ id: string }>('charge', 'test', {
		amount: 5_000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
		customer: customer.id,
	});
	const { writes } = requestsFromNow(emulator);
	const from = receiver.messages.length;
	await startByWebhook(serverUrl, ctx.path, { chargeId: charge.id });

	const first = await requestOf(receiver, { from });
	const executionId = first[ADA].executionId;
	const [p1] = first[ADA].proposals;
	for (const item of Object.values(first)) {
		expect(item.text).toContain(`Refund $2.00 of charge ${charge.id}`);
		expect(item.text).toContain(
			'Two different approvers must approve before anything runs: ' +
				'$2.00 is above the limit of $1.00.',
		);
	}
	// The links can arrive before the execution is stored as waiting (in queue mode, n8n answers
	// "is running already" until then).
	await waiting(serverUrl, cookie, executionId);
	const ada1 = await decide(first[ADA].reviewUrl, { decision: 'approve', comment: 'round one' });
	expect(await ada1.text()).toContain(`Your approval is recorded, ${ADA}`);
	expect(await executionStatus(serverUrl, cookie, executionId)).toBe('waiting');

	// n8n's wait tracker ends the wait (it looks about once a minute); the same execution asks again.
	const second = await requestOf(receiver, { executionId, round: 2 }, 150_000);
	const [p2] = second[ADA].proposals;
	expect(p2.proposalId).not.toBe(p1.proposalId);
	for (const approver of [ADA, GRACE]) {
		const item = second[approver];
		expect(item.text).toContain(`Refund $3.00 of charge ${charge.id}`);
		expect(item.text).toContain('$3.00 is above the limit of $1.00.');
		expect(item.reviewUrl).not.toBe(first[approver].reviewUrl);
		expect(waitOf(item.reviewUrl)).toMatch(/^[0-9a-f]{32}$/);
		expect(waitOf(item.reviewUrl)).not.toBe(waitOf(first[approver].reviewUrl));
	}
	await waiting(serverUrl, cookie, executionId);

	// Ada's approval of request 1 does not show on request 2's page, nor count toward it.
	const page = await fetch(second[GRACE].reviewUrl);
	const pageText = await page.text();
	expect(page.status).toBe(200);
	expect(pageText).toContain(`Refund $3.00 of charge ${charge.id}`);
	expect(pageText).toContain('Approved so far: nobody.');
	const grace2 = await decide(second[GRACE].reviewUrl, {
		decision: 'approve',
		comment: 'round two',
	});
	expect(await grace2.text()).toContain(`Your approval is recorded, ${GRACE}`);
	expect(await executionStatus(serverUrl, cookie, executionId)).toBe('waiting');
	expect(writes()).toEqual([]);

	// Every link of request 1, opened or submitted, shows and decides nothing.
	for (const approver of [ADA, GRACE]) {
		for (const answer of [
			await fetch(first[approver].reviewUrl),
			await decide(first[approver].reviewUrl, { decision: 'approve' }),
		]) {
			expect(answer.status).toBe(410);
			const text = await answer.text();
			expect(text).toContain('This link belongs to an earlier request');
			expect(text).not.toContain('Refund $');
		}
	}
	expect(await executionStatus(serverUrl, cookie, executionId)).toBe('waiting');
	expect(writes()).toEqual([]);

	const ada2 = await decide(second[ADA].reviewUrl, { decision: 'approve' });
	expect(await ada2.text()).toContain(
		`Approved by ${GRACE} and ${ADA}: 1 of 1 change(s) made in Stripe`,
	);
	expect(await finished(serverUrl, cookie, executionId)).toBe('success');
	expect(
		writes().map((w) => [w.method, w.path, w.body, w.idempotencyKey, w.status, !!w.replayed]),
	).toEqual([
		[
			'POST',
			'/v1/refunds',
			{ charge: charge.id, amount: '300' },
			`stripe-guard-${p2.proposalId}`,
			200,
			false,
		],
	]);
	const refunds = emulator.list('refund', 'test').filter((r) => r.charge === charge.id);
	expect(refunds.map((r) => r.amount)).toEqual([300]);

	// What n8n stored: request 1 left through Expired with its proposal, unexecuted; request 2
	// through Approved, approved by Grace and Ada in request 2 only.
	const runs = (await executionRun(serverUrl, cookie, executionId)).runData.Approval ?? [];
	const outputs = runs.map((r) => (r.data?.main ?? []).map((items) => items ?? []));
	expect(outputs).toHaveLength(2);
	const ids = (items: StoredItem[] = []) => items.map((i) => i.json.proposalId);
	expect(outputs[0].map(ids)).toEqual([[p1.proposalId]]);
	expect(outputs[1].map((items) => items.length)).toEqual([0, 1, 0, 0]);
	const [approved] = outputs[1][1];
	expect(approved.json).toMatchObject({ id: refunds[0].id, object: 'refund', amount: 300 });
	expect(approved.json.audit).toMatchObject({
		proposalId: p2.proposalId,
		outcome: 'executed',
		idempotencyKey: `stripe-guard-${p2.proposalId}`,
		approvers: [GRACE, ADA],
		approverIdentity: 'named link',
		comment: 'round two',
		executionId,
		approvals: [
			expect.objectContaining({
				approver: GRACE,
				comment: 'round two',
				linkDeliveredTo: `notification workflow item for ${GRACE}`,
			}),
			expect.objectContaining({
				approver: ADA,
				comment: '',
				linkDeliveredTo: `notification workflow item for ${ADA}`,
			}),
		],
	});

	// Afterwards no link of either request writes anything more.
	for (const link of [...Object.values(first), ...Object.values(second)])
		await decide(link.reviewUrl, { decision: 'approve' });
	expect(writes()).toHaveLength(1);
	return executionId;
}
