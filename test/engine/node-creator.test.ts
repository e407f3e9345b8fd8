/**
 * What n8n's node creator shows of Stripe Guard: its entry's one-line description, and its actions
 * as a search lists them. The actions are generated the way the editor does (useActionsGeneration's
 * resourceCategories: each resource's operation list, each option's `action` as its name) and
 * searched with n8n's own sublimeSearch (@n8n/utils, the function the editor's searchNodes calls
 * on an action list: a fuzzy match of the lowercased search on each name, scored higher the
 * earlier and the more contiguously it matches and the shorter the name, best first). The editor
 * then re-ranks by popularity per node, the same for every action of one node, so their order
 * stays sublimeSearch's.
 */
import { sublimeSearch } from '@n8n/utils/search/sublime-search';
import type { INodePropertyOptions } from 'n8n-workflow';

import { StripeGuard } from '../../nodes/StripeGuard/StripeGuard.node';
import { StripeGuardTrigger } from '../../nodes/StripeGuardTrigger/StripeGuardTrigger.node';

const description = new StripeGuard().description;
const versions = description.version as number[];

interface Action {
	resource: string;
	operation: string;
	proposal: boolean;
	properties: { displayName: string };
}

/** The node's actions as the editor generates them, in its order. */
function actions(): Action[] {
	const resources = description.properties.find((p) => p.name === 'resource')!
		.options as INodePropertyOptions[];
	return resources.flatMap((resource) => {
		// The first operation list of the resource whose versions (if any) include one of the node's.
		const operations = description.properties.find(
			(p) =>
				p.name === 'operation' &&
				p.displayOptions?.show?.resource?.includes(resource.value) &&
				(p.displayOptions.show['@version'] ?? versions).some(
					(v) => typeof v === 'number' && versions.includes(v),
				),
		)!;
		return (operations.options as Array<INodePropertyOptions & { action?: string }>).map((o) => ({
			resource: String(resource.value),
			operation: String(o.value),
			proposal: o.name.startsWith('Propose '),
			properties: { displayName: o.action ?? `${resource.name} ${o.name}` },
		}));
	});
}

/** The node creator's actions for a search, best first. */
const search = (words: string) =>
	sublimeSearch(words.toLowerCase(), actions()).map(({ item }) => item);

test('a search for "refund" lists the refund proposal first', () => {
	const found = search('refund');
	expect(found[0]).toMatchObject({
		resource: 'refund',
		operation: 'create',
		properties: { displayName: 'Refund a charge (proposal)' },
	});
	// The reads of refunds come right after it.
	expect(found.slice(1, 3).map((a) => `${a.resource}.${a.operation}`)).toEqual([
		'refund.list',
		'refund.get',
	]);
});

test("a search for a proposal's verb lists the proposals with it before any read", () => {
	const proposals = actions().filter((a) => a.proposal);
	expect(proposals.length).toBeGreaterThan(15);
	for (const proposal of proposals) {
		const verb = proposal.properties.displayName.split(' ')[0];
		const found = search(verb);
		const firstRead = found.findIndex((a) => !a.proposal);
		const withVerb = found.filter((a) => a.properties.displayName.startsWith(`${verb} `));
		expect([verb, withVerb.every((a) => a.proposal)]).toEqual([verb, true]);
		expect([verb, found.slice(0, withVerb.length)]).toEqual([verb, withVerb]);
		if (firstRead >= 0) expect(firstRead).toBeGreaterThanOrEqual(withVerb.length);
	}
});

test('each action is named once, a proposal says so at its end', () => {
	const names = actions().map((a) => a.properties.displayName);
	expect(new Set(names).size).toBe(names.length);
	for (const a of actions())
		expect([a.properties.displayName, a.proposal]).toEqual([
			a.properties.displayName,
			a.properties.displayName.endsWith(' (proposal)'),
		]);
});

test("the node creator's entry is one short line, with no trigger wording", () => {
	expect(description.description).toMatch(/^[^\n]{20,70}$/);
	expect(description.description).not.toMatch(/trigger|This node/i);
	// The editor's merged entry of a node and its trigger (generateMergedNodesAndActions) takes
	// the trigger's description.
	expect(new StripeGuardTrigger().description.description).toBe(description.description);
});
