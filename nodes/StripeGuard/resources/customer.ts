import type { IDataObject } from 'n8n-workflow';
import type Stripe from 'stripe';

import { createdRangeFields, idField, listFields, readCreatedRange, readId, readListSize } from '../../shared/fields';
import type { ResourceDefinition } from '../../shared/operation';
import { collectList } from '../../shared/pagination';

const ID_PREFIX = 'cus_';

export const customer: ResourceDefinition = {
	value: 'customer',
	name: 'Customer',
	operations: [
		{
			value: 'get',
			name: 'Get',
			action: 'Get a customer',
			description: 'Retrieve one customer by its ID (cus_…)',
			properties: [idField('customerId', 'customer', ID_PREFIX)],
			async execute(ctx) {
				const id = readId(ctx, 'customerId', 'customer', ID_PREFIX);
				return (await ctx.stripe.customers.retrieve(id)) as unknown as IDataObject;
			},
		},
		{
			value: 'list',
			name: 'List',
			action: 'List customers',
			description: 'List customers, newest first, optionally filtered by email or creation date',
			properties: [
				...listFields,
				{
					displayName: 'Filters',
					name: 'filters',
					type: 'collection',
					placeholder: 'Add Filter',
					default: {},
					options: [
						{
							displayName: 'Email',
							name: 'email',
							type: 'string',
							placeholder: 'name@email.com',
							default: '',
							description: 'Only customers with exactly this email (case-sensitive, as Stripe compares it)',
						},
						...createdRangeFields,
					],
				},
			],
			async execute(ctx) {
				const size = readListSize(ctx);
				const filters = ctx.fn.getNodeParameter('filters', ctx.itemIndex, {}) as IDataObject;
				const params: Stripe.CustomerListParams = {};
				if (typeof filters.email === 'string' && filters.email.trim()) params.email = filters.email.trim();
				const created = readCreatedRange(ctx, filters);
				if (created) params.created = created;
				return await collectList(ctx, (p) => ctx.stripe.customers.list(p), params, size);
			},
		},
	],
};
