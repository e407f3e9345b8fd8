/** A Slack-compatible incoming webhook on 127.0.0.1 that keeps what it receives, for approval tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startReceiver(): Promise<{ url: string; messages: Array<{ text: string }>; stop: () => Promise<void> }> {
	const messages: Array<{ text: string }> = [];
	const server: Server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			messages.push(JSON.parse(body) as { text: string });
			res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}/hooks/approvals`, messages, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

