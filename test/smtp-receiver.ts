/**
 * A mail server on 127.0.0.1 that accepts every message and keeps it: for the example tests, and
 * as `npm start`'s offline outbox (it prints what arrives). Plain SMTP (no TLS, no auth): just
 * enough of RFC 5321 for nodemailer.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
	from: string;
	to: string[];
	/** The message as sent (headers and body). */
	raw: string;
	subject: string;
	/** The body with quoted-printable and base64 parts decoded, for assertions on the text. */
	text: string;
}

/** Decodes RFC 2047 encoded words in a header ("=?UTF-8?Q?…?="). */
function decodeHeader(value: string): string {
	// Whitespace between two adjacent encoded words is not part of the text (RFC 2047, 6.2).
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
			enc.toLowerCase() === 'b'
				? Buffer.from(text, 'base64').toString('utf8')
				: decodeQuotedPrintable(text.replace(/_/g, ' ')),
		);
}

function decodeQuotedPrintable(text: string): string {
	const bytes = text
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
	try {
		return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
	} catch {
		return bytes;
	}
}

/** Each MIME part's body decoded after its Content-Transfer-Encoding. */
function decodeBody(raw: string): string {
	const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
	return parts
		.map((part) => {
			const split = part.search(/\r?\n\r?\n/);
			if (split < 0) return part;
			const headers = part.slice(0, split);
			const body = part.slice(split).trim();
			if (/content-transfer-encoding:\s*base64/i.test(headers))
				return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
			if (/content-transfer-encoding:\s*quoted-printable/i.test(headers))
				return decodeQuotedPrintable(body);
			return body;
		})
		.join('\n');
}

export async function startSmtpReceiver(
	options: { port?: number; onMail?: (mail: ReceivedMail) => void } = {},
): Promise<{ host: string; port: number; mails: ReceivedMail[]; stop: () => Promise<void> }> {
	const mails: ReceivedMail[] = [];
	const sockets = new Set<Socket>();
	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		let buffer = '';
		let inData = false;
		let envelope = { from: '', to: [] as string[] };
		const reply = (line: string) => socket.write(`${line}\r\n`);
		reply('220 127.0.0.1 ESMTP test receiver');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('utf8');
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) return;
					// Undo dot-stuffing (a leading dot on a line was doubled by the sender).
					const raw = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
					buffer = buffer.slice(end + 5);
					inData = false;
					const subject =
						/^subject:\s*(.*(?:\r\n[ \t].*)*)/im.exec(raw)?.[1].replace(/\r\n[ \t]/g, ' ') ?? '';
					const mail = { ...envelope, raw, subject: decodeHeader(subject), text: decodeBody(raw) };
					mails.push(mail);
					options.onMail?.(mail);
					envelope = { from: '', to: [] };
					reply('250 OK: queued');
					continue;
				}
				const newline = buffer.indexOf('\r\n');
				if (newline < 0) return;
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') socket.write('250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
				else if (verb === 'HELO') reply('250 127.0.0.1');
				else if (verb === 'MAIL') {
					envelope.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
					reply('250 OK');
				} else if (verb === 'RCPT') {
					envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
					reply('250 OK');
				} else if (verb === 'DATA') {
					inData = true;
					reply('354 End data with <CR><LF>.<CR><LF>');
				} else if (verb === 'RSET') {
					envelope = { from: '', to: [] };
					reply('250 OK');
				} else if (verb === 'QUIT') {
					reply('221 Bye');
					socket.end();
				} else if (verb === 'NOOP') reply('250 OK');
				else reply('502 Command not implemented');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		host: '127.0.0.1',
		port,
		mails,
		stop: () =>
			new Promise((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}
