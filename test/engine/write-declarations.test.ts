/**
 * Every declared write, enumerated: each part of its declaration holds against something we did
 * not write into the declaration itself — Stripe's endpoint definitions (the `stripe` package's,
 * through the emulator's contract), the emulator's restricted-key permissions, the approver's
 * review and the credential test's probes. A new write is checked here by being declared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Stripe from 'stripe';

import { COMMON_LABELS, requestLines } from '../../nodes/shared/proposals/review';
import {
	EXECUTABLE_WRITES,
	reviewProposal,
	WRITE_PROBES,
	WRITES,
	type WriteDefinition,
} from '../../nodes/StripeGuard/writes';
import { checkRequest } from '../emulator/contract';
import type { PermissionGroup } from '../emulator';
import { useEmulator } from './emulator-context';

const emulator = useEmulator({ rateLimits: false });
const sdk = (key: string) => new Stripe(key, { maxNetworkRetries: 0 });

const writes = WRITES as unknown as WriteDefinition[];
const groupOf = (write: WriteDefinition) =>
	write.permission.replace(/^rak_/, '').replace(/_write$/, '') as PermissionGroup;

/** Stripe's answer to a request, as status and error code (the SDK throws on errors). */
async function send(key: string, method: string, path: string, params: Record<string, unknown>) {
	// The SDK takes a DELETE's parameters only in the path, encoded as it encodes a form.
	const query = new URLSearchParams(params as Record<string, string>).toString();
	const url = method === 'POST' || !query ? path : `${path}?${query}`;
	try {
		await sdk(key).rawRequest(method, url, method === 'POST' ? params : undefined);
		return { status: 200, code: undefined, message: '' };
	} catch (error) {
		const e = error as { statusCode?: number; code?: string; message: string };
		if (e.statusCode === undefined) throw error;
		return { status: e.statusCode ?? 0, code: e.code, message: e.message };
	}
}

/** Every parameter path a request sends, as the approver's review names them. */
function leafPaths(value: unknown, path: string[] = []): string[] {
	if (path[0] === 'metadata' || path[0] === 'line_items') return [];
	if (value && typeof value === 'object' && !Array.isArray(value))
		return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
	return [path.join('.')];
}

test('every write is executable, under a key of its own', () => {
	expect([...EXECUTABLE_WRITES].sort()).toEqual(writes.map((w) => w.key).sort());
});

describe.each(writes.map((w) => [w.key, w] as const))('%s', (_key, write) => {
	const draft = () => write.draft(write.example.input, write.example.context);

	test("its example builds a request that Stripe's definitions accept", () => {
		const { request } = draft();
		const params = request.params as Record<string, unknown>;
		const violation = checkRequest({
			method: request.method.toLowerCase(),
			path: request.path,
			query: request.method === 'DELETE' ? params : {},
			body: request.method === 'DELETE' ? {} : params,
		});
		expect(violation).toBeUndefined();
	});

	test('the approver is shown every value it sends, each under a label of our own words', () => {
		const proposal = { ...draft(), mode: 'test' as const };
		const review = reviewProposal(proposal);
		expect(review.lines).toEqual(requestLines(proposal, write.review));
		for (const path of leafPaths(proposal.request.params)) {
			expect([path, write.review.labels[path] ?? COMMON_LABELS[path]]).toEqual([
				path,
				expect.any(String),
			]);
		}
		for (const param of write.review.amountParams ?? [])
			expect(Object.keys(write.review.labels).concat(Object.keys(COMMON_LABELS))).toContain(param);
	});

	test('it declares the money it can move', () => {
		const { request, amounts } = draft();
		const sent = leafPaths(request.params);
		const statedAmounts = Object.keys(amounts).length > 0;
		if (write.money.kind === 'stated') expect(statedAmounts).toBe(true);
		else expect(statedAmounts).toBe(false);
		if (write.money.kind === 'decidedByStripe') expect(write.money.open(request)).not.toEqual([]);
		// A write that moves no money formats no parameter as an amount it would move.
		if (write.money.kind === 'none' && write.key !== 'price.create')
			expect(sent.filter((p) => (write.review.amountParams ?? []).includes(p))).toEqual([]);
	});

	test('it needs exactly the permission it declares', async () => {
		const { request } = draft();
		const group = groupOf(write);
		const readOnly = emulator().addKey({ mode: 'test', permissions: 'read' });
		const refused = await send(readOnly, request.method, request.path, request.params);
		expect(refused.status).toBe(403);
		expect(refused.message).toContain(write.permission);
		// With that one permission to write, the request gets past the permission check.
		const writer = emulator().addKey({ mode: 'test', permissions: { [group]: 'write' } });
		const allowed = await send(writer, request.method, request.path, request.params);
		expect(allowed.status).not.toBe(403);
	});

	test('its probe needs its permission and changes nothing', async () => {
		const probe = { stripe_guard_write_probe: 'true' };
		const readOnly = emulator().addKey({ mode: 'test', permissions: 'read' });
		const refused = await send(readOnly, 'POST', write.probe, probe);
		expect(refused.status).toBe(403);
		expect(refused.message).toContain(write.permission);
		const writer = emulator().addKey({ mode: 'test', permissions: { [groupOf(write)]: 'write' } });
		const answer = await send(writer, 'POST', write.probe, probe);
		// Refused as a whole: the unknown parameter, or the ID that cannot exist.
		expect([400, 404]).toContain(answer.status);
		if (answer.status === 400) expect(answer.code).toBe('parameter_unknown');
		emulator().takeViolations();
	});
});

test('the credential test probes each permission once', () => {
	const permissions = [...new Set(writes.map((w) => w.permission))].sort();
	expect(WRITE_PROBES.map((p) => p.permission).sort()).toEqual(permissions);
});

test("README's table of writes names each write's permission as Stripe names it", () => {
	const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
	const table = readme.slice(readme.indexOf('### Write operations'));
	for (const write of writes) expect(table).toContain(`(\`${write.permission}\`)`);
});
