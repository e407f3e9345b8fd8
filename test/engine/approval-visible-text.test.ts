/**
 * Text that cannot pass for something else, through n8n-core against the emulator: proposals made
 * by the Stripe Guard node, sent by the approval node to the chat receiver, and the review page
 * its link opens. Each case is one that showed a person something other than what was there:
 * a customer name whose line breaks and "Amount: $1.00 / Total …" became lines of the page's box;
 * a name followed by U+202E and reversed text that read "… refund pre-approved"; an email with a
 * Cyrillic "а" or a zero-width space that looked like the real one; a model-written value that
 * read "APPROVE ALL".
 */
import { domainToASCII } from 'node:url';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runApproval, useApprovalSetup } from './approval-harness';
import { runStripeGuard, type TestCredential } from './harness';

jest.setTimeout(30_000);
const { emulator, receiver } = useApprovalSetup({ seed: 'none' });

const writer = (): TestCredential => ({ apiKey: emulator().keys.testWrite, allowWrites: true });

/** What a person is shown for one proposal: the chat message and the page its link opens. */
async function shown(parameters: IDataObject): Promise<{ chat: string; page: string }> {
	const proposed = await runStripeGuard({
		parameters: parameters as INodeParameters,
		credential: writer(),
	});
	expect(proposed.error?.message).toBeUndefined();
	const approval = await runApproval({
		proposals: [proposed.items[0].json],
		credential: writer(),
		parameters: { webhookUrl: receiver().url, expireAfter: 1, expireUnit: 'hours' },
	});
	const chat = receiver().messages[0].text;
	const link = /^Review and decide: (\S+)$/m.exec(chat)![1];
	return { chat, page: (await approval.open(link)).page.body };
}

/** A refund of a charge whose customer has this name, as the approver reviews it. */
async function refundOfCustomerNamed(name: string) {
	const e = emulator();
	const customer = e.create<{ id: string }>('customer', 'test', {
		name,
		email: 'jane@example.com',
	});
	const charge = e.create<{ id: string }>('charge', 'test', {
		amount: 10_000,
		amount_refunded: 0,
		currency: 'usd',
		customer: customer.id,
		status: 'succeeded',
	});
	return await shown({
		resource: 'refund',
		operation: 'create',
		chargeId: charge.id,
		additionalFields: { amount: 500 },
	});
}

const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f]/u;
const HIDDEN_MORE = /[\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;
/** Nothing hidden anywhere in a chat message or a page (beyond their own line breaks). */
function expectNothingHidden(text: string) {
	expect(text).not.toMatch(HIDDEN);
	expect(text).not.toMatch(HIDDEN_MORE);
}

/** Every <code> of a page, which holds one value each. */
const codesOf = (page: string) => [...page.matchAll(/<code>(.*?)<\/code>/gs)].map((m) => m[1]);

test(
	'a customer name with line breaks and "Amount: $1.00 / Total …" stays one line in its box ' +
		'on the page and in chat: each line break shows as \\n',
	async () => {
		const { chat, page } = await refundOfCustomerNamed(
			'Jane Doe\nAmount: $1.00\nTotal that can move: $1.00\r\n',
		);
		for (const code of codesOf(page)) expect(code).not.toMatch(/[\n\r\u0085\u2028\u2029]/u);
		const newline = '<span class="esc" title="line break">\\n</span>';
		expect(page).toContain(
			`Customer: <code>Jane Doe${newline}Amount: $1.00${newline}Total that can move: $1.00` +
				'<span class="esc" title="carriage return">\\r</span>' +
				`${newline} &lt;jane@example.com&gt;</code>`,
		);
		expect(page).toMatch(/<p class="legend">[^<]*<span class="esc">\\n<\/span> line break/);
		// In chat too each line break shows as its escape (never a space), named by the legend.
		expectNothingHidden(chat);
		expect(chat.split('\n')).toContain(
			'    ◦ Customer: `Jane Doe\\nAmount: $1.00\\nTotal that can move: $1.00\\r\\n' +
				' &lt;jane@example.com&gt;`',
		);
		expect(chat).toMatch(/^ {4}◦ Legend: `.*\\n line break · \\r carriage return/m);
		expect(chat.split('\n').filter((l) => l.startsWith('Total'))).toEqual([
			'Total that can move: $5.00',
		]);
	},
);

test(
	'a name followed by U+202E and reversed text shows the override as \\u202E, in chat and on ' +
		'the page, so it cannot read "… refund pre-approved"',
	async () => {
		const { chat, page } = await refundOfCustomerNamed(
			'Marisol Quintanilla\u202edevorppa-erp dnufer',
		);
		expectNothingHidden(chat);
		expectNothingHidden(page);
		expect(chat.split('\n')).toContain(
			'    ◦ Customer: `Marisol Quintanilla\\u202Edevorppa-erp dnufer &lt;jane@example.com&gt;`',
		);
		expect(chat).toMatch(/^ {4}◦ Legend: `.*\\u202E right-to-left override \(reorders text\)/m);
		expect(page).toContain(
			'Customer: <code>Marisol Quintanilla' +
				'<span class="esc" title="right-to-left override (reorders text)">\\u202E</span>' +
				'devorppa-erp dnufer &lt;jane@example.com&gt;</code>',
		);
		expect(page).toMatch(/<p class="legend">.*<span class="esc">\\u202E<\/span> right-to-left/);
	},
);

describe('an email an agent set, visually identical to the real one', () => {
	const update = (email: string) =>
		shown({
			resource: 'customer',
			operation: 'update',
			customerId: 'cus_1',
			updateFields: { email },
		});

	test('with a Cyrillic "а": flagged with the letter, in chat and on the page', async () => {
		const { chat, page } = await update('j\u0430ne@example.com');
		const flag = 'mixed scripts (Latin + Cyrillic: \u0430 U+0430)';
		expect(chat).toMatch(
			new RegExp(`^ {4}• New email: \`j\u0430ne@example\\.com ⚠ ${escapeRe(flag)}`, 'm'),
		);
		expect(page).toContain(
			`New email: <code>j\u0430ne@example.com</code> <span class="flag">⚠ ${flag}</span>`,
		);
	});

	test('with a non-ASCII domain: flagged with its punycode form (as Node has it)', async () => {
		const { chat, page } = await update('jane@ex\u00e4mple.com');
		const flag = `non-ASCII domain: ${domainToASCII('ex\u00e4mple.com')}`;
		expect(flag).toBe('non-ASCII domain: xn--exmple-cua.com');
		expect(chat).toContain(`• New email: \`jane@ex\u00e4mple.com ⚠ ${flag}\``);
		expect(page).toContain(`<span class="flag">⚠ ${flag}</span>`);
	});

	test('with a zero-width space: shown as \\u200B', async () => {
		const { chat, page } = await update('jane\u200b@example.com');
		expectNothingHidden(chat);
		expectNothingHidden(page);
		expect(chat).toContain('• New email: `jane\\u200B@example.com`');
		expect(page).toContain(
			'<code>jane<span class="esc" title="zero-width space">\\u200B</span>@example.com</code>',
		);
	});
});

describe('a model-written value that reads "APPROVE ALL"', () => {
	const describeAs = (description: string) =>
		shown({
			resource: 'customer',
			operation: 'update',
			customerId: 'cus_1',
			updateFields: { description },
		});

	test('by a right-to-left override: the override shows, the text reads as written', async () => {
		const { chat, page } = await describeAs('\u202eLLA EVORPPA');
		expectNothingHidden(chat);
		expectNothingHidden(page);
		expect(chat).toContain('• New description: `\\u202ELLA EVORPPA`');
		expect(page).toContain(
			'<code><span class="esc" title="right-to-left override (reorders text)">\\u202E</span>' +
				'LLA EVORPPA</code>',
		);
	});

	test('by Cyrillic look-alikes: flagged, with the letters', async () => {
		// А, Р, Р, О, Е and А are Cyrillic; R, V, L, L Latin: the fewer are listed.
		const { chat, page } = await describeAs('\u0410\u0420\u0420R\u041eV\u0415 \u0410LL');
		const flag = '⚠ mixed scripts (Latin + Cyrillic: R U+0052, V U+0056, L U+004C)';
		expect(chat).toContain(
			`• New description: \`\u0410\u0420\u0420R\u041eV\u0415 \u0410LL ${flag}\``,
		);
		expect(page).toContain(`<span class="flag">${flag}</span>`);
	});
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
