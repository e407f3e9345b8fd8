import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineReadResource } from '../framework/read-resource';
import {
	booleanField,
	defineWriteOperation,
	fieldCollection,
	metadataField,
	textField,
} from '../framework/write-operation';

export const SUBSCRIPTION_STATUSES = [
	{ name: 'Active', value: 'active' },
	{ name: 'All (Including Canceled)', value: 'all' },
	{ name: 'Canceled', value: 'canceled' },
	{ name: 'Ended', value: 'ended' },
	{ name: 'Incomplete', value: 'incomplete' },
	{ name: 'Incomplete Expired', value: 'incomplete_expired' },
	{ name: 'Past Due', value: 'past_due' },
	{ name: 'Paused', value: 'paused' },
	{ name: 'Trialing', value: 'trialing' },
	{ name: 'Unpaid', value: 'unpaid' },
];

export const COLLECTION_METHODS = [
	{ name: 'Charge Automatically', value: 'charge_automatically' },
	{ name: 'Send Invoice', value: 'send_invoice' },
];

const SUBSCRIPTION_WRITE = 'Subscriptions: Write (rak_subscription_write)';

const subscriptionWrites = [
	defineWriteOperation({
		resource: 'subscription',
		operation: 'update',
		name: 'Update',
		action: 'Propose updating a subscription',
		description:
			'Propose cancelling a subscription at the end of its period (or undoing that), or changing its description or metadata.',
		permission: SUBSCRIPTION_WRITE,
		properties: [
			idField('subscriptionId', 'subscription', 'sub_'),
			fieldCollection('updateFields', [
				booleanField(
					'cancelAtPeriodEnd',
					'Cancel at Period End',
					'Whether the subscription ends when the current period ends (off: keep renewing)',
				),
				textField('description', 'Description', 'An internal note shown in the Stripe Dashboard'),
				metadataField,
			]),
		],
	}),
	defineWriteOperation({
		resource: 'subscription',
		operation: 'cancel',
		name: 'Cancel',
		action: 'Propose cancelling a subscription now',
		description:
			'Propose cancelling a subscription immediately (use Update with Cancel at Period End to let it run out).',
		permission: SUBSCRIPTION_WRITE,
		properties: [
			idField('subscriptionId', 'subscription', 'sub_'),
			fieldCollection('additionalFields', [
				booleanField(
					'invoiceNow',
					'Invoice Now',
					'Whether to invoice pending usage and proration items right away',
				),
				booleanField(
					'prorate',
					'Prorate',
					'Whether to credit the unused time of the current period',
				),
			]),
		],
	}),
];

export const subscription = defineReadResource(
	{
		value: 'subscription',
		name: 'Subscription',
		label: 'subscription',
		plural: 'subscriptions',
		idPrefix: 'sub_',
		permission: 'Subscriptions: Read (rak_subscription_read)',
		api: (stripe) => stripe.subscriptions,
		listHint: 'Without a status filter Stripe leaves out canceled subscriptions. ',
		filters: [
			{
				name: 'status',
				displayName: 'Status',
				kind: 'options',
				options: SUBSCRIPTION_STATUSES,
				description: 'Only subscriptions in this status',
			},
			{
				name: 'customer',
				displayName: 'Customer ID',
				kind: 'id',
				idPrefix: 'cus_',
				description: "Only this customer's subscriptions",
			},
			{
				name: 'price',
				displayName: 'Price ID',
				kind: 'id',
				idPrefix: 'price_',
				description: 'Only subscriptions that include this price',
			},
			{
				name: 'collection_method',
				displayName: 'Collection Method',
				kind: 'options',
				options: COLLECTION_METHODS,
				description: 'Only subscriptions billed this way',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the subscription was created',
			},
		],
		expand: ['customer', 'latest_invoice', 'default_payment_method', 'schedule'],
		dates: [
			'items.current_period_end',
			'cancel_at',
			'canceled_at',
			'trial_end',
			'start_date',
			'created',
		],
		search: {
			fields: "status, created, canceled_at, metadata['key']",
			example: "status:'active' AND metadata['plan']:'pro'",
		},
		simplify: (s: IDataObject) => {
			const items = ((s.items as IDataObject | undefined)?.data as IDataObject[] | undefined) ?? [];
			return {
				id: s.id,
				customer: s.customer,
				status: s.status,
				items: items.map((item) => {
					const p = (item.price ?? {}) as IDataObject;
					const recurring = p.recurring as IDataObject | null;
					return {
						id: item.id,
						price: p.id,
						product: p.product,
						...money('unit_amount', p.unit_amount, p.currency),
						currency: p.currency,
						interval: recurring?.interval ?? null,
						interval_count: recurring?.interval_count ?? null,
						quantity: item.quantity,
						current_period_end: item.current_period_end,
					};
				}),
				collection_method: s.collection_method,
				cancel_at_period_end: s.cancel_at_period_end,
				cancel_at: s.cancel_at,
				canceled_at: s.canceled_at,
				trial_end: s.trial_end,
				start_date: s.start_date,
				created: s.created,
				currency: s.currency,
				latest_invoice: s.latest_invoice,
				metadata: s.metadata,
			};
		},
	},
	subscriptionWrites,
);
