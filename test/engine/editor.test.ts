/**
 * What a person sees in the editor before running anything, read the way n8n reads it: the node
 * descriptions as loaded, the subtitle evaluated by n8n-workflow's own expression engine.
 */
import { NodeHelpers, Workflow, type INode, type INodeProperties } from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { StripeGuardApproval } from '../../nodes/StripeGuardApproval/StripeGuardApproval.node';
import { StripeGuardTrigger } from '../../nodes/StripeGuardTrigger/StripeGuardTrigger.node';
import { nodeTypes, STRIPE_GUARD } from './harness';

const description = new StripeGuard().description;
const operationsOf = (resource: string) =>
	(description.properties.find(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
	)?.options ?? []) as Array<{ name: string; value: string; action: string }>;
const fieldsOf = (resource: string, operation: string): INodeProperties[] =>
	description.properties.filter(
		(p) =>
			p.displayOptions?.show?.resource?.includes(resource) &&
			p.displayOptions?.show?.operation?.includes(operation),
	);

function subtitle(parameters: Record<string, string>): unknown {
	const node: INode = {
		id: 'n',
		name: 'Stripe Guard',
		type: STRIPE_GUARD,
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {});
}

test(
	'write operations are named, described and ' + 'subtitled as proposals, each with the notice',
	() => {
		expect(operationsOf('refund').map((o) => [o.value, o.name])).toEqual([
			['get', 'Get'],
			['list', 'List'],
			['create', 'Propose Create'],
		]);
		expect(
			operationsOf('customer')
				.filter((o) => /^Propose /.test(o.name))
				.map((o) => o.value),
		).toEqual(['create', 'update', 'delete']);
		for (const resource of [
			'customer',
			'product',
			'price',
			'subscription',
			'invoice',
			'paymentIntent',
			'refund',
			'checkoutSession',
		]) {
			for (const op of operationsOf(resource).filter((o) => o.name.startsWith('Propose '))) {
				expect(op.action).toMatch(/ \(proposal\)$/);
				const notice = fieldsOf(resource, op.value)[0];
				expect([notice.type, notice.displayName]).toEqual([
					'notice',
					'This creates a proposal; nothing changes in Stripe ' +
						'until a person approves it in Stripe Guard Approval. ' +
						'That node needs this same credential, with Allow Writes on',
				]);
			}
		}
		expect(subtitle({ resource: 'refund', operation: 'create' })).toBe('propose create: refund');
		expect(subtitle({ resource: 'customer', operation: 'list' })).toBe('list: customer');
		expect(subtitle({ resource: 'report', operation: 'mrr' })).toBe('mrr: report');
	},
);

test('every report says it runs once per execution', () => {
	for (const op of operationsOf('report'))
		expect(fieldsOf('report', op.value)[0]).toMatchObject({
			type: 'notice',
			displayName: expect.stringMatching(/^Runs once per execution/),
		});
});

test('the trigger says in the editor that its first activation replays nothing', () => {
	const [first] = new StripeGuardTrigger().description.properties;
	expect(first).toMatchObject({
		type: 'notice',
		displayName: expect.stringMatching(
			/^The first activation starts from now: events from before are not replayed/,
		),
	});
});

test("the approval node's credential is shown near the top, above where requests go", () => {
	// n8n's parameter list (ParameterInputList) puts the credential selector where the last shown
	// parameter a credential's displayOptions name is, or first when there is none: at the fold
	// of the panel when that parameter was last.
	const approval = new StripeGuardApproval().description;
	const node = { typeVersion: 2 };
	const values = NodeHelpers.getNodeParameters(
		approval.properties,
		{},
		true,
		false,
		node,
		approval,
	);
	const shown = approval.properties.filter((p) =>
		NodeHelpers.displayParameter(values ?? {}, p, node, approval),
	);
	const dependedOn = new Set(
		(approval.credentials ?? []).flatMap((c) => Object.keys(c.displayOptions?.show ?? {})),
	);
	let slot = 0;
	shown.forEach((p, i) => {
		if (dependedOn.has(p.name)) slot = i;
	});
	const names = shown.map((p) => p.name);
	expect(names.slice(0, slot)).toEqual(['operation', 'notice']);
	expect(slot).toBeLessThan(names.indexOf('notificationWorkflowId'));
});
