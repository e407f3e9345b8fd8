/**
 * Answering a review link that may decide: the page on GET; on POST the decision, made final for
 * every link by the first submission that claims it (decisions.ts). Above the node's limit an
 * approval decides only together with a second, different approver's.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { StripeGuardCredentials } from '../shared/credentials/credentials';
import type { Decision } from './audit';
import { auditTrailOf, recordOutcomes, type AuditTrail } from './audit-trail';
import type { BatchEntry, BatchProblem, Refused } from './batch';
import { approveOneOfTwo, claimFinal, decisionState, recordResult } from './decisions';
import { carryOutDecision, expiredOutputs, NOTHING_WRITTEN } from './execute-writes';
import { decidedResult, decisionForm, reviewPage, type PageContent } from './page';
import { deadlineText, linkDelivery, type Reviewed } from './request';
import { readForm, respond, type ReviewForm, type ReviewLink } from './webhook';

/** The proposals a review link decides on, as the waiting execution holds them. */
export interface Waiting {
	/** The execution's and node's decision in decisions.ts. */
	key: string;
	now: number;
	/** The link's deadline; Infinity when it has none. */
	deadline: number;
	credentials: StripeGuardCredentials;
	entries: BatchEntry[];
	problems: BatchProblem[];
	refused: Refused[];
	reviewed: Reviewed[];
	/** Whether the totals are above the node's limit, so two approvers must approve. */
	twoNeeded: boolean;
}

/** Answers with the review page and what happened in place of the form. */
type Show = (heading: string, lines: string[], status?: number) => IWebhookResponseData;

/** A submission on a link's page, with what answering it needs. */
interface Submission {
	link: ReviewLink;
	waiting: Waiting;
	/** The review page with its form, shown again with a problem. */
	page: PageContent;
	show: Show;
	askName: boolean;
	expiredText: string;
}

/** Answers a link that may decide: the page with the form, or the decision submitted with it. */
export async function answerLink(
	fn: IWebhookFunctions,
	link: ReviewLink,
	isPost: boolean,
	waiting: Waiting,
): Promise<IWebhookResponseData> {
	const { key, deadline, credentials } = waiting;
	const approvedSoFar = decisionState(key).approvals.map((a) => a.approver);
	const base = reviewPage({
		mode: credentials.mode,
		workflow: fn.getWorkflow().name ?? '',
		executionId: fn.getExecutionId(),
		deadline,
		approver: link.approver,
		approvedSoFar: waiting.twoNeeded ? approvedSoFar : undefined,
		reviewed: waiting.reviewed,
		refused: [...waiting.refused, ...waiting.problems].map((r) => r.reason),
	});
	const show: Show = (heading, lines, status = 200) =>
		respond(fn, status, { ...base, result: { heading, lines } });
	if (decisionState(key).final) return alreadyDecided(show, key, isPost ? 409 : 200);

	const expiredAt = Number.isFinite(deadline) ? deadlineText(new Date(deadline)) : '';
	const expiredText = `This approval expired at ${expiredAt}`;
	const askName = !link.approver && (fn.getNodeParameter('askName', true) as boolean);
	const form = decisionForm(askName, waiting.entries.length, credentials.mode);
	const page: PageContent = { ...base, form };
	if (!isPost)
		return waiting.now >= deadline ? show(expiredText, [NOTHING_WRITTEN]) : respond(fn, 200, page);
	return await decide(fn, { link, waiting, page, show, askName, expiredText });
}

/** The page once decided, with what was decided (409 for a submission that came too late). */
function alreadyDecided(show: Show, key: string, status: number): IWebhookResponseData {
	const { heading, lines } = decidedResult(decisionState(key).final!);
	return show(heading, lines, status);
}

/**
 * Decides as submitted: late, the first of two approvals, or final (claimed, then carried out).
 * Nothing awaits from answerLink's look at the final decision to the claim, so concurrent
 * submissions are decided in order.
 */
async function decide(
	fn: IWebhookFunctions,
	submission: Submission,
): Promise<IWebhookResponseData> {
	const { link, waiting, show } = submission;
	const { key } = waiting;
	const form = readForm(fn);
	const decision = form.decision ?? link.decision;
	if (!decision)
		return respond(fn, 400, { ...submission.page, problem: 'Choose Approve or Reject.' });
	const who = link.approver || form.approver;
	const expired = waiting.now >= waiting.deadline;
	if (!who && submission.askName && !expired)
		return respond(fn, 200, {
			...submission.page,
			problem: 'Enter your name: it goes into the audit record.',
		});
	const record = decisionRecord(fn, link, who, form, waiting.now);
	const trail = auditTrailOf(fn);
	if (expired) return await expire(show, waiting, record, submission.expiredText, trail);
	if (decision === 'approve' && waiting.twoNeeded) {
		const pending = secondApproval(show, key, record, form);
		if (pending) return pending;
	}
	if (!claimFinal(key, decision, record.approver)) return alreadyDecided(show, key, 409);

	const done = await carryOutDecision(fn, waiting.credentials, waiting, decision, record, trail);
	const { heading, lines } = done.result;
	recordResult(key, [heading, ...lines].join(' · '));
	show(heading, lines);
	return { noWebhookResponse: true, workflowData: done.outputs };
}

/** The audit record of a decision: who made it, how they are known, when, in which execution. */
function decisionRecord(
	fn: IWebhookFunctions,
	link: ReviewLink,
	who: string,
	form: ReviewForm,
	now: number,
): Decision {
	const at = new Date(now).toISOString();
	const approval = { approver: who, comment: form.comment, at };
	return {
		approver: who,
		approvers: who ? [who] : [],
		approverIdentity: link.approver ? 'named link' : 'typed name',
		// A typed name's record keeps the shape it always had; it says it proves nothing.
		...(link.approver
			? { approvals: [{ ...approval, linkDeliveredTo: linkDelivery(fn, link.approver) }] }
			: { linkDeliveredTo: linkDelivery(fn, '') }),
		comment: form.comment,
		decidedAt: at,
		workflowId: fn.getWorkflow().id ?? '',
		executionId: fn.getExecutionId(),
		...(Number.isFinite(link.deadline) ? { decideBy: new Date(link.deadline).toISOString() } : {}),
	};
}

/** n8n's wait tracker can resume late: the node checks its own deadline, and nothing runs. */
async function expire(
	show: Show,
	waiting: Waiting,
	record: Decision,
	expiredText: string,
	trail: AuditTrail | undefined,
): Promise<IWebhookResponseData> {
	if (!claimFinal(waiting.key, 'expired', '')) return alreadyDecided(show, waiting.key, 409);
	const outputs = expiredOutputs(waiting.entries, waiting.problems, record, expiredText);
	recordResult(waiting.key, NOTHING_WRITTEN);
	const unrecorded = await recordOutcomes(trail, outputs);
	show(`Too late. ${expiredText}`, unrecorded ? [NOTHING_WRITTEN, unrecorded] : [NOTHING_WRITTEN]);
	return { noWebhookResponse: true, workflowData: outputs };
}

/**
 * Where two approvers must approve: the answer while the first approval waits for a second, or
 * undefined when this is the second, with `record` now naming both approvers and comments.
 */
function secondApproval(
	show: Show,
	key: string,
	record: Decision,
	form: ReviewForm,
): IWebhookResponseData | undefined {
	const who = record.approver;
	const approval = record.approvals?.[0] ?? {
		approver: who,
		comment: form.comment,
		at: record.decidedAt,
		linkDeliveredTo: '',
	};
	const before = approveOneOfTwo(key, approval);
	if (before === 'again')
		return show('You have already approved', [
			'A second, different approver must approve with their own link.',
		]);
	if (before === 'first')
		return show(`Your approval is recorded, ${who}`, [
			'Nothing runs until a second, different approver approves with their own link.',
		]);
	record.approvals = [...before, approval];
	record.approvers = [...before.map((a) => a.approver), who];
	record.approver = record.approvers.join(' and ');
	record.comment = [...before.map((a) => a.comment), form.comment].filter(Boolean).join(' / ');
	return undefined;
}
