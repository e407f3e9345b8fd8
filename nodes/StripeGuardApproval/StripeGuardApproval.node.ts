import {
	NodeConnectionTypes,
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { readCredentials, type StripeGuardCredentials } from '../shared/credentials/credentials';
import { stripeRestrictedKeyApiTest } from '../shared/credentials/credential-test';
import { MAX_LIFETIME_HOURS } from '../shared/proposals/proposals';
import { reviewProposal } from '../shared/proposals/review';
import { createStripeClient } from '../shared/transport';
import { checkBatch, stripeGuardToolNames, type BatchEntry } from './batch';
import { readContext } from './context';
import { addApproval, claimFinal, decisionState, recordResult } from './decisions';
import { executeApproved, notExecutedItem, type Decision } from './execute-writes';
import { isToolGate, linkOf, readForm, respond } from './webhook';
import {
	buildRequest,
	chatQuote,
	countText,
	deadlineText,
	modeText,
	needsTwoApprovers,
	sendRequest,
	totalsText,
	type ApprovalLink,
	type Reviewed,
} from './request';
import type { PageContent } from './page';

/**
 * Output order matters: when the time limit ends the wait, n8n resumes the node as if it were
 * disabled and passes its input (the unexecuted proposals) to output 0. Expired is output 0 so
 * that a time-out can never reach the Approved output; Failed comes last.
 */
export const OUTPUT = { expired: 0, approved: 1, rejected: 2, failed: 3 } as const;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
const MAX_WAIT_MS = MAX_LIFETIME_HOURS * UNIT_MS.hours;

/** The named approvers, as the node lists them (comma, semicolon or one per line). */
function approversOf(fn: IExecuteFunctions | IWebhookFunctions): string[] {
	const raw = String((fn as IExecuteFunctions).getNodeParameter('approvers', 0, '') ?? '');
	return [
		...new Set(
			raw
				.split(/[,;\n]/)
				.map((a) => a.trim().slice(0, 100))
				.filter(Boolean),
		),
	];
}

/** Amounts per currency (minor units) above which two approvers must approve. */
function twoApproversAbove(fn: IExecuteFunctions | IWebhookFunctions): Record<string, number> {
	const value = (fn as IExecuteFunctions).getNodeParameter('twoApproversAbove', 0, {}) as {
		limits?: Array<{ currency?: string; amount?: number }>;
	};
	return Object.fromEntries(
		(value.limits ?? [])
			.filter((l) => l.currency)
			.map((l) => [String(l.currency).trim().toLowerCase(), Number(l.amount ?? 0)]),
	);
}

async function reviewAll(
	fn: IExecuteFunctions | IWebhookFunctions,
	credentials: StripeGuardCredentials,
	entries: BatchEntry[],
): Promise<Reviewed[]> {
	const stripe = createStripeClient(fn, credentials);
	return await Promise.all(
		entries.map(async (entry) => ({
			entry,
			review: reviewProposal(entry.proposal),
			context: await readContext(stripe, entry.proposal),
		})),
	);
}

export class StripeGuardApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Guard Approval',
		name: 'stripeGuardApproval',
		// Deliberately not an agent tool: an agent must never be able to approve. n8n generates a
		// `…Tool` variant only when this is truthy, so `undefined` says "no" as plainly as leaving
		// it out, and n8n's lint (node-usable-as-tool) asks that the choice be written down. (n8n
		// derives its human-review gate for agents' tool calls from the sendAndWait operation.)
		usableAsTool: undefined,
		icon: { light: 'file:stripeGuardApproval.svg', dark: 'file:stripeGuardApproval.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Send for approval and wait',
		description:
			'Asks a person to approve Stripe Guard proposals, waits, then executes exactly what was approved',
		defaults: { name: 'Stripe Guard Approval' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [
			NodeConnectionTypes.Main,
			NodeConnectionTypes.Main,
			NodeConnectionTypes.Main,
			NodeConnectionTypes.Main,
		],
		outputNames: ['Expired', 'Approved', 'Rejected', 'Failed'],
		credentials: [
			{ name: 'stripeRestrictedKeyApi', required: true, testedBy: 'stripeRestrictedKeyApiTest' },
		],
		webhooks: (['GET', 'POST'] as const).map((httpMethod) => ({
			name: 'default',
			httpMethod,
			responseMode: 'onReceived',
			responseData: '',
			path: '={{ $nodeId }}',
			restartWebhook: true,
			isFullPath: true,
		})),
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				// n8n verifies the signature of resume links only for a sendAndWait operation.
				options: [
					{
						name: 'Send for Approval and Wait',
						value: SEND_AND_WAIT_OPERATION,
						action: 'Send proposals for approval and wait',
					},
				],
				default: SEND_AND_WAIT_OPERATION,
			},
			{
				displayName:
					'Connect Stripe Guard write operations (or an AI Agent with Return Intermediate Steps on). Required: a Notification Workflow or a Slack-compatible Webhook URL, where the review link is sent. Outputs: Expired, Approved (executed by Stripe), Rejected, Failed (approved, but Stripe refused).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Notification Workflow',
				name: 'notificationWorkflowId',
				type: 'workflowSelector',
				default: '',
				description:
					'A workflow (Execute Workflow Trigger → any channel: Slack, email, Teams, Telegram…) that delivers the request: one item per review link, with text, approver, reviewUrl, proposals (every value), totals and expiresAt',
			},
			{
				displayName: 'Slack-Compatible Webhook URL',
				name: 'webhookUrl',
				type: 'string',
				default: '',
				placeholder: 'https://hooks.slack.com/services/…',
				description:
					'An incoming webhook (Slack, Mattermost, Rocket.Chat, Teams workflows) that gets the request as {"text": …}',
			},
			{
				displayName: 'Expire After',
				name: 'expireAfter',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: MAX_LIFETIME_HOURS,
				description: `How long to wait for a decision, at most ${MAX_LIFETIME_HOURS} hours. The wait ends at this time or when the first proposal expires, whichever comes first; then the proposals leave through Expired.`,
			},
			{
				displayName: 'Expire Unit',
				name: 'expireUnit',
				type: 'options',
				options: [
					{ name: 'Minutes', value: 'minutes' },
					{ name: 'Hours', value: 'hours' },
				],
				default: 'hours',
			},
			{
				displayName: 'Approvers',
				name: 'approvers',
				type: 'string',
				default: '',
				placeholder: 'ada@example.com, grace@example.com',
				description:
					"Optional. Names or emails, separated by commas: each gets their own signed review link and the audit record names the link's owner. Empty: one link, and whoever holds it types a name.",
			},
			{
				displayName: 'Require Approver Name',
				name: 'askName',
				type: 'boolean',
				default: true,
				displayOptions: { show: { approvers: [''] } },
				description:
					'Whether the page asks for a name for the audit record. A typed name is not proof of identity: anyone holding the link can type any name.',
			},
			{
				displayName: 'Two Approvers Above',
				name: 'twoApproversAbove',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Limit',
				default: {},
				description:
					'Above this total in a currency, two different named approvers must approve before anything runs (needs at least two Approvers)',
				options: [
					{
						displayName: 'Limit',
						name: 'limits',
						values: [
							{
								displayName: 'Currency',
								name: 'currency',
								type: 'string',
								default: 'usd',
								placeholder: 'usd',
							},
							{
								displayName: 'Amount',
								name: 'amount',
								type: 'number',
								typeOptions: { minValue: 0 },
								default: 100000,
								description: "In the currency's smallest unit: 100000 is $1,000.00 but ¥100,000",
							},
						],
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const unit = this.getNodeParameter('expireUnit', 0, 'hours') as keyof typeof UNIT_MS;
		const waitMs =
			Number(this.getNodeParameter('expireAfter', 0, MAX_LIFETIME_HOURS)) *
			(UNIT_MS[unit] ?? UNIT_MS.hours);
		if (!(waitMs > 0))
			throw new NodeOperationError(this.getNode(), 'Expire After must be a positive number');
		if (waitMs > MAX_WAIT_MS) {
			throw new NodeOperationError(
				this.getNode(),
				`Expire After can be at most ${MAX_LIFETIME_HOURS} hours`,
				{
					description:
						"Stripe remembers a write's idempotency key for 24 hours; an approval that waited longer could execute a write twice. Nothing was sent for approval.",
				},
			);
		}
		const now = Date.now();
		const workflow = this.getWorkflow().name ?? '';

		if (isToolGate(this.getNode())) {
			// n8n's human review of an agent's tool call: the message n8n fills in is the whole request.
			const deadline = now + waitMs;
			const url = this.getSignedResumeUrl({ deadline: String(deadline) });
			const message = toolCallText(
				String(this.getNodeParameter('message', 0, '')),
				this.getInputData()[0]?.json?.toolParameters,
			);
			await sendRequest(this, {
				...buildRequest([], [], [{ approver: '', url }], {
					mode: 'test',
					workflow,
					executionId: this.getExecutionId(),
					deadline: new Date(deadline),
					twoApproversAbove: {},
				}),
				title: 'Approval needed: an AI agent tool call',
				text: `An AI agent wants to run a tool:\n${chatQuote(message)}\n\nReview and decide: ${url}`,
			});
			await this.putExecutionToWait(new Date(deadline));
			return [this.getInputData()];
		}

		const credentials = await readCredentials(this);
		if (!credentials.allowWrites) {
			throw new NodeOperationError(
				this.getNode(),
				'The Stripe Guard credential has Allow Writes off, so approved proposals could not run',
				{
					description:
						'Nothing was sent for approval. Turn on Allow Writes on the credential, with a key that has the write permissions, and run again.',
				},
			);
		}
		const approvers = approversOf(this);
		const limits = twoApproversAbove(this);
		if (Object.keys(limits).length > 0 && approvers.length < 2) {
			throw new NodeOperationError(
				this.getNode(),
				'Two Approvers Above needs at least two names in Approvers',
				{
					description:
						'Only named approvers have links of their own, so only they can be told apart. Nothing was sent for approval.',
				},
			);
		}
		const { entries, problems, refused } = checkBatch(
			this.getInputData(),
			credentials.apiKey,
			credentials.mode,
			stripeGuardToolNames(this),
			now,
		);
		if (problems.length > 0) {
			const [first] = problems;
			throw new NodeOperationError(this.getNode(), `${first.reason} (item ${first.itemIndex})`, {
				itemIndex: first.itemIndex,
				description: `Nothing was sent for approval. ${
					problems.length > 1
						? `${problems.length - 1} more item(s) were refused too: ${problems
								.slice(1)
								.map((p) => `item ${p.itemIndex}`)
								.join(', ')}.`
						: ''
				}`.trim(),
			});
		}
		if (entries.length === 0) {
			throw new NodeOperationError(this.getNode(), 'No proposals to approve', {
				description: refused.length
					? `Refused: ${refused.map((r) => r.reason).join(' ')}`
					: 'The node got no Stripe Guard proposals.',
			});
		}
		// One rule: the wait ends at Expire After or when the first proposal expires, whichever is first.
		const deadline = Math.min(
			now + waitMs,
			...entries.map((e) => Date.parse(e.proposal.expiresAt)),
		);
		const links: ApprovalLink[] = (approvers.length ? approvers : ['']).map((approver) => ({
			approver,
			url: this.getSignedResumeUrl({
				...(approver ? { approver } : {}),
				deadline: String(deadline),
			}),
		}));
		const reviewed = await reviewAll(this, credentials, entries);
		const context = {
			mode: credentials.mode,
			workflow,
			executionId: this.getExecutionId(),
			deadline: new Date(deadline),
			twoApproversAbove: limits,
		};
		await sendRequest(
			this,
			buildRequest(reviewed, refused, links, context),
			(only) => buildRequest(reviewed, refused, only, context).text,
		);
		await this.putExecutionToWait(new Date(deadline));
		// Nothing on any output while waiting: nothing has been decided.
		return [[], [], [], []];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const link = linkOf(this);
		const isPost = this.getRequestObject().method === 'POST';
		if (isToolGate(this.getNode())) return toolGateWebhook(this, link, isPost);

		const approvers = approversOf(this);
		const refusal = (title: string, fact: string) =>
			respond(this, 403, { title, facts: [fact], proposals: [], refused: [] });
		if (link.approver && !approvers.includes(link.approver))
			return refusal(
				'This link no longer belongs to an approver',
				`${link.approver} is no longer an approver of this node.`,
			);
		if (!link.approver && approvers.length > 0)
			return refusal(
				"This approval needs a named approver's link",
				'Use the link that was sent to you by name.',
			);

		// A resumed execution's webhook sees the waiting node's input items: the proposals, unchanged.
		const items = JSON.parse(
			JSON.stringify(this.evaluateExpression('{{ $input.all() }}', 0)),
		) as INodeExecutionData[];
		const credentials = await readCredentials(this);
		const now = Date.now();
		const { entries, problems, refused } = checkBatch(
			items,
			credentials.apiKey,
			credentials.mode,
			stripeGuardToolNames(this),
			now,
		);
		const reviewed = await reviewAll(this, credentials, entries);
		const twoNeeded = needsTwoApprovers(reviewed, twoApproversAbove(this));
		const key = `${this.getExecutionId()}:${this.getNode().id}`;
		const deadline = Number.isFinite(link.deadline) ? link.deadline : Infinity;
		const { total, open } = totalsText(reviewed);
		const approvedSoFar = decisionState(key).approvals.map((a) => a.approver);
		const base: PageContent = {
			title: `Stripe Guard: ${countText(entries.length)} to approve (${modeText(credentials.mode)})`,
			facts: [
				`Asked by workflow "${this.getWorkflow().name ?? ''}", execution ${this.getExecutionId()}.`,
				Number.isFinite(deadline)
					? `Decide before ${deadlineText(new Date(deadline))}; after that nothing runs.`
					: '',
				link.approver
					? `This link belongs to ${link.approver}; a decision made with it is recorded under that name.`
					: '',
				twoNeeded
					? `Above the node's limit: two different approvers must approve. Approved so far: ${approvedSoFar.join(', ') || 'nobody'}.`
					: '',
			].filter(Boolean),
			proposals: reviewed.map((r) => ({
				headline: r.review.headline,
				lines: r.review.lines,
				context: r.context,
			})),
			refused: [...refused, ...problems].map((r) => r.reason),
			total,
			open,
		};
		const show = (heading: string, lines: string[], status = 200) =>
			respond(this, status, { ...base, result: { heading, lines } });
		const alreadyDecided = (status: number) => {
			const final = decisionState(key).final!;
			const what = { approve: 'Approved', reject: 'Rejected', expired: 'Expired' }[final.decision];
			return show(
				`Already decided: ${what}${final.by ? ` by ${final.by}` : ''} at ${final.at.slice(0, 19).replace('T', ' ')} UTC`,
				final.result ? [final.result] : [],
				status,
			);
		};
		if (decisionState(key).final) return alreadyDecided(isPost ? 409 : 200);

		const expired = now >= deadline;
		const expiredText = `This approval expired at ${Number.isFinite(deadline) ? deadlineText(new Date(deadline)) : ''}`;
		const askName = !link.approver && (this.getNodeParameter('askName', true) as boolean);
		const n = entries.length;
		const page: PageContent = {
			...base,
			form: {
				askName,
				approve: `Approve: make ${n === 1 ? 'this change' : `these ${n} changes`} in Stripe`,
				reject: 'Reject: change nothing',
				explain: [
					`Approve sends exactly the values listed above to Stripe (${modeText(credentials.mode)}), once.`,
					'Reject sends nothing. Either decision is final for everyone holding a link.',
				],
			},
		};
		if (!isPost)
			return expired
				? show(expiredText, ['Nothing was written to Stripe.'])
				: respond(this, 200, page);

		const form = readForm(this);
		const decision = form.decision ?? link.decision;
		if (!decision) return respond(this, 400, { ...page, problem: 'Choose Approve or Reject.' });
		const who = link.approver || form.approver;
		if (!who && askName && !expired)
			return respond(this, 200, {
				...page,
				problem: 'Enter your name: it goes into the audit record.',
			});
		const record: Decision = {
			approver: who,
			approvers: who ? [who] : [],
			approverIdentity: link.approver ? 'named link' : 'typed name',
			comment: form.comment,
			decidedAt: new Date(now).toISOString(),
			workflowId: this.getWorkflow().id ?? '',
			executionId: this.getExecutionId(),
		};
		const outputs: INodeExecutionData[][] = [[], [], [], []];

		// From here to the claim nothing awaits, so concurrent submissions are decided in order.
		if (expired) {
			// n8n's wait tracker can resume late: the node checks its own deadline.
			if (!claimFinal(key, 'expired', '')) return alreadyDecided(409);
			const lapsed = [...entries, ...problems.flatMap((p) => (p.expired ? [p.expired] : []))];
			outputs[OUTPUT.expired].push(
				...lapsed.map((entry) => notExecutedItem(entry, record, 'expired', expiredText)),
			);
			recordResult(key, 'Nothing was written to Stripe.');
			show(`Too late. ${expiredText}`, ['Nothing was written to Stripe.']);
			return { noWebhookResponse: true, workflowData: outputs };
		}
		if (decision === 'approve' && twoNeeded) {
			const approvals = decisionState(key).approvals;
			if (approvals.some((a) => a.approver === who))
				return show('You have already approved', [
					'A second, different approver must approve with their own link.',
				]);
			if (approvals.length === 0) {
				addApproval(key, { approver: who, comment: form.comment, at: record.decidedAt });
				return show(`Your approval is recorded, ${who}`, [
					'Nothing runs until a second, different approver approves with their own link.',
				]);
			}
			record.approvers = [...approvals.map((a) => a.approver), who];
			record.approver = record.approvers.join(' and ');
			record.comment = [...approvals.map((a) => a.comment), form.comment]
				.filter(Boolean)
				.join(' / ');
		}
		if (!claimFinal(key, decision, record.approver)) return alreadyDecided(409);

		for (const problem of problems) {
			if (problem.expired)
				outputs[OUTPUT.expired].push(
					notExecutedItem(problem.expired, record, 'expired', problem.reason),
				);
			else
				outputs[OUTPUT.failed].push({
					json: {
						error: problem.reason,
						audit: {
							outcome: 'failed',
							reason: problem.reason,
							...record,
						} as unknown as IDataObject,
					},
					pairedItem: { item: problem.itemIndex },
				});
		}
		let heading: string;
		let lines: string[];
		if (decision === 'reject') {
			outputs[OUTPUT.rejected].push(
				...entries.map((entry) => notExecutedItem(entry, record, 'rejected')),
			);
			heading = `Rejected${who ? ` by ${who}` : ''}`;
			lines = ['Nothing was written to Stripe.'];
		} else {
			const done = await executeApproved(
				this.getNode(),
				createStripeClient(this, credentials),
				credentials,
				entries,
				record,
			);
			for (const item of done)
				outputs[item.json.error ? OUTPUT.failed : OUTPUT.approved].push(item);
			const executed = outputs[OUTPUT.approved];
			const failed = outputs[OUTPUT.failed];
			heading = `Approved${record.approver ? ` by ${record.approver}` : ''}: ${executed.length} of ${n} change(s) made in Stripe`;
			lines = [
				...executed.map(
					(item) =>
						`Done: ${String((item.json.audit as IDataObject).summary)}, Stripe ID ${String(item.json.id ?? '')}`,
				),
				...failed.map((item) => `Not done: ${String(item.json.error)}`),
			];
		}
		recordResult(key, [heading, ...lines].join(' · '));
		show(heading, lines);
		return { noWebhookResponse: true, workflowData: outputs };
	}
}

/**
 * n8n's default review message renders the tool's input as "[object Object]"; the input reaches
 * this node as `toolParameters`, so the person sees it as JSON.
 */
function toolCallText(message: string, toolParameters: unknown): string {
	if (toolParameters === undefined || toolParameters === null || toolParameters === '')
		return message;
	const input =
		typeof toolParameters === 'string' ? toolParameters : JSON.stringify(toolParameters);
	const text = message.split('[object Object]').join(input);
	return text.includes(input) ? text : `${text}\nInput: ${input}`;
}

/** n8n's human review of an agent's tool call: approve lets the call run, reject tells the agent. */
function toolGateWebhook(
	fn: IWebhookFunctions,
	link: ReturnType<typeof linkOf>,
	isPost: boolean,
): IWebhookResponseData {
	const message = toolCallText(
		String(fn.getNodeParameter('message', '')),
		fn.evaluateExpression('{{ $input.first().json.toolParameters }}', 0),
	);
	const key = `${fn.getExecutionId()}:${fn.getNode().id}`;
	const base: PageContent = {
		title: 'An AI agent wants to run a tool',
		facts: [message],
		proposals: [],
		refused: [],
	};
	const final = decisionState(key).final;
	if (final)
		return respond(fn, isPost ? 409 : 200, {
			...base,
			result: {
				heading: `Already decided: ${final.decision === 'approve' ? 'approved' : 'rejected'} at ${final.at}`,
				lines: [],
			},
		});
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
