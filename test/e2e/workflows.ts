/**
 * Workflows the restart and queue-mode suites both run, built for a given receiver and credentials.
 */

import type { StripeEmulator } from '../emulator';

type Credential = { id: string; name: string };

/** A test-mode Stripe Guard credential for `n8n import:credentials`. */
export const stripeCredential = (credential: Credential, apiKey: string, allowWrites: boolean) => ({
	...credential,
	type: 'stripeRestrictedKeyApi',
	data: { apiKey, environment: 'test', accountId: '', allowWrites },
});

/** A $50.00 charge with nothing refunded yet, for a refund to be proposed on. */
export const refundableCharge = (emulator: StripeEmulator) =>
	emulator.create<{ id: string }>('charge', 'test', {
		amount: 5_000,
		amount_refunded: 0,
		currency: 'usd',
		status: 'succeeded',
	}).id;

export const node = (
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	position: [number, number],
	extra: Record<string, unknown> = {},
) => ({
	id: `n-${name.replace(/\W/g, '')}`,
	name,
	type,
	typeVersion: 1,
	position,
	parameters,
	...extra,
});

export const webhook = (path: string, responseMode: 'onReceived' | 'lastNode') =>
	node(
		'Webhook',
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path, responseMode, responseData: 'firstEntryJson', options: {} },
		[0, 0],
		{
			typeVersion: 2,
			webhookId: `${path}-0000-4000-8000-000000000000`.slice(0, 36),
		},
	);

/**
 * An AI Agent prompted with the webhook body's `question`, its
 * intermediate steps returned (for Stripe Guard Approval).
 */
export const agentNode = (position: [number, number] = [220, 0]) => ({
	id: 'node-agent',
	name: 'AI Agent',
	type: '@n8n/n8n-nodes-langchain.agent',
	typeVersion: 3.1,
	position,
	parameters: {
		promptType: 'define',
		text: '={{ $json.body.question }}',
		options: { returnIntermediateSteps: true },
	},
});

/** OpenAI's chat model node, pointed by its credential at the scripted model on 127.0.0.1. */
export const scriptedChatModel = (
	credential: Credential,
	position: [number, number] = [100, 200],
) => ({
	id: 'node-model',
	name: 'OpenAI Chat Model',
	type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
	typeVersion: 1.3,
	position,
	parameters: {
		model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' },
		options: {},
		responsesApiEnabled: false,
	},
	credentials: { openAiApi: credential },
});

export const chain = (...names: string[]) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

/**
 * Stripe Guard Trigger (customer.created, every minute) → the
 * new customer's ID posted to a Slack-compatible receiver.
 */
export const customersToSlack = (id: string, slackUrl: string, credential: Credential) => ({
	id,
	name: 'New customers to Slack',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		node(
			'New customer',
			'n8n-nodes-stripe-guard.stripeGuardTrigger',
			{
				pollTimes: { item: [{ mode: 'everyMinute' }] },
				events: ['customer.created'],
				simplify: true,
			},
			[0, 0],
			{ credentials: { stripeRestrictedKeyApi: credential } },
		),
		node(
			'Post',
			'n8n-nodes-base.httpRequest',
			{
				method: 'POST',
				url: slackUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ text: $json.object_id }) }}',
				options: {},
			},
			[220, 0],
			{ typeVersion: 4.2 },
		),
	],
	connections: chain('New customer', 'Post'),
});

/**
 * Webhook (POST {chargeId}) → propose a $3 refund →
 * Stripe Guard Approval asking through a receiver.
 */
export const refundWithApproval = (
	id: string,
	path: string,
	approvalsUrl: string,
	credential: Credential,
) => ({
	id,
	name: 'Refund with approval',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		webhook(path, 'onReceived'),
		node(
			'Propose refund',
			'n8n-nodes-stripe-guard.stripeGuard',
			{
				resource: 'refund',
				operation: 'create',
				chargeId: '={{ $json.body.chargeId }}',
				additionalFields: { amount: 300 },
			},
			[220, 0],
			{ credentials: { stripeRestrictedKeyApi: credential } },
		),
		node(
			'Approval',
			'n8n-nodes-stripe-guard.stripeGuardApproval',
			{ operation: 'sendAndWait', webhookUrl: approvalsUrl, expireAfter: 1, expireUnit: 'hours' },
			[440, 0],
			{ credentials: { stripeRestrictedKeyApi: credential } },
		),
	],
	connections: chain('Webhook', 'Propose refund', 'Approval'),
});

/**
 * A notification workflow for Stripe Guard Approval: Execute Workflow Trigger → each item posted
 * whole to a receiver as `{"text": <the item as JSON>}`, so a test reads what each approver got
 * (approver, reviewUrl, text). With Approvers set, the approval node takes no shared webhook.
 */
export const notifyToReceiver = (id: string, receiverUrl: string) => ({
	id,
	name: 'Notify each approver',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		node(
			'When asked',
			'n8n-nodes-base.executeWorkflowTrigger',
			{ inputSource: 'passthrough' },
			[0, 0],
			{ typeVersion: 1.1 },
		),
		node(
			'Post',
			'n8n-nodes-base.httpRequest',
			{
				method: 'POST',
				url: receiverUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ text: JSON.stringify($json) }) }}',
				options: {},
			},
			[220, 0],
			{ typeVersion: 4.2 },
		),
	],
	connections: chain('When asked', 'Post'),
});

/** Approves through the signed link, as the approver's browser submits the form. */
/** Submits the review page's form: a decision button and the typed name. */
export const decide = (url: string, fields: Record<string, string>) =>
	fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
export const approveAs = (url: string, approver: string) =>
	decide(url, { approver, decision: 'approve' });

/** The review links of an approval message: lines of their own at its end. */
export const reviewLinks = (text: string) =>
	[...text.matchAll(/^Review and decide(?: \(link of `([^`]+)`\))?: (\S+)$/gm)].map((m) => ({
		approver: m[1] ?? '',
		url: m[2],
	}));
