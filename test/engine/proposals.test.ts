import {
	canonicalJson,
	createProposal,
	idempotencyKey,
	verifyProposal,
	type UnsignedProposal,
} from '../../nodes/shared/proposals/proposals';
import {
	amountProblem,
	currencyProblem,
	idProblem,
	metadataProblem,
} from '../../nodes/StripeGuard/writes/validation';

const KEY = 'rk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const OTHER_KEY = 'rk_test_z9Y8x7W6v5U4t3S2r1Q0p9O8n7M6l5K4';
const ALLOWED = new Set(['refund.create', 'customer.update']);
const draft: UnsignedProposal = {
	resource: 'refund',
	operation: 'create',
	mode: 'test',
	request: {
		method: 'POST',
		path: '/v1/refunds',
		params: { charge: 'ch_3MmlLrLkdIwHu7ix0snN0B15', amount: 1200, reason: 'duplicate' },
	},
	summary: 'Refund ¥1,200 of charge ch_3MmlLrLkdIwHu7ix0snN0B15 — reason: duplicate',
	amounts: { jpy: 1200 },
};

describe('proposals', () => {
	const now = Date.parse('2026-11-22T12:00:00Z');

	test('a fresh proposal verifies', () => {
		const p = createProposal(draft, KEY, 3_600_000, now);
		expect(p).toMatchObject({
			type: 'stripeGuardProposal',
			version: 1,
			createdAt: '2026-11-22T12:00:00.000Z',
			expiresAt: '2026-11-22T13:00:00.000Z',
		});
		expect(p.proposalId).toMatch(/^prop_[0-9a-f]{24}$/);
		expect(verifyProposal(p, KEY, ALLOWED, now + 1000)).toEqual({ ok: true, proposal: p });
		expect(JSON.stringify(p)).not.toContain(KEY.slice(8));
	});

	test('a tampered parameter is refused', () => {
		const p = createProposal(draft, KEY, 3_600_000, now);
		const tampered = structuredClone(p);
		tampered.request.params.amount = 120000;
		expect(verifyProposal(tampered, KEY, ALLOWED, now)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/was changed after Stripe Guard created it/),
		});
		const longer = { ...structuredClone(p), expiresAt: '2099-01-01T00:00:00.000Z' };
		expect(verifyProposal(longer, KEY, ALLOWED, now).ok).toBe(false);
	});

	test('a forged or missing signature is refused', () => {
		const p = createProposal(draft, KEY, 3_600_000, now);
		expect(verifyProposal({ ...p, signature: 'f'.repeat(64) }, KEY, ALLOWED, now)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/was changed/),
		});
		const { signature: _s, ...unsigned } = p;
		expect(verifyProposal(unsigned, KEY, ALLOWED, now)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/no valid signature/),
		});
		expect(
			verifyProposal(createProposal(draft, OTHER_KEY, 3_600_000, now), KEY, ALLOWED, now),
		).toMatchObject({ ok: false, reason: expect.stringMatching(/another credential/) });
		expect(verifyProposal({ hello: 'world' }, KEY, ALLOWED, now)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/not a Stripe Guard proposal/),
		});
	});

	test('an expired proposal is refused', () => {
		const p = createProposal(draft, KEY, 60_000, now);
		expect(verifyProposal(p, KEY, ALLOWED, now + 60_000)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/expired at 2026-11-22T12:01:00.000Z/),
		});
	});

	test('an operation that is not allowed is refused', () => {
		const p = createProposal(
			{ ...draft, resource: 'payout', operation: 'create' },
			KEY,
			60_000,
			now,
		);
		expect(verifyProposal(p, KEY, ALLOWED, now)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/payout create, which Stripe Guard does not execute/),
		});
	});

	test('the idempotency key derives from the proposal id', () => {
		const p = createProposal(draft, KEY, 60_000, now);
		expect(idempotencyKey(p)).toBe(`stripe-guard-${p.proposalId}`);
	});

	test('canonical JSON ignores key order', () => {
		expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
			canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
		);
	});
});

describe('write validation', () => {
	test.each([
		[1200, undefined],
		[0, /positive whole number/],
		[-5, /positive whole number/],
		[12.5, /positive whole number/],
		['1200', /positive whole number/],
		[100_000_000, /above Stripe's limit/],
	])('amount %p', (value, expected) => {
		const problem = amountProblem(value);
		if (expected) expect(problem).toMatch(expected);
		else expect(problem).toBeUndefined();
	});

	test('currencies', () => {
		expect(currencyProblem('JPY')).toBeUndefined();
		expect(currencyProblem('bhd')).toBeUndefined();
		expect(currencyProblem('xyz')).toMatch(/not a currency Stripe supports/);
		expect(currencyProblem('dollars')).toMatch(/three-letter ISO code/);
	});

	test('metadata within Stripe limits', () => {
		expect(metadataProblem({ plan: 'pro' })).toBeUndefined();
		expect(
			metadataProblem(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))),
		).toMatch(/51 keys; Stripe allows 50/);
		expect(metadataProblem({ ['k'.repeat(41)]: 'v' })).toMatch(/1–40 characters/);
		expect(metadataProblem({ note: 'x'.repeat(501) })).toMatch(/501 characters; Stripe allows 500/);
		expect(metadataProblem({ 'a[b]': 'v' })).toMatch(/square brackets/);
		expect(metadataProblem(['a'])).toMatch(/must be an object/);
	});

	test('ids', () => {
		expect(idProblem('ch_123', 'charge', 'ch_')).toBeUndefined();
		expect(idProblem('pi_123', 'charge', 'ch_')).toMatch(
			/is not a charge ID: it must start with ch_/,
		);
	});
});
