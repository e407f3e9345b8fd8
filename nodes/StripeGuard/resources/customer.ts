import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { contains, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

export const customer = defineReadResource({
	value: 'customer',
	name: 'Customer',
	label: 'customer',
	plural: 'customers',
	idPrefix: 'cus_',
	path: '/v1/customers',
	dashboard: 'customers',
	permission: 'rak_customer_read',
	lookup: {
		describe: (c) => joined(c.name, c.email) || '(no name or email)',
		query: (text) => `${contains('name', text)} OR ${contains('email', text)}`,
	},
	filters: [
		{
			name: 'email',
			displayName: 'Email',
			kind: 'text',
			description: 'Only customers with exactly this email (case-sensitive, as Stripe compares it)',
		},
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the customer was created',
		},
	],
	expand: ['default_source', 'invoice_settings.default_payment_method', 'test_clock'],
	dates: ['created'],
	search: {
		// Stripe's query fields for customers (docs.stripe.com/search#query-fields-for-customers).
		fields: {
			created: 'numeric',
			email: 'string',
			metadata: 'token',
			name: 'string',
			phone: 'string',
		},
		offered: ['email', 'name', 'phone', 'created', 'metadata'],
		example: "email:'jenny@example.com' or name~'Rosen' or metadata['plan']:'pro'",
	},
	simplify: (c: IDataObject) => ({
		id: c.id,
		name: c.name,
		email: c.email,
		phone: c.phone,
		description: c.description,
		...money('balance', c.balance, c.currency),
		currency: c.currency,
		delinquent: c.delinquent,
		created: c.created,
		metadata: c.metadata,
		...(c.deleted ? { deleted: true } : {}),
	}),
});
