/** Customer writes: create, update, delete. They move no money. */
import { idField } from '../framework/fields';
import { defineWrite, WriteInputError } from './define';
import { fieldCollection, metadataField, textField } from './fields';
import { changes, del, email, id, optional, post, PROBE_ID, someChange } from './inputs';

/** Each field's maxLength in Stripe's definitions of the customer endpoints. */
const CUSTOMER_FIELDS = {
	name: 256,
	email: 512,
	phone: 20,
	description: 5000,
	metadata: 'metadata',
} as const;
/** Updating a customer that cannot exist: harmless even if Stripe ignored the probe's parameter. */
const probe = `/v1/customers/cus_${PROBE_ID}`;

const fields = [
	textField('phone', 'Phone', "The customer's phone number"),
	textField('description', 'Description', 'An internal note shown in the Stripe Dashboard'),
	metadataField,
];
const nameField = textField('name', 'Name', "The customer's full name or business name");
const emailField = textField('email', 'Email', "The customer's email address", {
	placeholder: 'name@email.com',
});
const customerIdField = idField('customerId', 'customer', 'cus_');

export const customerCreate = defineWrite({
	resource: 'customer',
	operation: 'create',
	name: 'Create',
	action: 'Create a customer',
	description: 'Propose a new customer (a name or an email is required).',
	permission: 'rak_customer_write',
	properties: [nameField, emailField, fieldCollection('additionalFields', fields)],
	build(input) {
		email(input);
		const params = optional(input, CUSTOMER_FIELDS);
		if (!params.email && !params.name)
			throw new WriteInputError('Give the new customer at least a name or an email');
		return { request: post('/v1/customers', params), summary: 'Create a customer' };
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { name: 'Ada Lovelace', email: 'ada@example.com' }, context: {} },
});

export const customerUpdate = defineWrite({
	resource: 'customer',
	operation: 'update',
	name: 'Update',
	action: 'Update a customer',
	description: "Propose changes to a customer's name, email, phone, description or metadata.",
	permission: 'rak_customer_write',
	properties: [
		customerIdField,
		fieldCollection('updateFields', [nameField, emailField, ...fields]),
	],
	build(input) {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		email(input);
		const params = optional(input, CUSTOMER_FIELDS);
		someChange(params);
		return {
			request: post(`/v1/customers/${customer}`, params),
			summary: `Update customer ${customer}: ${changes(params)}`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { customerId: 'cus_Example1', phone: '+1 555 0100' }, context: {} },
});

export const customerDelete = defineWrite({
	resource: 'customer',
	operation: 'delete',
	name: 'Delete',
	action: 'Delete a customer',
	description: "Propose deleting a customer, which also cancels the customer's subscriptions.",
	permission: 'rak_customer_write',
	properties: [customerIdField],
	build(input) {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		return {
			request: del(`/v1/customers/${customer}`),
			summary: `Delete customer ${customer} (cancels their subscriptions)`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { customerId: 'cus_Example1' }, context: {} },
});

export const customerWrites = [customerCreate, customerUpdate, customerDelete] as const;
