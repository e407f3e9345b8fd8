/**
 * "Text cannot pass for something else", as properties (fast-check) over any value, on both
 * channels: the chat message (Slack-style inline code) and the review page (HTML).
 *
 * 1. Nothing hidden is shown raw: no control character (C0, DEL, C1), line break (\n, \r, U+0085,
 *    U+2028, U+2029), bidi control (U+061C, U+200E/F, U+202A–E, U+2066–9), zero-width or
 *    invisible character (U+200B–D, U+2060–4, U+FEFF, U+00AD, U+180E, tags U+E0000–E007F,
 *    variation selectors) is in what the chat or the page shows. The only exceptions are emoji
 *    sequences: a presentation selector right after an emoji, a joiner between two emoji.
 * 2. The value reads back: on the page, each <code> decodes (escapes in their own spans, HTML
 *    entities) to exactly the value; in chat, the code span decodes (`\\` a backslash, `\n`,
 *    `\r`, `\t`, `\u2028`, `\u202E`, `\u{E0041}`) to exactly the value with backticks as `'`,
 *    the one change chat makes (long-standing). A line break is shown as its escape on both
 *    channels: never rendered, never turned into a space.
 * 3. A legend says what the escapes (and a doubled backslash) mean, on the page and in the
 *    message, exactly when any is shown; flags (⚠) follow the value and never come from it.
 * 4. Flags: a value mixing look-alike scripts names them and the letters; an email, URL or domain
 *    with non-ASCII characters shows the domain's punycode form, as Node's own url.domainToASCII
 *    (an outside oracle) gives it. Our domainToAscii is checked against it on generated domains,
 *    our RFC 3492 encoder on the RFC's own samples; amounts, text of one script and ASCII
 *    addresses carry no flag.
 */
import { domainToASCII } from 'node:url';

import fc from 'fast-check';

import { formatAmount } from '../../nodes/shared/amounts';
import { createProposal } from '../../nodes/shared/proposals/proposals';
import { reviewProposal, WRITE_BUILDERS } from '../../nodes/StripeGuard/writes';
import { renderPage, type PageContent } from '../../nodes/StripeGuardApproval/page';
import { buildRequest, chatQuote, type Reviewed } from '../../nodes/StripeGuardApproval/request';
import {
	domainToAscii,
	flagsOf,
	punycodeEncode,
} from '../../nodes/StripeGuardApproval/visible-text';

const RUNS = Number(process.env.PROPERTY_RUNS || 300);

// ---------------------------------------------------------------------------------------------
// What must never be shown raw, written from the list above (not from the product's patterns).
// ---------------------------------------------------------------------------------------------

const ranges: Array<[number, number]> = [
	[0x00, 0x1f],
	[0x7f, 0x9f],
	[0x2028, 0x2029],
	[0x061c, 0x061c],
	[0x200e, 0x200f],
	[0x202a, 0x202e],
	[0x2066, 0x2069],
	[0x200b, 0x200d],
	[0x2060, 0x2064],
	[0xfeff, 0xfeff],
	[0x00ad, 0x00ad],
	[0x180e, 0x180e],
	[0xe0000, 0xe007f],
	[0xfe00, 0xfe0f],
	[0xe0100, 0xe01ef],
	[0xd800, 0xdfff],
];
const isForbidden = (cp: number) => ranges.some(([a, b]) => cp >= a && cp <= b);
const LINE_BREAKS = /[\n\r\u0085\u2028\u2029]/u;
const PICTURE = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;

/** The forbidden characters in `text` that are not part of an emoji sequence. */
function rawHidden(text: string): string[] {
	const chars = [...text];
	return chars.filter((c, i) => {
		const cp = c.codePointAt(0)!;
		if (!isForbidden(cp)) return false;
		const before = chars[i - 1] ?? '';
		if (cp === 0xfe0e || cp === 0xfe0f)
			return !(/^\p{Emoji}$/u.test(before) && !isForbidden(before.codePointAt(0)!));
		if (cp === 0x200d)
			return !((PICTURE.test(before) || before === '\ufe0f') && PICTURE.test(chars[i + 1] ?? ''));
		return true;
	});
}

const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

// ---------------------------------------------------------------------------------------------
// Any value: hostile pieces of every kind mixed with ordinary text.
// ---------------------------------------------------------------------------------------------

const HIDDEN_SAMPLES = [
	...ranges.flatMap(([a, b]) => [a, b, Math.floor((a + b) / 2)]),
	0x0a,
	0x0d,
	0x09,
	0x0085,
	0x034f,
	0x3164,
	0xe0041,
].map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp)));

const PIECES = [
	...HIDDEN_SAMPLES,
	'\r\n',
	'\\',
	'\\\\',
	'\\n',
	'\\u202E',
	'\\u{E0041}',
	'\\x',
	'⚠',
	' ⚠ mixed scripts (Latin)',
	'`',
	'&',
	'&amp;',
	'<',
	'>',
	'"',
	"'",
	' ',
	'  ',
	'\u00a0',
	'Amount: $1.00',
	'Total that can move: $0.01',
	'Marisol Quintanilla\u202edevorppa-erp dnufer',
	'\u202eLLA EVORPPA',
	'jаne@example.com',
	'jane@exämple.com',
	'https://bücher.example/pay',
	'раураl',
	'Αpple',
	'日本語',
	'👩\u200d👩\u200d👧',
	'👩🏽\u200d💻',
	'❤\ufe0f',
	'1\ufe0f\u20e3',
	'🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}',
	'a\u200db',
	'a\ufe0f',
	'e\u0301',
];

const anyValue = fc
	.array(
		fc.oneof(
			{ weight: 5, arbitrary: fc.constantFrom(...PIECES) },
			{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
			{ weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
			{ weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9 .@-]{1,12}$/) },
		),
		{ maxLength: 10 },
	)
	.map((parts) => parts.join(''))
	// `␠` is how chat shows the spaces of a blank value: kept out so that it reads back.
	.filter((v) => !v.includes('␠'));

// ---------------------------------------------------------------------------------------------
// Reading back what was shown.
// ---------------------------------------------------------------------------------------------

/** One escape: `\n`, `\r`, `\t`, `\uXXXX` or `\u{X…}`; undefined if `text` starts with none. */
function escapeAt(text: string): { char: string; length: number } | undefined {
	const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
	if (simple[text[1]]) return { char: simple[text[1]], length: 2 };
	const long = /^\\u\{([0-9A-F]{5,6})\}/.exec(text);
	if (long) return { char: String.fromCodePoint(parseInt(long[1], 16)), length: long[0].length };
	const short = /^\\u([0-9A-F]{4})/.exec(text);
	if (short) return { char: String.fromCharCode(parseInt(short[1], 16)), length: 6 };
	return undefined;
}

/** Chat's escapes decoded: `\\` is a backslash, an escape its character, any other `\` itself. */
function decodeChat(text: string): string {
	let out = '';
	for (let i = 0; i < text.length; ) {
		if (text[i] !== '\\') {
			out += text[i++];
		} else if (text[i + 1] === '\\') {
			out += '\\';
			i += 2;
		} else {
			const esc = escapeAt(text.slice(i));
			out += esc ? esc.char : '\\';
			i += esc ? esc.length : 1;
		}
	}
	return out;
}

const unescapeHtml = (text: string) =>
	text.replace(
		/&(amp|lt|gt|quot|#39);/g,
		(_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string,
	);

const ESC_SPAN = /<span class="esc" title="[^"]*">([^<]*)<\/span>/g;

/** A <code>'s content decoded: each escape span is its character, the rest HTML text. */
function decodeCode(html: string): string {
	const parts = html.split(ESC_SPAN);
	return parts
		.map((part, i) => {
			if (i % 2 === 0) {
				expect(part).not.toMatch(/<|>/);
				return unescapeHtml(part);
			}
			const esc = escapeAt(part);
			expect(esc?.length).toBe(part.length);
			return esc!.char;
		})
		.join('');
}

/** A chat code span split into the value's part and its flags (a raw ⚠ is always a flag). */
function chatParts(span: string): { value: string; flags: string[] } {
	expect(span).toMatch(/^`[^`]*`$/);
	const inside = span.slice(1, -1);
	const at = inside.indexOf('⚠');
	if (at < 0) return { value: inside, flags: [] };
	expect(inside[at - 1]).toBe(' ');
	return {
		value: inside.slice(0, at - 1),
		flags: inside
			.slice(at)
			.split(' ⚠ ')
			.map((f) => f.replace(/^⚠ /, '')),
	};
}

/** The one change chat makes to a value besides escapes (backticks as `'` were always so). */
const asChatShowsIt = (value: string) => value.replace(/`/g, "'");

// ---------------------------------------------------------------------------------------------
// 1–3 in chat.
// ---------------------------------------------------------------------------------------------

/** A proposal reviewed with `value` as its value line and as Stripe's context. */
function reviewedWith(value: string): Reviewed[] {
	const draft = WRITE_BUILDERS['customer.delete']({ customerId: 'cus_1' }, {});
	const proposal = createProposal({ ...draft, mode: 'test' }, 'rk_test_x', 3_600_000);
	const review = { ...reviewProposal(proposal), lines: [{ label: 'Name', value }] };
	return [{ entry: { proposal, itemIndex: 0 }, review, context: [{ label: 'Customer', value }] }];
}

const LINK = { approver: '', url: 'https://n8n.example/webhook-waiting/1?signature=abc' };
const CTX = {
	mode: 'test' as const,
	workflow: 'wf',
	executionId: '1',
	deadline: new Date(0),
	twoApproversAbove: {},
};

describe('chat', () => {
	test('1, 2. a value in inline code shows nothing hidden, on one line, and reads back', () => {
		fc.assert(
			fc.property(anyValue, (value) => {
				const span = chatQuote(value);
				expect(rawHidden(span)).toEqual([]);
				expect(span).not.toMatch(LINE_BREAKS);
				if (value === '') return expect(span).toBe('`(empty)`');
				const { value: shown, flags } = chatParts(span);
				expect(flags.map(unescapeHtml)).toEqual(flagsOf(value).map((f) => f.replace(/`/g, "'")));
				expect(shown).not.toMatch(/[<>]/);
				const back = decodeChat(unescapeHtml(shown)).replace(/␠/g, ' ');
				expect(back).toBe(asChatShowsIt(value));
			}),
			{ numRuns: RUNS },
		);
	});

	test(
		'1, 3. the message shows nothing hidden; its legend appears exactly when a value shows ' +
			'an escape (a line break among them) or a doubled backslash, and names each escape',
		() => {
			fc.assert(
				fc.property(anyValue, anyValue, (value, approver) => {
					const links = [{ ...LINK, approver }];
					const text = buildRequest(reviewedWith(value), [], links, {
						...CTX,
						workflow: value,
					}).text;
					const lines = text.split('\n');
					expect(lines.flatMap(rawHidden)).toEqual([]);
					expect(lines.filter((l) => LINE_BREAKS.test(l))).toEqual([]);
					expect(lines.filter((l) => l.startsWith('    • '))).toEqual([
						`    • Name: ${chatQuote(value)}`,
					]);
					const legend = lines.filter((l) => l.startsWith('    ◦ Legend: '));
					const spans = [value, approver].map((v) => chatParts(chatQuote(v)).value);
					const found = spans.flatMap((s) =>
						[...s.matchAll(/\\\\|\\(?:[nrt]|u\{[0-9A-F]+\}|u[0-9A-F]{4})/g)].map((m) => m[0]),
					);
					const escapes = found.filter((m) => m !== '\\\\');
					// A doubled backslash is explained too; a line break is an escape like any other.
					const shouldHave = found.length > 0;
					expect(legend).toHaveLength(shouldHave ? 1 : 0);
					if (!shouldHave) return;
					// A line like the message's other noted lines, before the separator and links.
					expect(legend[0]).toMatch(/^ {4}◦ Legend: `[^`<>]*`$/);
					expect(lines.indexOf(legend[0])).toBeLessThan(lines.indexOf('──────────'));
					// Each escape is named, but the fourth and later of one kind (cut with `…`).
					for (const escape of new Set(escapes))
						expect(legend[0].includes(`${escape} `) || legend[0].includes(' … ')).toBe(true);
				}),
				{ numRuns: RUNS },
			);
		},
	);
});

// ---------------------------------------------------------------------------------------------
// 1–3 on the page.
// ---------------------------------------------------------------------------------------------

function pageWith(value: string): PageContent {
	return {
		title: 'Stripe Guard: 1 Stripe change to approve (test mode)',
		facts: [`Asked by workflow "${value}", execution 1.`],
		proposals: [
			{
				headline: 'Delete customer cus_1',
				lines: [{ label: 'Name', value }],
				context: [{ label: 'Customer', value }],
			},
		],
		refused: [`Proposal ${value} came from the output of tool "x", so it is not accepted.`],
		total: '',
		result: { heading: `Already decided: Approved by ${value}`, lines: [value] },
	};
}

describe('page', () => {
	test(
		'1, 2, 3. nothing hidden anywhere on the page, no line break in a value, each <code> ' +
			'reads back exactly; flags beside it; a legend exactly when an escape is shown',
		() => {
			const plain = renderPage(pageWith('x'));
			fc.assert(
				fc.property(anyValue, (value) => {
					const html = renderPage(pageWith(value));
					expect(rawHidden(html.replace(/\n/g, ''))).toEqual([]);
					// The page's own line breaks between tags, no more.
					expect(html.split('\n')).toHaveLength(plain.split('\n').length);
					const codes = [
						...html.matchAll(/<code>(.*?)<\/code>((?: <span class="flag">[^<]*<\/span>)*)/gs),
					];
					expect(codes).toHaveLength(2);
					for (const [, inside, flags] of codes) {
						expect(inside).not.toMatch(LINE_BREAKS);
						expect(decodeCode(inside)).toBe(value);
						expect(
							[...flags.matchAll(/<span class="flag">⚠ ([^<]*)<\/span>/g)].map((m) =>
								unescapeHtml(m[1]),
							),
						).toEqual(flagsOf(value));
					}
					const shown = [...html.matchAll(/<span class="esc" title="([^"]*)">([^<]*)<\/span>/g)];
					const legend = /<p class="legend">(.*?)<\/p>/s.exec(html);
					expect(legend !== null).toBe(shown.length > 0);
					// Every kind of character shown is named, after (at least) its first escape.
					for (const [, name] of shown) {
						const first = shown.find((m) => m[1] === name)![2];
						expect(legend![1]).toContain(` ${name}`);
						expect(legend![1]).toContain(`<span class="esc">${first}</span>`);
					}
					if (legend) expect(html.indexOf(legend[0])).toBeLessThan(html.indexOf('<ol>'));
				}),
				{ numRuns: RUNS },
			);
		},
	);
});

// ---------------------------------------------------------------------------------------------
// 4. Flags, and punycode against Node's url.domainToASCII.
// ---------------------------------------------------------------------------------------------

/** Currencies whose amounts look least like words: symbols, codes, decimals of every kind. */
const CURRENCIES = [
	'usd',
	'eur',
	'gbp',
	'jpy',
	'chf',
	'inr',
	'krw',
	'vnd',
	'bhd',
	'sek',
	'xof',
	'rub',
	'ils',
];

const chars = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
const LATIN = chars(0x61, 0x7a);
/** Letters IDNA maps as NFKC and lower case do (checked by the oracle: it would refuse others). */
const IDN_CHARS = [
	...LATIN,
	...chars(0x41, 0x5a),
	...chars(0x30, 0x39),
	...chars(0xe0, 0xf6),
	...chars(0xf8, 0xff),
	...chars(0xc0, 0xd6),
	'ß',
	...chars(0x430, 0x44f),
	...chars(0x410, 0x42f),
	...chars(0x3b1, 0x3c9),
	...chars(0x391, 0x3a1),
	...chars(0x4e00, 0x4e20),
	...chars(0x3041, 0x3060),
	...chars(0xac00, 0xac20),
	...chars(0xff21, 0xff3a),
	'☕',
];
const idnLabel = fc
	.array(fc.constantFrom(...IDN_CHARS), { minLength: 1, maxLength: 20 })
	.map((cs) => cs.join(''));
const idnDomain = fc
	.tuple(
		fc.array(idnLabel, { minLength: 1, maxLength: 3 }),
		fc.array(fc.constantFrom(...LATIN, ...chars(0x430, 0x44f), '日', '本'), {
			minLength: 2,
			maxLength: 6,
		}),
		fc.constantFrom('.', '。', '．'),
	)
	.map(([labels, tld, dot]) => [...labels, tld.join('')].join(dot));

describe('flags', () => {
	test("4. domainToAscii is Node's url.domainToASCII on internationalised domains", () => {
		fc.assert(
			fc.property(idnDomain, (domain) => {
				const oracle = domainToASCII(domain);
				expect(oracle).not.toBe('');
				expect(domainToAscii(domain)).toBe(oracle);
			}),
			{ numRuns: RUNS * 3 },
		);
	});

	test("4. the encoder gives RFC 3492's own samples (section 7.1)", () => {
		const samples: Array<[number[], string]> = [
			[
				[
					0x644, 0x64a, 0x647, 0x645, 0x627, 0x628, 0x62a, 0x643, 0x644, 0x645, 0x648, 0x634, 0x639,
					0x631, 0x628, 0x64a, 0x61f,
				],
				'egbpdaj6bu4bxfgehfvwxn',
			],
			[
				[0x4ed6, 0x4eec, 0x4e3a, 0x4ec0, 0x4e48, 0x4e0d, 0x8bf4, 0x4e2d, 0x6587],
				'ihqwcrb4cv8a8dqg056pqjye',
			],
			[
				[0x4ed6, 0x5011, 0x7232, 0x4ec0, 0x9ebd, 0x4e0d, 0x8aaa, 0x4e2d, 0x6587],
				'ihqwctvzc91f659drss3x8bo0yb',
			],
			[
				[
					0x50, 0x72, 0x6f, 0x10d, 0x70, 0x72, 0x6f, 0x73, 0x74, 0x11b, 0x6e, 0x65, 0x6d, 0x6c,
					0x75, 0x76, 0xed, 0x10d, 0x65, 0x73, 0x6b, 0x79,
				],
				'Proprostnemluvesky-uyb24dma41a',
			],
			[[0x33, 0x5e74, 0x42, 0x7d44, 0x91d1, 0x516b, 0x5148, 0x751f], '3B-ww4c5e180e575a65lsy2b'],
			[[0x305d, 0x306e, 0x30b9, 0x30d4, 0x30fc, 0x30c9, 0x3067], 'd9juau41awczczp'],
			[[0x2d, 0x3e, 0x20, 0x24, 0x31, 0x2e, 0x30, 0x30, 0x20, 0x3c, 0x2d], '-> $1.00 <--'],
		];
		for (const [points, encoded] of samples)
			expect(punycodeEncode(String.fromCodePoint(...points))).toBe(encoded);
	});

	test('4. an email or URL with a non-ASCII domain shows its punycode form, as Node has it', () => {
		fc.assert(
			fc.property(
				fc.stringMatching(/^[a-z0-9._+-]{1,10}$/),
				idnDomain.filter((d) => /[^\u0000-\u007f]/u.test(d.normalize('NFKC'))),
				fc.constantFrom('email', 'url', 'bare'),
				(local, domain, as) => {
					const value =
						as === 'email'
							? `Jane <${local}@${domain}>`
							: as === 'url'
								? `https://${domain}/pay?x=1`
								: domain;
					expect(flagsOf(value)).toContain(`non-ASCII domain: ${domainToASCII(domain)}`);
					expect(chatQuote(value)).toContain(`⚠ non-ASCII domain: ${domainToASCII(domain)}`);
				},
			),
			{ numRuns: RUNS },
		);
	});

	test('4. a Latin word with a Cyrillic or Greek look-alike is flagged, with that letter', () => {
		const LOOKALIKES: Array<[string, string]> = [
			['а', 'Cyrillic'],
			['е', 'Cyrillic'],
			['о', 'Cyrillic'],
			['р', 'Cyrillic'],
			['с', 'Cyrillic'],
			['ο', 'Greek'],
			['Α', 'Greek'],
			['ν', 'Greek'],
		];
		fc.assert(
			fc.property(
				fc.stringMatching(/^[a-z]{2,12}$/),
				fc.constantFrom(...LOOKALIKES),
				fc.nat(),
				fc.constantFrom('', '@example.com', ' Quintanilla'),
				(word, [letter, script], at, rest) => {
					const i = at % (word.length + 1);
					const value = `${word.slice(0, i)}${letter}${word.slice(i)}${rest}`;
					const flag = `mixed scripts (Latin + ${script}: ${letter} ${hex(letter)})`;
					expect(flagsOf(value)).toContain(flag);
					expect(chatQuote(value)).toContain(`⚠ ${flag}`);
					expect(renderPage(pageWith(value))).toContain(`<span class="flag">⚠ ${flag}</span>`);
				},
			),
			{ numRuns: RUNS },
		);
	});

	test('4. text of one script, amounts, and ASCII emails and URLs, carry no flag', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.stringMatching(/^[ -~]{0,40}$/),
					fc.stringMatching(/^[a-z0-9._+-]{1,10}@[a-z0-9-]{1,10}\.[a-z]{2,6}$/),
					fc
						.array(fc.constantFrom(...chars(0x430, 0x44f), ' '), { maxLength: 12 })
						.map((c) => c.join('')),
					fc.constantFrom('Ünïcödé', '日本語 Ünïcödé', 'Zoë Müller', 'Ελληνικά'),
					fc
						.tuple(fc.constantFrom(...CURRENCIES), fc.integer({ min: 0, max: 1e9 }))
						.map(([c, a]) => formatAmount(a, c)),
				),
				(value) => {
					expect(flagsOf(value)).toEqual([]);
					expect(chatQuote(value)).not.toContain('⚠');
				},
			),
			{ numRuns: RUNS },
		);
	});
});
