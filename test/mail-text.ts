/**
 * A received email as a person reads it: the text part of the message (or its HTML part turned
 * into lines of text: paragraphs, table rows with their cells separated by " | ", links followed by
 * their address), decoded from its transfer encoding. The outbox of `npm start` prints it, and the
 * examples' e2e test reads what a recipient would.
 */

interface Part {
	headers: string;
	body: string;
}

function splitPart(raw: string): Part {
	const split = raw.search(/\r?\n\r?\n/);
	if (split < 0) return { headers: raw, body: '' };
	return { headers: raw.slice(0, split), body: raw.slice(split).replace(/^\r?\n\r?\n/, '') };
}

function header(headers: string, name: string): string {
	const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
	return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1].trim() ?? '';
}

function decodeQuotedPrintable(text: string): string {
	const bytes: number[] = [];
	const soft = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < soft.length; i++) {
		const hex = soft.slice(i + 1, i + 3);
		if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
			bytes.push(parseInt(hex, 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(soft[i], 'utf8'));
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

function decode({ headers, body }: Part): string {
	const encoding = header(headers, 'content-transfer-encoding').toLowerCase();
	if (encoding === 'base64')
		return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
	return body;
}

/** The leaf parts of a MIME entity, depth first. */
function leaves(part: Part): Part[] {
	const type = header(part.headers, 'content-type');
	const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
	if (!/^multipart\//i.test(type) || !boundary) return [part];
	const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return part.body
		.split(new RegExp(`\\r?\\n?--${escaped}(?:--)?[ \\t]*(?:\\r?\\n|$)`))
		.slice(1)
		.filter((p) => p.trim())
		.flatMap((p) => leaves(splitPart(p)));
}

const ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: ' ',
};

/** HTML as lines of text: block ends become line breaks, table cells " | ", links "text (url)". */
export function htmlToText(html: string): string {
	return html
		.replace(/<(style|script|head)\b[\s\S]*?<\/\1>/gi, '')
		.replace(
			/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi,
			(_m, href: string, text: string) =>
				text.replace(/<[^>]*>/g, '').trim() === href ? href : `${text} (${href})`,
		)
		.replace(/<\/t[dh]>\s*<t[dh]\b[^>]*>/gi, ' | ')
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|h[1-6]|tr|li|table|caption|ul|ol|blockquote)>/gi, '\n')
		.replace(/<(p|div|h[1-6]|table|ul|ol)\b[^>]*>/gi, '\n')
		.replace(/<[^>]*>/g, '')
		.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
			if (e[0] === '#')
				return String.fromCodePoint(
					e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : +e.slice(1),
				);
			return ENTITIES[e.toLowerCase()] ?? m;
		})
		.split('\n')
		.map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** The body of a raw RFC 5322 message as text: its text/plain part, else its HTML as text. */
export function mailBody(raw: string): string {
	const parts = leaves(splitPart(raw)).filter(
		(p) => !/^attachment/i.test(header(p.headers, 'content-disposition')),
	);
	const typed = (type: RegExp) =>
		parts.find((p) => type.test(header(p.headers, 'content-type') || 'text/plain'));
	const plain = typed(/^text\/plain/i);
	if (plain) return decode(plain).replace(/\r\n/g, '\n').trim();
	const html = typed(/^text\/html/i);
	return html ? htmlToText(decode(html)) : '';
}
