/**
 * How tests reach the emulator (test/route-stripe.js): the product calls https://api.stripe.com,
 * and only connections for that name go to the emulator on 127.0.0.1, checked against the test CA.
 * Nothing else is touched, and with no emulator to route to, api.stripe.com is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, get as httpsGet, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Stripe from 'stripe';

import { CA_PATH, routeStripeTo, TLS_DIR } from '../route-stripe';
import { useEmulator } from './emulator-context';
import { runStripeGuard } from './harness';

const emulator = useEmulator({ seed: 'demo' });

async function serve(
	key: Buffer,
	cert: Buffer,
	answer: string,
): Promise<{ server: Server; port: number }> {
	const server = createServer({ key, cert }, (_req, res) => res.end(answer));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, port: (server.address() as AddressInfo).port };
}

const get = (url: string, ca?: string) =>
	new Promise<string>((resolve, reject) => {
		httpsGet(url, { ca, agent: false }, (res) => {
			let body = '';
			res.on('data', (c) => (body += c));
			res.on('end', () => resolve(body));
		}).on('error', reject);
	});

test('the product calls api.stripe.com, which reaches the emulator', async () => {
	const e = emulator();
	e.clearRequests();
	const run = await runStripeGuard({
		parameters: { resource: 'customer', operation: 'list', limit: 3 } as never,
		credential: { apiKey: e.keys.testRead },
	});
	expect(run.status).toBe('success');
	expect(run.items).toHaveLength(3);
	expect(e.requests.map((r) => r.host)).toEqual(['api.stripe.com']);
});

test('with no emulator to route to, api.stripe.com is refused and nothing is sent', async () => {
	const e = emulator();
	e.clearRequests();
	routeStripeTo(undefined);
	try {
		// A new agent: the route applies to new connections, and the SDK's pool keeps one open.
		const stripe = new Stripe(e.keys.testRead, { maxNetworkRetries: 0, httpAgent: new Agent() });
		const error = await stripe.customers.list({ limit: 1 }).catch((err: unknown) => err);
		expect(error).toMatchObject({ type: 'StripeConnectionError' });
		await expect(fetch('https://api.stripe.com/v1/customers')).rejects.toMatchObject({
			cause: { code: 'ECONNREFUSED' },
		});
		expect(e.requests).toHaveLength(0);
	} finally {
		routeStripeTo(e.port);
	}
});

test('other hosts are not routed', async () => {
	const tls = {
		key: readFileSync(join(TLS_DIR, 'server.key')),
		cert: readFileSync(join(TLS_DIR, 'server.crt')),
	};
	const other = await serve(tls.key, tls.cert, 'not the emulator');
	try {
		const ca = readFileSync(CA_PATH, 'utf8');
		expect(await get(`https://localhost:${other.port}/`, ca)).toBe('not the emulator');
		expect(await get(`https://127.0.0.1:${other.port}/`, ca)).toBe('not the emulator');
		expect(emulator().requests.filter((r) => r.path === '/')).toHaveLength(0);
	} finally {
		other.server.close();
	}
});

test('a routed connection accepts only a certificate from the test CA', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'stripe-guard-impostor-'));
	try {
		// Another self-made certificate for api.stripe.com: not signed by the test CA.
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=api.stripe.com',
				'-addext',
				'subjectAltName=DNS:api.stripe.com',
				'-keyout',
				join(dir, 'key.pem'),
				'-out',
				join(dir, 'cert.pem'),
			],
			{ stdio: 'ignore' },
		);
		const impostor = await serve(
			readFileSync(join(dir, 'key.pem')),
			readFileSync(join(dir, 'cert.pem')),
			'impostor',
		);
		routeStripeTo(impostor.port);
		try {
			await expect(get('https://api.stripe.com/v1/customers')).rejects.toMatchObject({
				code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
			});
		} finally {
			routeStripeTo(emulator().port);
			impostor.server.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
