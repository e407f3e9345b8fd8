import type { IDataObject } from 'n8n-workflow';

import { joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const event = defineReadResource({
	value: 'event',
	name: 'Event',
	label: 'event',
	plural: 'events',
	idPrefix: 'evt_',
	path: '/v1/events',
	dashboard: 'events',
	permission: 'rak_event_read',
	lookup: {
		describe: (e) =>
			joined(
				e.type,
				typeof e.created === 'number'
					? new Date(e.created * 1000).toISOString().replace('.000Z', 'Z')
					: '',
			),
	},
	listHint: 'Stripe keeps events for 30 days. ',
	filters: [
		{
			name: 'type',
			displayName: 'Type',
			kind: 'text',
			description:
				'Only events of this type, e.g. invoice.paid; a trailing * matches a group, e.g. invoice.*',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the event happened',
		},
	],
	expand: [],
	dates: ['created'],
	simplify: (e: IDataObject) => {
		const object = ((e.data as IDataObject | undefined)?.object ?? {}) as IDataObject;
		return {
			id: e.id,
			type: e.type,
			created: e.created,
			object_type: object.object,
			object_id: object.id,
			request_id: (e.request as IDataObject | null)?.id ?? null,
			api_version: e.api_version,
		};
	},
});
