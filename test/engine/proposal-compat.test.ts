/**
 * Proposals signed before the write modules were restructured stay good after it: an approval
 * can still be waiting while n8n is upgraded. fixtures/proposals-signed-before-write-modules.json
 * holds 32 of them, every write the Stripe Guard node proposes and its variants: the node's
 * parameters, the proposal it signed, what the Stripe Guard Approval node showed the approver and
 * the request it then sent (its _source says how they were captured). For each, through n8n-core's
 * engine against the emulator holding the same objects: the approval node accepts the proposal,
 * shows exactly what it showed then (with, where Stripe decides an amount, the lines saying what
 * was read of it before the decision), and on approval sends exactly that request; and the same
 * parameters still make the same proposal. The proposals have long expired by the wall clock, so
 * only Date is faked while they are approved: to a minute after each was made, timers left real.
 *
 * Only the test harnesses, the emulator and the node classes are used here, never the modules
 * that build or describe writes: those are what may change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeParameters, INodePropertyOptions } from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import type { ObjectType, StripeObject } from '../emulator';
import { runApproval, startReceiver } from './approval-harness';
import { atTime } from './date-clock';
import { useEmulator } from './emulator-context';
import { runStripeGuard, type TestCredential } from './harness';

interface Shown {
	title: string;
	headline: string;
	lines: string[];
	context: string[];
	totals: string;
	openAmounts: string[];
	/** The whole message, with the execution, its deadline and the signed link named instead. */
	message: string[];
	/** The review page's title, proposal list and totals, as HTML. */
	page: { title: string; proposals: string; total: string };
}

interface WriteRequest {
	method: string;
	path: string;
	query: Record<string, unknown>;
	body: Record<string, unknown>;
	idempotencyKey?: string;
	status: number;
}

interface Captured {
	name: string;
	node: { typeVersion: number; parameters: INodeParameters };
	/** The Stripe Guard node's output item, exactly as signed. */
	proposal: IDataObject & { proposalId: string; createdAt: string; expiresAt: string };
	shown: Shown;
	executed: {
		requests: WriteRequest[];
		/** The Approved item's `object`, and its audit without what differs per execution. */
		output: { object: string; audit: IDataObject };
		/** The review page's heading after the approval. */
		page: string;
	};
}

interface Fixture {
	credential: TestCredential;
	approval: {
		parameters: IDataObject;
		approver: string;
		comment: string;
	};
	objects: Array<{ type: ObjectType; object: StripeObject }>;
	proposals: Captured[];
}

const fixture = JSON.parse(
	readFileSync(join(__dirname, 'fixtures/proposals-signed-before-write-modules.json'), 'utf8'),
) as Fixture;
const { credential } = fixture;

// No rate limits: a 429 retried would add a second write to the log this test compares.
const emulator = useEmulator({ seed: 'none', rateLimits: false });
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
	// The key the proposals were signed with: their signatures are keyed from it.
	emulator().addKey({ key: credential.apiKey, mode: 'test', permissions: 'write' });
	receiver = await startReceiver();
});
afterAll(async () => await receiver.stop());

/**
 * The objects the proposals name, put back with their IDs and every field as captured. Only
 * customer.delete names the customer it deletes: the emulator answers a deleted ID as deleted
 * even after reset(), so no other proposal may name it.
 */
function restoreObjects() {
	const e = emulator();
	e.reset();
	for (const { type, object } of fixture.objects) e.create(type, 'test', structuredClone(object));
	for (const { type, object } of fixture.objects)
		expect(e.get(type, 'test', object.id)).toMatchObject(object);
}

/** Only Date says the time was a minute after the proposal was made (date-clock.ts). */
const withinLifetime = <T>(proposal: Captured['proposal'], run: () => Promise<T>) =>
	atTime(Date.parse(proposal.createdAt) + 60_000, run);

/** What the message says of an amount Stripe decides, read before the decision. */
const READ_LINES = ['Read from Stripe now', 'At most, with the amounts read from Stripe now'];
const READ_LINE = new RegExp(`^(${READ_LINES.join('|')}): `);

function normalized(text: string): string[] {
	return text
		.replace(/execution exec-wf-approval-[a-z0-9]+\./, 'execution <execution>.')
		.replace(/Decide before \d{4}-\d\d-\d\d \d\d:\d\d UTC/, 'Decide before <deadline>')
		.replace(/(Review and decide: )\S+/g, '$1<review link>')
		.split('\n');
}

/** The message's parts: the batch title, the one proposal's headline and lines, the totals. */
function partsOf(lines: string[]): Omit<Shown, 'message' | 'page'> {
	const total = lines.find((l) => l.startsWith('Total that can move: ')) ?? '';
	const [totals, ...openAmounts] = total.slice('Total that can move: '.length).split(', plus ');
	return {
		title: lines[0],
		headline: lines.find((l) => l.startsWith('1. '))?.slice(3) ?? '',
		lines: lines.filter((l) => l.startsWith('    • ')).map((l) => l.slice(6)),
		context: lines.filter((l) => l.startsWith('    ◦ ')).map((l) => l.slice(6)),
		totals,
		openAmounts,
	};
}

function pageOf(body: string): Shown['page'] {
	const part = (pattern: RegExp) => pattern.exec(body)?.[1] ?? '';
	return {
		title: part(/<h1>(.*?)<\/h1>/s),
		proposals: part(/<ol>(.*?)<\/ol>/s),
		total: part(/<p class="total">(.*?)<\/p>/s),
	};
}

/** A proposal apart from what is new in every one (its ID, times, signature), with its lifetime. */
function unsignedPart(proposal: IDataObject) {
	const { proposalId, createdAt, expiresAt, signature, ...rest } = proposal;
	expect([proposalId, createdAt, expiresAt, signature]).toEqual([
		expect.stringMatching(/^prop_[0-9a-f]{24}$/),
		expect.any(String),
		expect.any(String),
		expect.stringMatching(/^[0-9a-f]{64}$/),
	]);
	return { ...rest, lifetimeMs: Date.parse(String(expiresAt)) - Date.parse(String(createdAt)) };
}

test('every write in the fixture is one the Stripe Guard node still proposes', () => {
	const proposed = new StripeGuard().description.properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			(p.options as INodePropertyOptions[])
				.filter((o) => o.name.startsWith('Propose '))
				.map((o) => `${String(p.displayOptions?.show?.resource?.[0])}.${String(o.value)}`),
		);
	const captured = new Set(
		fixture.proposals.map((c) => `${c.proposal.resource}.${c.proposal.operation}`),
	);
	// All 17 writes the node proposed when the fixture was captured.
	expect(captured.size).toBe(17);
	expect(proposed).toEqual(expect.arrayContaining([...captured]));
});

test.each(fixture.proposals.map((c) => [c.name, c] as const))('%s', async (_name, captured) => {
	const e = emulator();
	restoreObjects();

	// d. The same parameters still make the same proposal.
	const today = await runStripeGuard({
		parameters: captured.node.parameters,
		credential,
		typeVersion: captured.node.typeVersion,
	});
	expect(today.error).toBeUndefined();
	expect(today.items).toHaveLength(1);
	expect(unsignedPart(today.items[0].json)).toEqual(unsignedPart(captured.proposal));

	restoreObjects();
	receiver.messages.length = 0;
	await withinLifetime(captured.proposal, async () => {
		// a. The approval node accepts the signed proposal and asks a person.
		const approval = await runApproval({
			proposals: [captured.proposal],
			credential,
			parameters: { webhookUrl: receiver.url, ...fixture.approval.parameters },
		});
		expect(approval.run.data.resultData.error).toBeUndefined();
		expect(approval.run.status).toBe('waiting');

		// b. What reaches the approver: the message (all the webhook carries) and the review page.
		expect(receiver.messages).toHaveLength(1);
		const { text } = receiver.messages[0];
		// Since amounts Stripe decides are read before the decision, a proposal with one gains the
		// lines saying what was read (their amounts are Stripe's now); all else is as captured.
		const all = normalized(text);
		const read = all.filter((l) => READ_LINE.test(l));
		expect(read.map((l) => READ_LINE.exec(l)![1])).toEqual(
			captured.shown.openAmounts.length ? [...READ_LINES] : [],
		);
		const lines = all.filter((l) => !READ_LINE.test(l));
		expect({ ...partsOf(lines), message: lines }).toEqual({
			title: captured.shown.title,
			headline: captured.shown.headline,
			lines: captured.shown.lines,
			context: captured.shown.context,
			totals: captured.shown.totals,
			openAmounts: captured.shown.openAmounts,
			message: captured.shown.message,
		});
		const link = /Review and decide: (\S+)/.exec(text)![1];
		const review = await approval.open(link);
		expect(review.page.statusCode).toBe(200);
		expect(review.resumed).toBeUndefined();
		expect(pageOf(review.page.body)).toEqual(captured.shown.page);

		// c. Approved, it sends exactly the captured request, once, and comes out on Approved.
		e.clearRequests();
		const done = await approval.open(link, 'POST', {
			approver: fixture.approval.approver,
			comment: fixture.approval.comment,
			decision: 'approve',
		});
		expect(done.resumed?.status).toBe('success');
		const writes = e.requests
			// Stripe's invoice preview, a POST that creates nothing, reads a cancellation's invoice.
			.filter((r) => r.method !== 'GET' && r.path !== '/v1/invoices/create_preview')
			.map((r) => ({
				method: r.method,
				path: r.path,
				query: r.query,
				body: r.body,
				idempotencyKey: r.idempotencyKey,
				status: r.status,
			}));
		expect(writes).toEqual(captured.executed.requests);
		expect(writes.map((w) => w.idempotencyKey)).toEqual([
			`stripe-guard-${captured.proposal.proposalId}`,
		]);
		const out = approval.outputs(done.resumed!);
		expect([out.expired, out.rejected, out.failed]).toEqual([[], [], []]);
		expect(out.approved).toHaveLength(1);
		const { object, audit, id } = out.approved[0].json as IDataObject & { audit: IDataObject };
		const { decidedAt, workflowId, executionId, requestId, ...stable } = audit;
		expect([decidedAt, workflowId, executionId, requestId]).toEqual([
			expect.any(String),
			expect.stringMatching(/^wf-approval-/),
			expect.stringMatching(/^exec-/),
			expect.stringMatching(/^req_/),
		]);
		const expected = { ...captured.executed.output.audit };
		// A created object's ID is new in every run: the audit names the object that came out.
		const created = /^<new (\w+_)…>$/.exec(String(expected.stripeObjectId));
		if (created) {
			expect(String(stable.stripeObjectId).startsWith(created[1])).toBe(true);
			expected.stripeObjectId = id;
		}
		expect({ object, audit: stable }).toEqual({
			object: captured.executed.output.object,
			audit: expected,
		});
		expect(/<section class="result"><h2>(.*?)<\/h2>/s.exec(done.page.body)?.[1]).toBe(
			captured.executed.page,
		);
	});
});
