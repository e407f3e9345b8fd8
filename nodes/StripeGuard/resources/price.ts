import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { defineReadResource } from '../../shared/read-resource';

export const price = defineReadResource({
	value: 'price',
	name: 'Price',
	label: 'price',
	plural: 'prices',
	idPrefix: 'price_',
	permission: 'Prices: Read (rak_plan_read)',
	api: (stripe) => stripe.prices,
	filters: [
		{ name: 'active', displayName: 'Active', kind: 'boolean', description: 'Only prices that can be used for new purchases (on) or archived ones (off)' },
		{ name: 'product', displayName: 'Product ID', kind: 'id', idPrefix: 'prod_', description: 'Only prices of this product' },
		{ name: 'currency', displayName: 'Currency', kind: 'currency', description: 'Only prices in this currency (ISO code such as usd)' },
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
		{ name: 'created', displayName: 'Created', kind: 'dateRange', description: 'When the price was created' },
	],
	expand: ['product', 'tiers', 'currency_options'],
	search: { fields: "active, currency, lookup_key, product, type, metadata['key']", example: "active:'true' AND currency:'usd'" },
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
