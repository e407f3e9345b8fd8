/**
 * n8n's human review of an AI agent's tool calls: n8n generates a variant of this node (isToolGate)
 * that gates a call; approve lets it run, reject tells the agent.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { claimFinal, decisionState } from './decisions';
import type { PageContent } from './page';
import { decisionKey } from './waits';
import { readForm, respond, type ReviewLink } from './webhook';

/**
 * n8n's default review message renders the tool's input as "[object Object]"; the input reaches
 * this node as `toolParameters`, so the person sees it as JSON.
 */
export function toolCallText(message: string, toolParameters: unknown): string {
	if (toolParameters === undefined || toolParameters === null || toolParameters === '')
		return message;
	const input =
		typeof toolParameters === 'string' ? toolParameters : JSON.stringify(toolParameters);
	const text = message.split('[object Object]').join(input);
	return text.includes(input) ? text : `${text}\nInput: ${input}`;
}

/** Answers a link to review an agent's tool call: approve lets it run, reject tells the agent. */
export function toolGateWebhook(
	fn: IWebhookFunctions,
	link: ReviewLink,
	isPost: boolean,
): IWebhookResponseData {
	const message = toolCallText(
		String(fn.getNodeParameter('message', '')),
		fn.evaluateExpression('{{ $input.first().json.toolParameters }}', 0),
	);
	// Each call the agent makes waits on its own: an earlier call's decision is not this one's.
	const key = decisionKey(fn, link);
	const base: PageContent = {
		title: 'An AI agent wants to run a tool',
		// What the model wrote is data: in a value's box, with its flags, not as our own words.
		facts: [],
		proposals: [
			{ headline: 'The tool call', lines: [{ label: 'Message', value: message }], context: [] },
		],
		refused: [],
	};
	const final = decisionState(key).final;
	if (final) {
		const what = final.decision === 'approve' ? 'approved' : 'rejected';
		return respond(fn, isPost ? 409 : 200, {
			...base,
			result: { heading: `Already decided: ${what} at ${final.at}`, lines: [] },
		});
	}
	const decision = isPost ? (readForm(fn).decision ?? link.decision) : undefined;
	if (!decision || (Number.isFinite(link.deadline) && Date.now() >= link.deadline)) {
		return respond(fn, 200, {
			...base,
			form: {
				askName: false,
				approve: 'Approve: let the agent run it',
				reject: 'Reject: the agent is told',
				explain: [],
			},
		});
	}
	if (!claimFinal(key, decision, '')) return respond(fn, 409, base);
	respond(fn, 200, {
		...base,
		result: {
			heading:
				decision === 'approve' ? 'Approved: the agent goes on.' : 'Rejected: the agent is told.',
			lines: [],
		},
	});
	return {
		noWebhookResponse: true,
		workflowData: [[{ json: { data: { approved: decision === 'approve' } } }]],
	};
}
