/**
 * The page an approval link opens. Opening it decides nothing (chat apps' link previewers open
 * links too); only submitting its form does, to the same signed URL.
 */
const escape = (text: string) =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface PageContent {
	title: string;
	lines: string[];
	total?: string;
	/** Which decision this link's form submits; absent on a result page. */
	decision?: 'approve' | 'reject';
	askName?: boolean;
	/** A problem with the last submission, shown above the form. */
	problem?: string;
	/** Shown instead of the form once a decision is made. */
	result?: string;
}

export function renderPage(page: PageContent): string {
	const list = page.lines.map((line) => `<li>${escape(line)}</li>`).join('');
	const label = page.decision === 'approve' ? `Approve ${page.lines.length === 1 ? 'this write' : `these ${page.lines.length} writes`}` : 'Reject';
	const form = page.decision
		? `<form method="post">
${page.problem ? `<p class="problem">${escape(page.problem)}</p>` : ''}
<label>Your name<input name="approver" autocomplete="name" ${page.askName ? 'required' : ''}></label>
<label>Comment<textarea name="comment" rows="3"></textarea></label>
<button class="${page.decision}" type="submit">${escape(label)}</button>
</form>`
		: '';
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a2e}
li{margin:.4rem 0}label{display:block;margin:.8rem 0}input,textarea{display:block;width:100%;padding:.4rem;font:inherit}
button{padding:.6rem 1.2rem;font:inherit;border:0;border-radius:.3rem;color:#fff;cursor:pointer}
.approve{background:#1a7f37}.reject{background:#b42318}.problem{color:#b42318}.result{font-weight:600}</style></head>
<body><h1>${escape(page.title)}</h1><ol>${list}</ol>${page.total ? `<p>Total: ${escape(page.total)}</p>` : ''}
${page.result ? `<p class="result">${escape(page.result)}</p>` : form}</body></html>`;
}
