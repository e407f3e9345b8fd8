import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { stripeRestrictedKeyApiTest } from '../StripeGuard/credential-test';
import { readCredentials, writeCredentialOnReadWarning } from '../shared/credentials/credentials';
import { toNodeError } from '../shared/errors';
import { APP_DESCRIPTION } from '../StripeGuard/description';
import { withoutSecrets } from '../shared/privacy/privacy';
import { createStripeClient, type StripeEvent } from '../shared/transport';
import { ALL_EVENTS, EVENT_TYPE_OPTIONS } from './eventTypes';
import { eventsSince, latestEvent, matchesTypes, type EventCursor } from './events';
import {
	LATEST_TRIGGER_VERSION,
	simplifiedEventV1,
	simplifiedEventV2,
	TRIGGER_VERSIONS,
} from './simplify';

/**
 * The first poll of an empty account starts this much
 * before n8n's clock, in case it runs ahead of Stripe's.
 */
const CLOCK_SKEW_S = 60;
/** Share of n8n's poll budget spent fetching a backlog; the rest waits for the next poll. */
const BUDGET_SHARE = 0.5;
const DEFAULT_BUDGET_MS = 5 * 60_000;

export class StripeGuardTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Guard Trigger',
		name: 'stripeGuardTrigger',
		icon: { light: 'file:stripeGuardTrigger.svg', dark: 'file:stripeGuardTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 (new nodes) simplifies by default, as Stripe Guard's version 2 reads do, with ISO
		// dates and formatted amounts (simplify.ts); version 1, in saved workflows, is unchanged.
		version: TRIGGER_VERSIONS,
		defaultVersion: LATEST_TRIGGER_VERSION,
		subtitle: '={{$parameter["events"].join(", ")}}',
		// n8n's node creator merges "<name>Trigger" into "<name>" and shows the trigger's description
		// for both, so it says what Stripe Guard as a whole does before what the trigger does.
		// n8n's node creator lists the node and its trigger as one entry, with this description.
		description: APP_DESCRIPTION,
		defaults: { name: 'Stripe Guard Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'stripeRestrictedKeyApi', required: true, testedBy: 'stripeRestrictedKeyApiTest' },
		],
		properties: [
			{
				displayName:
					'The first activation starts from now: events from before are not replayed. ' +
					'After that every matching event starts the workflow once, ' +
					'oldest first. Fetch Test Event shows the latest match without moving on.',
				name: 'startsNow',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: EVENT_TYPE_OPTIONS,
				default: [],
				description: 'The Stripe event types that start the workflow',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '@version': [1] } },
				description:
					'Whether to return only the event ID, type, time, the object it ' +
					'is about and its changed fields, instead of the full Stripe event',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
				description:
					'Whether to return only the event ID, type, time, request ID, the object it is about ' +
					'and its changed fields, simplified as Stripe Guard reads them (dates as ISO 8601, ' +
					'formatted amounts), instead of the full Stripe event',
			},
		],
	};

	methods = {
		credentialTest: { stripeRestrictedKeyApiTest },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const node = this.getNode();
		const types = this.getNodeParameter('events', []) as string[];
		if (types.length === 0)
			throw new NodeOperationError(
				node,
				'Choose at least one event type under Events, or All Events.',
			);
		const simplify = this.getNodeParameter('simplify', node.typeVersion >= 2) as boolean;
		const simplified = node.typeVersion >= 2 ? simplifiedEventV2 : simplifiedEventV1;
		const credentials = await readCredentials(this);
		// A poll has no execution hints: n8n's log is where this can be said.
		if (credentials.allowWrites) this.logger.warn(writeCredentialOnReadWarning(node));
		const stripe = createStripeClient(this, credentials);
		const toItems = (events: StripeEvent[]) => [
			this.helpers.returnJsonArray(
				events.map((e) => {
					const event = shapeEvent(e);
					return simplify ? simplified(event) : event;
				}),
			),
		];

		try {
			// "Fetch Test Event" in the editor: show the latest match and leave the cursor alone.
			if (this.getMode() === 'manual') {
				const latest = await latestEvent(stripe, types);
				if (!latest) throw new NodeOperationError(node, noEventMessage(types, credentials.mode));
				return toItems([latest]);
			}

			const cursor = this.getWorkflowStaticData('node') as EventCursor;
			if (cursor.lastEventId === undefined && cursor.lastCreated === undefined) {
				// First activation: start after the newest event, so history is never replayed.
				const newest = (await stripe.events.list({ limit: 1 })).data[0];
				if (newest) Object.assign(cursor, { lastEventId: newest.id, lastCreated: newest.created });
				// No event at all: anything seen from now on is
				// new, so a margin for clock skew loses nothing.
				else cursor.lastCreated = Math.floor(Date.now() / 1000) - CLOCK_SKEW_S;
				return null;
			}

			// Older n8n versions have no getPollBudgetMs (and no budget of their own).
			const budget =
				typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : DEFAULT_BUDGET_MS;
			const { events, next } = await eventsSince(
				stripe,
				cursor,
				Date.now() + budget * BUDGET_SHARE,
			);
			// Written in place and only when it moved: n8n watches
			// this object to know the static data must be saved.
			if (next.lastEventId !== cursor.lastEventId || next.lastCreated !== cursor.lastCreated) {
				delete cursor.lastEventId;
				Object.assign(cursor, next);
			}
			const matching = events.filter(matchesTypes(types));
			return matching.length > 0 ? toItems(matching) : null;
		} catch (error) {
			throw toNodeError(node, error, 0);
		}
	}
}

/** The event without any secret, at any depth (as in the read operations), before Simplify. */
const shapeEvent = (stripeEvent: StripeEvent): IDataObject =>
	withoutSecrets(stripeEvent as unknown as IDataObject, 'event');

function noEventMessage(types: string[], mode: string): string {
	const which = types.includes(ALL_EVENTS)
		? 'event'
		: `${types.slice(0, 3).join(', ')}${types.length > 3 ? ', …' : ''} event`;
	return (
		`No ${which} exists yet in this Stripe account (${mode} mode) ` +
		'in the last 30 days, which is as long as Stripe keeps events. ' +
		'Create one by doing what causes it in the Stripe Dashboard (e.g. ' +
		'add a customer for customer.created) or with the Stripe CLI ' +
		'(e.g. `stripe trigger customer.created`), then fetch again.'
	);
}
