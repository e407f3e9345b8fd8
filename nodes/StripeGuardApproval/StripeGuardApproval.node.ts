import {
	NodeConnectionTypes,
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { readCredentials, type StripeGuardCredentials } from '../shared/credentials/credentials';
import { stripeRestrictedKeyApiTest } from '../StripeGuard/credential-test';
import { MAX_LIFETIME_HOURS, SAME_WRITE_CREDENTIAL } from '../shared/proposals/proposals';
import { readReviewContext, reviewProposal } from '../StripeGuard/writes';
import { createStripeClient } from '../shared/transport';
import { checkBatch, stripeGuardToolNames, type BatchEntry } from './batch';
import { approversOf, linkRefusal, twoApproversAbove } from './authorise';
import { readMoney } from './money';
import { answerLink, type Waiting } from './decide';
import { toolCallText, toolGateWebhook } from './tool-gate';
import { isToolGate, linkOf, respond, type ReviewLink } from './webhook';
import { decisionKey, EARLIER_WAIT, isCurrentWait, startWait } from './waits';
import {
	buildRequest,
	chatQuote,
	needsTwoApprovers,
	refuseSharedChannel,
	sendRequest,
	type ApprovalLink,
	type Reviewed,
} from './request';
import { withChatLegend } from './visible-text';
import { proposedRow } from './audit';
import { auditTrailOf, notRecorded } from './audit-trail';
import { auditTableField } from '../shared/audit/fields';
import { searchAuditTables } from '../StripeGuard/methods/listSearch';
import { APPROVAL_VERSIONS, LATEST_APPROVAL_VERSION } from './result';

// Output indexes: Expired is first so that a time-out never reaches Approved (execute-writes.ts).
export { OUTPUT } from './execute-writes';

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
const MAX_WAIT_MS = MAX_LIFETIME_HOURS * UNIT_MS.hours;

async function reviewAll(
	fn: IExecuteFunctions | IWebhookFunctions,
	credentials: StripeGuardCredentials,
	entries: BatchEntry[],
): Promise<Reviewed[]> {
	const stripe = createStripeClient(fn, credentials);
	// What the money depends on is read with the context: when the approver is asked, and again
	// when a link is answered, so the limit counts what Stripe says at the decision.
	const [contexts, money] = await Promise.all([
		Promise.all(entries.map(async (entry) => await readReviewContext(stripe, entry.proposal))),
		readMoney(stripe, entries),
	]);
	return entries.map((entry, i) => ({
		entry,
		review: reviewProposal(entry.proposal),
		context: contexts[i],
		money: money[i],
	}));
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
		// Version 2 (new nodes) gives Approved items Stripe's result simplified as the Stripe Guard
		// node's version 2 reads it, the full object under stripeObject (result.ts); version 1, in
		// saved workflows, keeps its items exactly as they were. The parameters are the same.
		version: APPROVAL_VERSIONS,
		defaultVersion: LATEST_APPROVAL_VERSION,
		subtitle: 'Send for approval and wait',
		description:
			'Asks a person to approve Stripe Guard proposals, waits, ' +
			'then executes exactly what was approved',
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
			{
				name: 'stripeGuardAuditApi',
				required: true,
				displayOptions: { show: { auditTrail: [true] } },
			},
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
					'Connect Stripe Guard write operations ' +
					'(or an AI Agent with Return Intermediate Steps on). ' +
					'Credential: the one the Propose nodes use, with Allow Writes on. ' +
					'Required: a Notification Workflow or a Slack-compatible Webhook URL, ' +
					'where the review link is sent. ' +
					'Outputs: Expired, Approved (executed by Stripe), Rejected, ' +
					'Failed (approved, but Stripe refused).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			// n8n's editor shows the credentials where the first parameter a credential depends on
			// (Audit Trail) is: kept near the top, the Stripe credential is in view, not at the fold.
			{
				displayName: 'Audit Trail',
				name: 'auditTrail',
				type: 'boolean',
				default: false,
				description:
					'Whether to append every proposal, approval and outcome to an n8n Data Table as it ' +
					'happens, through an n8n API key. A proposal whose row cannot be written is not ' +
					'sent for approval, and an approval that cannot be recorded is not executed. ' +
					'Recommended with a live key.',
			},
			{
				...auditTableField(
					'The Data Table the rows are appended to; it needs the audit columns (see the README)',
				),
				displayOptions: { show: { auditTrail: [true] } },
			},
			{
				displayName: 'Notification Workflow',
				name: 'notificationWorkflowId',
				type: 'workflowSelector',
				default: '',
				description:
					'A workflow (Execute Workflow Trigger → any channel: Slack, email, Teams, Telegram…) ' +
					'that delivers the request: one item per review link, with text, approver, reviewUrl, ' +
					'proposals (every value), totals and expiresAt. An item carries its own link alone: ' +
					'with Approvers, send each item to its approver only.',
			},
			{
				displayName: 'Slack-Compatible Webhook URL',
				name: 'webhookUrl',
				type: 'string',
				default: '',
				placeholder: 'https://hooks.slack.com/services/…',
				description:
					'An incoming webhook (Slack, Mattermost, Rocket.Chat, Teams workflows) ' +
					'that gets the request as {"text": …}. One channel for everyone, ' +
					'so not with Approvers: their links go through a Notification Workflow.',
			},
			{
				displayName: 'Expire After',
				name: 'expireAfter',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: MAX_LIFETIME_HOURS,
				description:
					`How long to wait for a decision, at most ${MAX_LIFETIME_HOURS} hours. ` +
					'The wait ends at this time or when the first proposal expires, ' +
					'whichever comes first; then the proposals leave through Expired.',
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
					'Optional. Names or emails, separated by commas: ' +
					"each gets their own signed review link and the audit record names the link's owner. " +
					'Needs a Notification Workflow that sends each approver their own item. ' +
					'Empty: one link, and whoever holds it types a name.',
			},
			{
				displayName: 'Require Approver Name',
				name: 'askName',
				type: 'boolean',
				default: true,
				displayOptions: { show: { approvers: [''] } },
				description:
					'Whether the page asks for a name for the audit record. ' +
					'A typed name is not proof of identity: anyone holding the link can type any name.',
			},
			{
				displayName: 'Two Approvers Above',
				name: 'twoApproversAbove',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Limit',
				default: {},
				description:
					'Above this total in a currency, two different named approvers must approve ' +
					'before anything runs (needs at least two Approvers). Every amount that can move ' +
					'counts, those Stripe decides at execution as read before the decision. With any ' +
					'limit set, an amount in a currency without a limit needs two approvers, and so does ' +
					'an amount that cannot be known before the decision.',
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
								description:
									"A whole number in the currency's smallest unit: 100000 is $1,000.00 but " +
									'¥100,000. Anything else fails the node.',
							},
						],
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
		listSearch: { searchAuditTables },
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
						"Stripe remembers a write's idempotency key for 24 hours; " +
						'an approval that waited longer could execute a write twice. ' +
						'Nothing was sent for approval.',
				},
			);
		}
		const now = Date.now();
		const workflow = this.getWorkflow().name ?? '';

		if (isToolGate(this.getNode())) {
			// n8n's human review of an agent's tool call: the message n8n fills in is the whole request.
			const deadline = now + waitMs;
			const url = this.getSignedResumeUrl({ deadline: String(deadline), wait: startWait(this) });
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
				text: withChatLegend(
					() =>
						`An AI agent wants to run a tool:\n${chatQuote(message)}\n\n` +
						`Review and decide: ${url}`,
				),
			});
			await this.putExecutionToWait(new Date(deadline));
			return [this.getInputData()];
		}

		const credentials = await readCredentials(this);
		if (!credentials.allowWrites) {
			const name = this.getNode().credentials?.stripeRestrictedKeyApi?.name ?? '';
			throw new NodeOperationError(
				this.getNode(),
				`The credential${name ? ` "${name}"` : ''} has Allow Writes off, ` +
					'so approved proposals could not run',
				{ description: `Nothing was sent for approval. ${SAME_WRITE_CREDENTIAL}` },
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
						'Only named approvers have links of their own, so only they can be told apart. ' +
						'Nothing was sent for approval.',
				},
			);
		}
		refuseSharedChannel(this, approvers);
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
		// One rule: the wait ends at Expire After or the first proposal's expiry, whichever is first.
		const deadline = Math.min(
			now + waitMs,
			...entries.map((e) => Date.parse(e.proposal.expiresAt)),
		);
		const wait = startWait(this);
		const links: ApprovalLink[] = (approvers.length ? approvers : ['']).map((approver) => ({
			approver,
			url: this.getSignedResumeUrl({
				...(approver ? { approver } : {}),
				deadline: String(deadline),
				wait,
			}),
		}));
		const reviewed = await reviewAll(this, credentials, entries);
		// Recorded before anyone is asked: a proposal the trail does not hold is never decided.
		const trail = auditTrailOf(this);
		if (trail) {
			const where = {
				workflowId: this.getWorkflow().id ?? '',
				executionId: this.getExecutionId(),
				decideBy: new Date(deadline).toISOString(),
			};
			try {
				await trail.append(entries.map((e) => proposedRow(e.proposal, where, e.agent)));
			} catch (error) {
				throw new NodeOperationError(
					this.getNode(),
					`The proposals were not recorded: ${notRecorded(trail, error)}`,
					{
						description:
							'Nothing was sent for approval and nothing was executed. Check the Stripe Guard ' +
							'Audit Trail credential (an n8n API key with dataTableRow:create) and that the ' +
							'Audit Table has the columns the README lists, then run again.',
					},
				);
			}
		}
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
		// Before anything else: a link of an earlier wait shows and decides nothing of this one.
		if (!isCurrentWait(this, link)) return respond(this, 410, EARLIER_WAIT);
		if (isToolGate(this.getNode())) return toolGateWebhook(this, link, isPost);
		const refusal = linkRefusal(link, approversOf(this));
		if (refusal) return respond(this, 403, refusal);
		return await answerLink(this, link, isPost, await readWaiting(this, link));
	}
}

/**
 * The proposals a review link decides on. A resumed execution's webhook sees the waiting node's
 * input items: the proposals, unchanged.
 */
async function readWaiting(fn: IWebhookFunctions, link: ReviewLink): Promise<Waiting> {
	const items = JSON.parse(
		JSON.stringify(fn.evaluateExpression('{{ $input.all() }}', 0)),
	) as INodeExecutionData[];
	const credentials = await readCredentials(fn);
	const now = Date.now();
	const { entries, problems, refused } = checkBatch(
		items,
		credentials.apiKey,
		credentials.mode,
		stripeGuardToolNames(fn),
		now,
	);
	const reviewed = await reviewAll(fn, credentials, entries);
	return {
		twoNeeded: needsTwoApprovers(reviewed, twoApproversAbove(fn)),
		key: decisionKey(fn, link),
		deadline: Number.isFinite(link.deadline) ? link.deadline : Infinity,
		now,
		credentials,
		entries,
		problems,
		refused,
		reviewed,
	};
}
