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

const PRICE_WRITE = 'Prices: Write (rak_price_write)';
const lookupKeyField = textField(
	'lookupKey',
	'Lookup Key',
	'A stable name to find the price by, e.g. pro_monthly',
);
const nicknameField = textField('nickname', 'Nickname', 'An internal name, not shown to customers');

const priceWrites = [
	defineWriteOperation({
		resource: 'price',
		operation: 'create',
		name: 'Create',
		action: 'Propose creating a price',
		description:
			'Propose a one-time or recurring price for a product. Amounts are in the smallest unit: 1200 is $12.00 but ¥1,200.',
		permission: PRICE_WRITE,
		properties: [
			idField('productId', 'product', 'prod_'),
			{
				displayName: 'Currency Name or ID',
				name: 'currency',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCurrencies' },
				required: true,
				default: '',
				description:
					'The currencies your account can charge in, its default first; an ID here is a three-letter ISO code such as usd. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Unit Amount',
				name: 'unitAmount',
				type: 'number',
				required: true,
				default: 0,
				description:
					"Price in the currency's smallest unit (cents for USD, yen for JPY): 1200 is $12.00",
			},
			fieldCollection('additionalFields', [
				{
					displayName: 'Billing Interval',
					name: 'interval',
					type: 'options',
					options: [
						{ name: 'Day', value: 'day' },
						{ name: 'Month', value: 'month' },
						{ name: 'One-Time (Not Recurring)', value: '' },
						{ name: 'Week', value: 'week' },
						{ name: 'Year', value: 'year' },
					],
					default: 'month',
					description: 'How often a subscription with this price bills',
				},
				{
					displayName: 'Interval Count',
					name: 'intervalCount',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 1,
					description: 'Bill every this many intervals, e.g. 3 with Month for quarterly',
				},
				lookupKeyField,
				metadataField,
				nicknameField,
			]),
		],
	}),
	defineWriteOperation({
		resource: 'price',
		operation: 'update',
		name: 'Update',
		action: 'Propose updating a price',
		description:
			"Propose changes to a price's active flag, nickname, lookup key or metadata (Stripe does not allow changing its amount).",
		permission: PRICE_WRITE,
		properties: [
			idField('priceId', 'price', 'price_'),
			fieldCollection('updateFields', [
				booleanField('active', 'Active', 'Whether new purchases can use the price'),
				lookupKeyField,
				metadataField,
				nicknameField,
			]),
		],
	}),
];

export const price = defineReadResource(
	{
		value: 'price',
		name: 'Price',
		label: 'price',
		plural: 'prices',
		idPrefix: 'price_',
		permission: 'Prices: Read (rak_plan_read)',
		api: (stripe) => stripe.prices,
		filters: [
			{
				name: 'active',
				displayName: 'Active',
				kind: 'boolean',
				description: 'Only prices that can be used for new purchases (on) or archived ones (off)',
			},
			{
				name: 'product',
				displayName: 'Product ID',
				kind: 'id',
				idPrefix: 'prod_',
				description: 'Only prices of this product',
			},
			{
				name: 'currency',
				displayName: 'Currency',
				kind: 'currency',
				description: 'Only prices in this currency (ISO code such as usd)',
			},
			{
				name: 'type',
				displayName: 'Type',
				kind: 'options',
				options: [
					{ name: 'Recurring', value: 'recurring' },
					{ name: 'One Time', value: 'one_time' },
				],
				description: 'Only recurring (subscription) or one-time prices',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the price was created',
			},
		],
		expand: ['product', 'tiers', 'currency_options'],
		dates: ['created'],
		search: {
			fields: "active, currency, lookup_key, product, type, metadata['key']",
			example: "active:'true' AND currency:'usd'",
		},
		simplify: (p: IDataObject) => {
			const recurring = p.recurring as IDataObject | null;
			return {
				id: p.id,
				product: p.product,
				nickname: p.nickname,
				active: p.active,
				...money('unit_amount', p.unit_amount, p.currency),
				currency: p.currency,
				type: p.type,
				billing_scheme: p.billing_scheme,
				interval: recurring?.interval ?? null,
				interval_count: recurring?.interval_count ?? null,
				usage_type: recurring?.usage_type ?? null,
				lookup_key: p.lookup_key,
				created: p.created,
				metadata: p.metadata,
			};
		},
	},
	priceWrites,
);
