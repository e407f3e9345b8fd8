import type { IDataObject } from 'n8n-workflow';

import { contains, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const product = defineReadResource({
	value: 'product',
	name: 'Product',
	label: 'product',
	plural: 'products',
	idPrefix: 'prod_',
	path: '/v1/products',
	dashboard: 'products',
	permission: 'rak_product_read',
	lookup: {
		describe: (p) => joined(p.name, p.active === false ? 'archived' : ''),
		query: (text) => contains('name', text),
	},
	filters: [
		{
			name: 'active',
			displayName: 'Active',
			kind: 'boolean',
			description: 'Only products that are active (on) or archived (off)',
		},
		{
			name: 'shippable',
			displayName: 'Shippable',
			kind: 'boolean',
			description: 'Only products that can be shipped (on) or not (off)',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the product was created',
		},
	],
	expand: ['default_price'],
	dates: ['created', 'updated'],
	search: {
		// Stripe's query fields for products (docs.stripe.com/search#query-fields-for-products).
		fields: {
			active: 'token',
			description: 'string',
			metadata: 'token',
			name: 'string',
			shippable: 'token',
			url: 'string',
		},
		offered: ['active', 'name', 'description', 'shippable', 'url', 'metadata'],
		example: "active:'true' AND name~'Pro'",
	},
	simplify: (p: IDataObject) => ({
		id: p.id,
		name: p.name,
		description: p.description,
		active: p.active,
		default_price: p.default_price,
		url: p.url,
		created: p.created,
		updated: p.updated,
		metadata: p.metadata,
	}),
});
