/**
 * Each time the node puts the execution to wait (the approval and n8n's human review of a tool
 * call alike), that wait gets an identity of its own, random, signed into its links with n8n's
 * signature. A workflow can reach the node again in the same execution (Expired or Rejected →
 * propose again → this node): the new wait asks afresh, decisions belong to one wait only, and a
 * link of an earlier wait decides nothing.
 *
 * Which wait is current is kept in the execution's custom data: n8n stores it with the waiting
 * execution and hands it to whichever process answers the links (main, webhook or worker).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type IWebhookFunctions,
} from 'n8n-workflow';

import type { PageContent } from './page';
import type { ReviewLink } from './webhook';

/** Custom data keys are at most 50 letters, digits or underscores; node IDs can be anything. */
const keyOf = (node: INode) =>
	`stripeGuardWait_${createHash('sha256').update(node.id).digest('hex').slice(0, 32)}`;

/** Starts a new wait of this node: its identity, to sign into every link of this wait. */
export function startWait(fn: IExecuteFunctions): string {
	const wait = randomBytes(16).toString('hex');
	const key = keyOf(fn.getNode());
	fn.customData.set(key, wait);
	// n8n drops a new key silently when the execution already holds ten.
	if (fn.customData.get(key) !== wait) {
		throw new NodeOperationError(fn.getNode(), "Could not record this approval's wait", {
			description:
				'The execution already holds the ten custom data entries n8n keeps, so links of this ' +
				'wait could not be told from links of an earlier one. Set fewer custom data entries ' +
				'(Execution Data node, $execution.customData) before this node. ' +
				'Nothing was sent for approval.',
		});
	}
	return wait;
}

/**
 * Whether a link belongs to the node's current wait. A link without a wait, while the execution
 * records none, comes from a wait started before waits had identities: it is that wait's.
 */
export function isCurrentWait(fn: IWebhookFunctions, link: ReviewLink): boolean {
	const current = fn.customData.get(keyOf(fn.getNode()));
	return link.wait === (current ?? '');
}

/** The key of a wait's decision in decisions.ts: the execution, the node and the wait. */
export const decisionKey = (fn: IWebhookFunctions, link: ReviewLink) =>
	`${fn.getExecutionId()}:${fn.getNode().id}:${link.wait}`;

/** What a link of an earlier wait shows (answered with 410): nothing of the current request. */
export const EARLIER_WAIT: PageContent = {
	title: 'This link belongs to an earlier request',
	facts: [
		'This workflow has asked again since this link was sent. ' +
			'This link decides nothing: nothing was approved or rejected with it.',
		'Use the link of the latest request.',
	],
	proposals: [],
	refused: [],
};
