/**
 * Text from data, shown so that it cannot pass for something else. Some characters are not
 * displayed as themselves: controls and line breaks, bidi controls that reorder what follows
 * (U+202E makes "dnufer" read "refund"), zero-width and other invisible characters. Each is
 * shown as an escape (`\n`, `\u202E`) instead, and a legend says what the escapes mean. A line
 * break is no exception, in chat as on the page: it shows as its escape, neither rendered nor
 * turned into a space. Letters of look-alike scripts mixed in one value (a Cyrillic "а" in a Latin
 * email) and non-ASCII domains are flagged (⚠) with the letters' code points and the domain's
 * punycode form, which is what DNS is asked for.
 */

/**
 * Characters never displayed as themselves: controls (C0, DEL, C1), line and paragraph
 * separators, format characters (bidi controls, zero-width characters, tags, soft hyphen, …),
 * lone surrogates, and whatever Unicode says a renderer may leave invisible.
 */
const HIDDEN = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]$/u;
const HIDDEN_ANYWHERE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu;
const BIDI = /^[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]$/u;
const EMOJI = /^\p{Emoji}$/u;
const PICTOGRAPHIC = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;

/** Data's own ⚠ is escaped in chat, so that a ⚠ in a code span is always one of our flags. */
const FLAG_MARK = '⚠';

const NAMES: Record<number, string> = {
	0x00: 'null',
	0x09: 'tab',
	0x0a: 'line break',
	0x0b: 'vertical tab',
	0x0c: 'form feed',
	0x0d: 'carriage return',
	0x1b: 'escape',
	0x7f: 'delete',
	0x85: 'next line (a line break)',
	0xad: 'soft hyphen (invisible)',
	0x034f: 'combining grapheme joiner (invisible)',
	0x061c: 'Arabic letter mark (reorders text)',
	0x180e: 'Mongolian vowel separator (invisible)',
	0x200b: 'zero-width space',
	0x200c: 'zero-width non-joiner',
	0x200d: 'zero-width joiner',
	0x200e: 'left-to-right mark (reorders text)',
	0x200f: 'right-to-left mark (reorders text)',
	0x2028: 'line separator (a line break)',
	0x2029: 'paragraph separator (a line break)',
	0x202a: 'left-to-right embedding (reorders text)',
	0x202b: 'right-to-left embedding (reorders text)',
	0x202c: 'pop directional formatting (reorders text)',
	0x202d: 'left-to-right override (reorders text)',
	0x202e: 'right-to-left override (reorders text)',
	0x2060: 'word joiner (invisible)',
	0x2066: 'left-to-right isolate (reorders text)',
	0x2067: 'right-to-left isolate (reorders text)',
	0x2068: 'first strong isolate (reorders text)',
	0x2069: 'pop directional isolate (reorders text)',
	0x26a0: 'a ⚠ in the value itself',
	0x3164: 'Hangul filler (invisible)',
	0xfeff: 'zero-width no-break space',
};

/** What a hidden character is, for the legend. */
function nameOf(cp: number, char: string): string {
	if (NAMES[cp]) return NAMES[cp];
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'control character';
	if (BIDI.test(char)) return 'direction control (reorders text)';
	if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag character (invisible)';
	if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef))
		return 'variation selector (invisible)';
	if (cp >= 0xd800 && cp <= 0xdfff) return 'lone surrogate (not a character)';
	return 'invisible character';
}

const hex = (cp: number) => cp.toString(16).toUpperCase();

/** `\n`, `\r`, `\t`, or the code point: `\u202E`, `\u{E0041}` beyond the BMP. */
function escapeOf(cp: number): string {
	if (cp === 0x0a) return '\\n';
	if (cp === 0x0d) return '\\r';
	if (cp === 0x09) return '\\t';
	return cp > 0xffff ? `\\u{${hex(cp)}}` : `\\u${hex(cp).padStart(4, '0')}`;
}

/** U+1234, as flags name letters. */
const codePoint = (cp: number) => `U+${hex(cp).padStart(4, '0')}`;

/** A piece of a value: a run of ordinary text, or one character shown as an escape. */
type Piece = { text: string } | { char: string; escape: string; name: string };

/**
 * Emoji keep what makes them one picture: a presentation selector (U+FE0E/U+FE0F) right after
 * an emoji, and a zero-width joiner between two (👩‍💻). Anywhere else both are invisible.
 */
function keptInEmoji(chars: string[], i: number): boolean {
	const cp = chars[i].codePointAt(0)!;
	const before = chars[i - 1] ?? '';
	if (cp === 0xfe0e || cp === 0xfe0f) return EMOJI.test(before) && !HIDDEN.test(before);
	if (cp !== 0x200d) return false;
	const after = chars[i + 1] ?? '';
	return (PICTOGRAPHIC.test(before) || before === '\ufe0f') && PICTOGRAPHIC.test(after);
}

/** A value cut into text and escapes; joining the pieces' text and chars gives it back. */
function piecesOf(value: string): Piece[] {
	const chars = [...value];
	const pieces: Piece[] = [];
	let text = '';
	chars.forEach((char, i) => {
		if (!HIDDEN.test(char) || keptInEmoji(chars, i)) {
			text += char;
			return;
		}
		if (text) pieces.push({ text });
		text = '';
		const cp = char.codePointAt(0)!;
		pieces.push({ char, escape: escapeOf(cp), name: nameOf(cp, char) });
	});
	if (text) pieces.push({ text });
	return pieces;
}

// ---------------------------------------------------------------------------------------------
// Flags: look-alike scripts, non-ASCII addresses.
// ---------------------------------------------------------------------------------------------

/** Scripts with letters that look like Latin ones (and like each other's). */
const LOOKALIKE_SCRIPTS: Array<[string, RegExp]> = [
	['Latin', /^\p{Script=Latin}$/u],
	['Cyrillic', /^\p{Script=Cyrillic}$/u],
	['Greek', /^\p{Script=Greek}$/u],
	['Armenian', /^\p{Script=Armenian}$/u],
	['Cherokee', /^\p{Script=Cherokee}$/u],
];
const LETTER = /^\p{L}$/u;
const MAX_LISTED = 4;

/** "mixed scripts (Latin + Cyrillic: а U+0430)": the letters outside the value's main script. */
function mixedScripts(value: string): string | undefined {
	const letters = new Map<string, string[]>();
	for (const char of value) {
		if (!LETTER.test(char)) continue;
		const script = LOOKALIKE_SCRIPTS.find(([, pattern]) => pattern.test(char))?.[0];
		if (!script) continue;
		if (!letters.has(script)) letters.set(script, []);
		letters.get(script)!.push(char);
	}
	if (letters.size < 2) return undefined;
	const scripts = LOOKALIKE_SCRIPTS.map(([name]) => name).filter((name) => letters.has(name));
	const main = scripts.reduce((a, b) => (letters.get(b)!.length > letters.get(a)!.length ? b : a));
	const others = [...new Set(scripts.filter((s) => s !== main).flatMap((s) => letters.get(s)!))];
	return `mixed scripts (${scripts.join(' + ')}: ${listed(others)})`;
}

/** "а U+0430, о U+043E": characters and their code points (hidden ones by code point only). */
const listed = (chars: string[]) =>
	chars
		.slice(0, MAX_LISTED)
		.map((c) => {
			const cp = codePoint(c.codePointAt(0)!);
			return HIDDEN.test(c) || c === FLAG_MARK || !/^[\p{L}\p{N}]$/u.test(c) ? cp : `${c} ${cp}`;
		})
		.join(', ') + (chars.length > MAX_LISTED ? ', …' : '');

const NON_ASCII = /[^\u0000-\u007f]/u;
/**
 * Where an email ends in text: space, quotes, brackets, `mailto:`, list and Slack separators, and
 * hidden characters (shown as escapes; kept out of flags, which show what they name as it is).
 */
const SEPARATORS =
	/[\s<>()[\]{},;:"'`|\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]+/u;
/** The dots IDNA separates labels with. */
const DOT = /[.\u3002\uff0e\uff61]/u;
/** Longer is no domain (253 is DNS's limit); it bounds the work on huge values. */
const MAX_DOMAIN = 253;
/** A URL's host after `://`: an optional user, then up to a port, path, query or fragment. */
const URL_HOST = /^(?:[^\s@/?#<>"'`|]*@)?([^\s/?#:<>"'`|]+)/u;
/** A domain's label: ASCII letters, digits, `-` and `_`, or anything beyond ASCII. */
const LABEL = /^(?:[a-z0-9_-]|[^\u0000-\u007f])+$/iu;

/** A whole value that is a domain: two labels or more, the last with a letter (not "€1.00"). */
function isBareDomain(value: string): boolean {
	const labels = value.split(DOT);
	if (labels.at(-1) === '') labels.pop();
	return labels.length > 1 && labels.every((l) => LABEL.test(l)) && /\p{L}/u.test(labels.at(-1)!);
}

/** What a value's emails, URL hosts or a bare domain hold that is not ASCII. */
function addressFlags(value: string): string[] {
	const flags: string[] = [];
	const domain = (name: string) => {
		const host = name.replace(new RegExp(`${DOT.source}+$`, 'u'), '');
		if (!NON_ASCII.test(host)) return;
		flags.push(
			[...host].length > MAX_DOMAIN
				? 'non-ASCII domain, too long to be one'
				: `non-ASCII domain: ${domainToAscii(host)}`,
		);
	};
	for (const token of value.split(SEPARATORS)) {
		const at = token.lastIndexOf('@');
		if (at <= 0) continue;
		const [local, host] = [token.slice(0, at), token.slice(at + 1)];
		const odd = [...new Set([...local].filter((c) => NON_ASCII.test(c)))];
		if (odd.length) flags.push(`non-ASCII email (${listed(odd)} before @)`);
		if (DOT.test(host)) domain(host);
	}
	const text = value.replace(HIDDEN_ANYWHERE, ' ');
	for (let at = text.indexOf('://'); at > 0; at = text.indexOf('://', at + 3)) {
		const host = URL_HOST.exec(text.slice(at + 3, at + 3 + 2 * MAX_DOMAIN))?.[1];
		if (host && /[a-z0-9+.-]/i.test(text[at - 1])) domain(host);
	}
	const whole = text.trim();
	if (whole.length <= 4 * MAX_DOMAIN && isBareDomain(whole)) domain(whole);
	return flags;
}

/** The flags a value carries, in our words, without the ⚠. */
export function flagsOf(value: string): string[] {
	const mixed = mixedScripts(value);
	return [...new Set([...(mixed ? [mixed] : []), ...addressFlags(value)])];
}

// ---------------------------------------------------------------------------------------------
// Punycode (RFC 3492), written here: nodes may not import `url` or `punycode`.
// ---------------------------------------------------------------------------------------------

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;

function adapt(delta: number, points: number, first: boolean): number {
	let d = first ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
	d += Math.floor(d / points);
	let k = 0;
	while (d > ((BASE - T_MIN) * T_MAX) / 2) {
		d = Math.floor(d / (BASE - T_MIN));
		k += BASE;
	}
	return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

/** 0–25 are a–z, 26–35 are 0–9. */
const digit = (d: number) => String.fromCharCode(d < 26 ? 0x61 + d : 0x16 + d);

/** RFC 3492's encoding of one label, without the `xn--` prefix. */
export function punycodeEncode(label: string): string {
	const input = [...label].map((c) => c.codePointAt(0)!);
	let output = input
		.filter((cp) => cp < 0x80)
		.map((cp) => String.fromCharCode(cp))
		.join('');
	const basic = output.length;
	if (basic > 0) output += '-';
	let n = 0x80;
	let delta = 0;
	let bias = 72;
	let handled = basic;
	while (handled < input.length) {
		const next = Math.min(...input.filter((cp) => cp >= n));
		delta += (next - n) * (handled + 1);
		n = next;
		for (const cp of input) {
			if (cp < n) delta++;
			if (cp !== n) continue;
			let q = delta;
			for (let k = BASE; ; k += BASE) {
				const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
				if (q < t) break;
				output += digit(t + ((q - t) % (BASE - t)));
				q = Math.floor((q - t) / (BASE - t));
			}
			output += digit(q);
			bias = adapt(delta, handled + 1, handled === basic);
			delta = 0;
			handled++;
		}
		delta++;
		n++;
	}
	return output;
}

/**
 * A domain as DNS is asked for it: compatibility forms and case folded as IDNA does (NFKC, lower
 * case), each non-ASCII label as `xn--` and its punycode.
 */
export function domainToAscii(domain: string): string {
	return domain
		.normalize('NFKC')
		.toLowerCase()
		.normalize('NFC')
		.split(/[.\u3002]/u)
		.map((label) => (NON_ASCII.test(label) ? `xn--${punycodeEncode(label)}` : label))
		.join('.');
}

// ---------------------------------------------------------------------------------------------
// Chat (Slack mrkdwn and its kin): inline code, where nothing can be styled.
// ---------------------------------------------------------------------------------------------

/** What a chat legend says, gathered from the values of one message. */
interface ChatNotes {
	escapes: Map<string, string>;
	backslashes: boolean;
}

const chatEscapeHtml = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One value as the inside of an inline code span: one line, `&<>` escaped, backticks as `'`;
 * hidden characters, line breaks among them, as escapes (as on the page); a backslash doubled
 * where it would read as one; the flags last.
 */
function chatInside(value: string, notes: ChatNotes): string {
	const pieces = piecesOf(value);
	let out = '';
	pieces.forEach((piece, i) => {
		if ('text' in piece) {
			// Doubled where an escape (or our ⚠'s, `\u26A0`) could be read from it and what follows.
			const next = pieces[i + 1];
			const beforeEscape = next !== undefined && !('text' in next);
			const doubled = piece.text.replace(
				beforeEscape ? /\\(?=[\\nrtu⚠]|$)/g : /\\(?=[\\nrtu⚠])/g,
				'\\\\',
			);
			if (doubled !== piece.text) notes.backslashes = true;
			if (piece.text.includes(FLAG_MARK)) notes.escapes.set(escapeOf(0x26a0), NAMES[0x26a0]);
			out += chatEscapeHtml(doubled.replace(/`/g, "'").replace(/⚠/g, escapeOf(0x26a0)));
		} else {
			out += piece.escape;
			notes.escapes.set(piece.escape, piece.name);
		}
	});
	return out;
}

const newNotes = (): ChatNotes => ({ escapes: new Map(), backslashes: false });

/** The notes of the message withChatLegend is writing; messages are written synchronously. */
let writing: ChatNotes | undefined;

/** A value as inline code in chat, with its flags inside the span (nothing may follow it). */
export function chatCode(value: string): string {
	if (value === '') return '`(empty)`';
	const inside = chatInside(value, writing ?? newNotes());
	// A value of only spaces is still a value: make each space visible.
	const shown = inside.trim() ? inside : inside.replace(/ /g, '␠');
	// Flags name what is in the value: escaped as the value is.
	const flags = flagsOf(value).map(
		(flag) => ` ${FLAG_MARK} ${chatEscapeHtml(flag.replace(/`/g, "'"))}`,
	);
	return `\`${shown}${flags.join('')}\``;
}

/** A legend shows at most this many escapes of one kind (tag characters come in dozens). */
const LEGEND_MAX = 3;

/** Legend entries, one per kind of character: its first escapes, then what they stand for. */
function legendEntries(escapes: Iterable<[string, string]>, show: (e: string) => string) {
	const byName = new Map<string, string[]>();
	for (const [escape, name] of escapes) {
		if (!byName.has(name)) byName.set(name, []);
		byName.get(name)!.push(escape);
	}
	return [...byName].map(([name, all]) => {
		const more = all.length > LEGEND_MAX ? ' …' : '';
		return `${all.slice(0, LEGEND_MAX).map(show).join(' ')}${more} ${name}`;
	});
}

/**
 * A chat legend: shaped like the message's other noted lines (`    ◦ label: `…``), as a chat line
 * of our own can only be (every other line of a message has a fixed form).
 */
function legendLine(notes: ChatNotes): string | undefined {
	const parts: string[] = [];
	const named = legendEntries(notes.escapes, (escape) => escape);
	if (named.length)
		parts.push(`codes for characters that do not show as themselves: ${named.join(' · ')}`);
	if (notes.backslashes) parts.push('\\\\ is one backslash');
	return parts.length ? `    ◦ Legend: \`${parts.join(' · ')}\`` : undefined;
}

/**
 * Writes a chat message and, when a value quoted in it shows an escape (a line break among
 * them) or a doubled backslash, adds its legend before the review links (a line of our own:
 * values never hold a raw line break).
 */
export function withChatLegend(write: () => string): string {
	const outer = writing;
	const notes = newNotes();
	writing = notes;
	try {
		const text = write();
		const legend = legendLine(notes);
		if (!legend) return text;
		const lines = text.split('\n');
		const links = lines.findIndex((l) => l === '──────────' || l.startsWith('Review and decide'));
		if (links < 0) lines.push('', legend);
		else lines.splice(links, 0, legend, '');
		return lines.join('\n');
	} finally {
		writing = outer;
	}
}

// ---------------------------------------------------------------------------------------------
// The review page (HTML): escapes in a style of their own, flags beside the value.
// ---------------------------------------------------------------------------------------------

export const escapeHtml = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
	);

/** Text for the page's body: escaped, every hidden character an escape in a style of its own. */
export function visibleHtml(text: string): string {
	return piecesOf(text)
		.map((piece) =>
			'text' in piece
				? escapeHtml(piece.text)
				: `<span class="esc" title="${escapeHtml(piece.name)}">${piece.escape}</span>`,
		)
		.join('');
}

/** A value from data: in <code>, its flags after it, outside the code. */
export function valueHtml(value: string): string {
	const flags = flagsOf(value).map(
		(flag) => ` <span class="flag">${FLAG_MARK} ${escapeHtml(flag)}</span>`,
	);
	return `<code>${visibleHtml(value)}</code>${flags.join('')}`;
}

const ESC_SPAN = /<span class="esc" title="([^"]*)">([^<]*)<\/span>/g;

/**
 * The page's legend, read from its rendered HTML: what each escape shown in it stands for.
 * Only visibleHtml writes such spans; data, escaped, cannot.
 */
export function pageLegend(html: string): string {
	const escapes = new Map<string, string>();
	for (const [, name, escape] of html.matchAll(ESC_SPAN)) escapes.set(escape, name);
	if (!escapes.size) return '';
	const entries = legendEntries(escapes, (escape) => `<span class="esc">${escape}</span>`);
	return (
		'<p class="legend">Characters that do not show as themselves are shown as codes: ' +
		`${entries.join(' · ')}.</p>`
	);
}

/** Styles for escapes, flags and the legend; a value cannot reorder the text around it. */
export const VISIBLE_TEXT_STYLE =
	'code{unicode-bidi:isolate}' +
	'.esc{font-family:monospace;color:#7a2e00;background:#ffe8a3;border:1px solid #d9a400;' +
	'border-radius:.2rem;padding:0 .15rem;margin:0 .05rem}' +
	'.flag{color:#b42318;font-weight:600}.legend{color:#7a2e00}';
