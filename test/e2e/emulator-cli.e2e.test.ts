/**
 * `npm run emulator` works on a fresh clone: it compiles, listens on 127.0.0.1 over TLS (the test
 * CA's certificate for api.stripe.com), prints its keys, and answers a Stripe request with them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { routeStripeTo } from '../route-stripe';

jest.setTimeout(120_000);

test('npm run emulator starts and answers', async () => {
	const child = spawn(
		'npm',
		['run', '--silent', 'emulator', '--', '--port', '12197', '--seed', 'demo'],
		{ cwd: join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
	);
	try {
		const first = await new Promise<string>((resolve, reject) => {
			let out = '';
			let err = '';
			child.stderr.on('data', (c) => (err += c));
			child.stdout.on('data', (c) => {
				out += c;
				if (out.includes('\n')) resolve(out.split('\n')[0]);
			});
			child.on('exit', (code) => reject(new Error(`npm run emulator exited (${code}): ${err}`)));
		});
		const { url, keys } = JSON.parse(first) as { url: string; keys: { testRead: string } };
		expect(url).toBe('https://127.0.0.1:12197');
		routeStripeTo(12197);
		const res = await fetch('https://api.stripe.com/v1/customers?limit=1', {
			headers: { Authorization: `Bearer ${keys.testRead}` },
		});
		expect(res.status).toBe(200);
		expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
	} finally {
		routeStripeTo(undefined);
		// npm runs the emulator as its child: stop the whole process group.
		try {
			process.kill(-child.pid!, 'SIGTERM');
		} catch {
			// Already gone: the error above says why.
		}
	}
});
