/**
 * The page a review link opens: everything a person needs to decide (mode, deadline, which
 * workflow asked, every value each change sends, what Stripe says now about the charge or
 * prices), both decisions, and afterwards what was decided, by whom, when, with Stripe's IDs.
 * Opening it decides nothing (chat apps' link previewers open links too); only submitting its
 * form does, to the same signed URL. Every piece of text is escaped; data sits in <code>.
 */
import { createHash } from 'node:crypto';

import type { StripeMode } from '../shared/credentials/credentials';
import type { ReviewLine } from '../shared/proposals/review';
import type { DecisionState } from './decisions';
import type { MoneyNote } from './money';
import { countText, deadlineText, modeText, totalsText, type Reviewed } from './request';
import { escapeHtml, pageLegend, valueHtml, VISIBLE_TEXT_STYLE, visibleHtml } from './visible-text';

/** Escaped, and no text on the page hides a character: each shows as an escape. */
const escape = visibleHtml;

export interface PageContent {
	title: string;
	/** Mode, deadline, workflow and execution, whose link this is: our own sentences. */
	facts: string[];
	proposals: Array<{ headline: string; lines: ReviewLine[]; context: ReviewLine[] }>;
	refused: string[];
	total?: string;
	open?: string[];
	/** Beside the total: what was read from Stripe, what is not known, what cannot be made. */
	money?: MoneyNote[];
	/** The decision form; absent once decided. */
	form?: { askName: boolean; approve: string; reject: string; explain: string[] };
	/** A problem with the last submission, shown above the form. */
	problem?: string;
	/** What happened, shown instead of the form. */
	result?: PageResult;
}

/** What happened, in our own words. */
export interface PageResult {
	heading: string;
	lines: string[];
}

/** What a review page is about: the waiting proposals, and the link that opened it. */
export interface ReviewAbout {
	mode: StripeMode;
	workflow: string;
	executionId: string;
	/** The link's deadline; Infinity when it has none. */
	deadline: number;
	/** The link's named approver; '' for a link anyone holding it decides with. */
	approver: string;
	/** Who approved so far where two approvers must approve; undefined where one decides. */
	approvedSoFar?: string[];
	reviewed: Reviewed[];
	/** Why proposals were refused (they are never executed). */
	refused: string[];
}

/** The review page without form or result: its facts, every proposal, the totals. */
export function reviewPage(about: ReviewAbout): PageContent {
	const { deadline, approver, approvedSoFar } = about;
	const { total, open, notes } = totalsText(about.reviewed);
	return {
		title: `Stripe Guard: ${countText(about.reviewed.length)} to approve (${modeText(about.mode)})`,
		facts: [
			`Asked by workflow "${about.workflow}", execution ${about.executionId}.`,
			Number.isFinite(deadline)
				? `Decide before ${deadlineText(new Date(deadline))}; after that nothing runs.`
				: '',
			approver
				? `This link belongs to ${approver}; a decision made with it is recorded under that name.`
				: '',
			approvedSoFar
				? "Above the node's limit: two different approvers must approve. " +
					`Approved so far: ${approvedSoFar.join(', ') || 'nobody'}.`
				: '',
		].filter(Boolean),
		proposals: about.reviewed.map((r) => ({
			headline: r.review.headline,
			lines: r.review.lines,
			context: r.context,
		})),
		refused: about.refused,
		total,
		open,
		money: notes,
	};
}

/** The decision form for `changes` proposals: both buttons say what they do. */
export function decisionForm(
	askName: boolean,
	changes: number,
	mode: StripeMode,
): NonNullable<PageContent['form']> {
	const these = changes === 1 ? 'this change' : `these ${changes} changes`;
	return {
		askName,
		approve: `Approve: make ${these} in Stripe`,
		reject: 'Reject: change nothing',
		explain: [
			`Approve sends exactly the values listed above to Stripe (${modeText(mode)}), once.`,
			'Reject sends nothing. Either decision is final for everyone holding a link.',
		],
	};
}

/** What every link shows once the approval is decided: by whom, when, and what it did. */
export function decidedResult(final: NonNullable<DecisionState['final']>): PageResult {
	const what = { approve: 'Approved', reject: 'Rejected', expired: 'Expired' }[final.decision];
	const at = final.at.slice(0, 19).replace('T', ' ');
	return {
		heading: `Already decided: ${what}${final.by ? ` by ${final.by}` : ''} at ${at} UTC`,
		lines: final.result ? [final.result] : [],
	};
}

const valueList = (lines: ReviewLine[]) =>
	lines.map((l) => `<li>${escape(l.label)}: ${valueHtml(l.value)}</li>`).join('');

const HEAD_META =
	'<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">';

/** The whole style sheet: one readable column, on a phone as on a desk. */
const STYLE =
	'*{box-sizing:border-box}' +
	'body{font-family:system-ui,sans-serif;max-width:44rem;margin:1.5rem auto;padding:0 1rem;' +
	'color:#1a1a2e;overflow-wrap:anywhere}\n' +
	'li{margin:.4rem 0}' +
	'code{background:#f2f2f5;padding:0 .2rem;border-radius:.2rem;white-space:pre-wrap}' +
	'.ctx{color:#444}\n' +
	'label{display:block;margin:.8rem 0}' +
	'input,textarea{display:block;width:100%;max-width:100%;padding:.5rem;font:inherit}\n' +
	'.buttons{display:flex;flex-wrap:wrap;gap:.6rem}' +
	'button{flex:1 1 12rem;padding:.7rem 1rem;font:inherit;border:0;border-radius:.3rem;' +
	'color:#fff;cursor:pointer}\n' +
	'.approve{background:#1a7f37}.reject{background:#b42318}.problem{color:#b42318}' +
	'.result h2{margin-top:1.5rem}.total{font-weight:600}' +
	VISIBLE_TEXT_STYLE;

/** The style sheet's hash: the page's content security policy allows this style and no other. */
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

const NAME_FIELD =
	'<label>Your name (goes into the audit record)' +
	'<input name="approver" autocomplete="name" required></label>';

const submitButton = (decision: 'approve' | 'reject', label: string) =>
	`<button class="${decision}" name="decision" value="${decision}" type="submit">` +
	`${escape(label)}</button>`;

export function renderPage(page: PageContent): string {
	const proposals = page.proposals
		.map(
			(p) =>
				`<li><strong>${escape(p.headline)}</strong><ul>${valueList(p.lines)}</ul>${
					p.context.length
						? `<p class="ctx">From Stripe now:</p><ul class="ctx">${valueList(p.context)}</ul>`
						: ''
				}</li>`,
		)
		.join('');
	const plusOpen = (page.open ?? []).map((o) => `, plus ${escape(o)}`).join('');
	const totals =
		page.total !== undefined
			? `<p class="total">Total that can move: ${escape(page.total || 'no money')}${plusOpen}</p>` +
				(page.money ?? [])
					.map(
						(n) =>
							`<p class="money">${escape(n.text)}` +
							`${n.data === undefined ? '' : `<code>${escape(n.data)}</code>`}` +
							`${escape(n.after ?? '')}</p>`,
					)
					.join('')
			: '';
	const refused = page.refused.length
		? '<h2>Refused, never executed</h2>' +
			`<ul class="refused">${page.refused.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>`
		: '';
	const form = page.form
		? `<form method="post">
${page.problem ? `<p class="problem">${escape(page.problem)}</p>` : ''}
${page.form.explain.map((e) => `<p>${escape(e)}</p>`).join('')}
${page.form.askName ? NAME_FIELD : ''}
<label>Comment (optional)<textarea name="comment" rows="3"></textarea></label>
<div class="buttons">${submitButton('approve', page.form.approve)}
${submitButton('reject', page.form.reject)}</div>
</form>`
		: '';
	const result = page.result
		? `<section class="result"><h2>${escape(page.result.heading)}</h2>` +
			`${page.result.lines.map((l) => `<p>${escape(l)}</p>`).join('')}</section>`
		: '';
	const facts = page.facts.map((f) => `<p>${escape(f)}</p>`).join('');
	// Before the proposals, so that what the escapes mean is read before them.
	const legend = pageLegend(facts + proposals + totals + refused + result + form);
	return `<!doctype html><html lang="en"><head>${HEAD_META}
<meta name="robots" content="noindex"><title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style></head>
<body><h1>${escape(page.title)}</h1>${facts}${legend}
<ol>${proposals}</ol>${totals}${refused}${result}${form}</body></html>`;
}
