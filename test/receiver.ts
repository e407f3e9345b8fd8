/**
 * A Slack-compatible incoming webhook on 127.0.0.1 that keeps what it receives: for the approval
 * and example tests, and as `npm start`'s offline Slack (it prints what arrives).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startReceiver(
	options: { port?: number; onMessage?: (message: { text: string }) => void } = {},
): Promise<{ url: string; messages: Array<{ text: string }>; stop: () => Promise<void> }> {
	const messages: Array<{ text: string }> = [];
	const server: Server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			const message = JSON.parse(body) as { text: string };
			messages.push(message);
			options.onMessage?.(message);
			res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hooks/approvals`,
		messages,
		stop: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
