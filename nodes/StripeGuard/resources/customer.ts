import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { defineReadResource } from '../framework/read-resource';
import {
	defineWriteOperation,
	fieldCollection,
	metadataField,
	textField,
} from '../framework/write-operation';

const CUSTOMER_WRITE = 'Customers: Write (rak_customer_write)';
const customerFields = [
	textField('phone', 'Phone', "The customer's phone number"),
	textField('description', 'Description', 'An internal note shown in the Stripe Dashboard'),
	metadataField,
];
const nameField = textField('name', 'Name', "The customer's full name or business name");
const emailField = textField('email', 'Email', "The customer's email address", {
	placeholder: 'name@email.com',
});

const customerWrites = [
	defineWriteOperation({
		resource: 'customer',
		operation: 'create',
		name: 'Create',
		action: 'Propose creating a customer',
		description: 'Propose a new customer (a name or an email is required).',
		permission: CUSTOMER_WRITE,
		properties: [nameField, emailField, fieldCollection('additionalFields', customerFields)],
	}),
	defineWriteOperation({
		resource: 'customer',
		operation: 'update',
		name: 'Update',
		action: 'Propose updating a customer',
		description: "Propose changes to a customer's name, email, phone, description or metadata.",
		permission: CUSTOMER_WRITE,
		properties: [
			idField('customerId', 'customer', 'cus_'),
			fieldCollection('updateFields', [nameField, emailField, ...customerFields]),
		],
	}),
	defineWriteOperation({
		resource: 'customer',
		operation: 'delete',
		name: 'Delete',
		action: 'Propose deleting a customer',
		description: "Propose deleting a customer, which also cancels the customer's subscriptions.",
		permission: CUSTOMER_WRITE,
		properties: [idField('customerId', 'customer', 'cus_')],
	}),
];

export const customer = defineReadResource(
	{
		value: 'customer',
		name: 'Customer',
		label: 'customer',
		plural: 'customers',
		idPrefix: 'cus_',
		permission: 'Customers: Read (rak_customer_read)',
		api: (stripe) => stripe.customers,
		filters: [
			{
				name: 'email',
				displayName: 'Email',
				kind: 'text',
				description:
					'Only customers with exactly this email (case-sensitive, as Stripe compares it)',
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
			fields: "email, name, phone, created, metadata['key']",
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
	},
	customerWrites,
);
