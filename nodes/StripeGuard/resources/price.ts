import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { contains, describePrice, quoted } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const price = defineReadResource({
	value: 'price',
	name: 'Price',
	label: 'price',
	plural: 'prices',
	idPrefix: 'price_',
	path: '/v1/prices',
	dashboard: 'prices',
	permission: 'rak_plan_read',
	lookup: {
		describe: describePrice,
		expand: ['product'],
		// Prices are found by their product's name (or their lookup key).
		async query(text, stripe) {
			const products = await stripe.products.search({ query: contains('name', text), limit: 9 });
			return [
				...products.data.map((p) => `product:${quoted(p.id as string)}`),
				`lookup_key:${quoted(text)}`,
			].join(' OR ');
		},
	},
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
		// Stripe's query fields for prices (docs.stripe.com/search#query-fields-for-prices).
		fields: {
			active: 'token',
			currency: 'token',
			lookup_key: 'string',
			metadata: 'token',
			product: 'string',
			type: 'token',
		},
		offered: ['active', 'currency', 'lookup_key', 'product', 'type', 'metadata'],
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
});
