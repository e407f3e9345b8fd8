/** Invoice writes: create a draft, finalize, send, void. */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { idField } from '../framework/fields';
import { COLLECTION_METHODS } from '../resources/subscription';
import { defineWrite } from './define';
import { fieldCollection, metadataField, textField } from './fields';
import { choice, id, optional, post, PROBE_ID, targetOf, wholeNumber } from './inputs';

const probe = `/v1/invoices/in_${PROBE_ID}`;
const invoiceIdField = idField('invoiceId', 'invoice', 'in_');
const example = { input: { invoiceId: 'in_Example1' }, context: {} };

export const invoiceCreate = defineWrite({
	resource: 'invoice',
	operation: 'create',
	name: 'Create',
	action: 'Create a draft invoice',
	description:
		"Propose a draft invoice for a customer; it collects the customer's pending invoice items. " +
		'Finalize it to make it payable.',
	permission: 'rak_invoice_write',
	properties: [
		idField('customerId', 'customer', 'cus_'),
		fieldCollection('additionalFields', [
			{
				displayName: 'Collection Method',
				name: 'collectionMethod',
				type: 'options',
				options: COLLECTION_METHODS,
				default: 'charge_automatically',
				description:
					'Charge the default payment method, or email the invoice for the customer to pay',
			},
			{
				displayName: 'Days Until Due',
				name: 'daysUntilDue',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'For invoices sent for payment: days the customer has to pay',
			},
			textField('description', 'Description', 'Memo shown on the invoice'),
			metadataField,
		]),
	],
	build(input) {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		// Stripe's default leaves pending invoice items out; this operation promises to collect them.
		const params: Record<string, unknown> = {
			customer,
			pending_invoice_items_behavior: 'include',
			// Stripe's maxLength for an invoice's description (its memo).
			...optional(input, { description: 1500, metadata: 'metadata' }),
		};
		const methods = COLLECTION_METHODS.map((m) => m.value);
		// Charging automatically is Stripe's default: only sending the invoice is said.
		if (choice(input, 'collectionMethod', 'Collection method', methods) === 'send_invoice') {
			const days = wholeNumber(input, 'daysUntilDue', 'Days until due', { min: 1, fallback: 30 });
			Object.assign(params, { collection_method: 'send_invoice', days_until_due: days });
		}
		return {
			request: post('/v1/invoices', params),
			summary: `Create a draft invoice for customer ${customer}`,
		};
	},
	review: {
		labels: {
			collection_method: 'Collection method',
			days_until_due: 'Days until due',
			pending_invoice_items_behavior: "Customer's pending invoice items",
		},
	},
	// A draft charges nothing; finalizing it does.
	money: { kind: 'none' },
	probe,
	example: {
		input: { customerId: 'cus_Example1', collectionMethod: 'send_invoice', daysUntilDue: 14 },
		context: {},
	},
});

export const invoiceFinalize = defineWrite({
	resource: 'invoice',
	operation: 'finalize',
	name: 'Finalize',
	action: 'Finalize an invoice',
	description: 'Propose finalizing a draft invoice so it can be paid (it can no longer be edited).',
	permission: 'rak_invoice_write',
	properties: [invoiceIdField],
	build(input) {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return {
			request: post(`/v1/invoices/${invoice}/finalize`, {}),
			summary: `Finalize invoice ${invoice} (it can then be paid and no longer edited)`,
		};
	},
	review: { labels: {} },
	money: {
		kind: 'decidedByStripe',
		open: (request) => [
			`invoice ${targetOf(request)}'s amount due, ` +
				'which Stripe charges at once when the invoice collects automatically',
		],
		// Counted however it is collected: once finalized, the whole amount due can be paid.
		async read(stripe, request) {
			const invoice = targetOf(request);
			const read = (await stripe.invoices.retrieve(invoice)) as unknown as IDataObject;
			const due = read.amount_due;
			const currency = typeof read.currency === 'string' ? read.currency.toLowerCase() : '';
			if (typeof due !== 'number' || !Number.isSafeInteger(due) || !/^[a-z]{3}$/.test(currency))
				return undefined;
			const how =
				read.collection_method === 'send_invoice'
					? 'which the customer is asked to pay once it is finalized'
					: read.auto_advance === false
						? 'which Stripe does not charge by itself (automatic collection is off), ' +
							'but which can be paid once it is finalized'
						: 'which Stripe charges automatically once it is finalized';
			return {
				amounts: { [currency]: due },
				words: [`invoice ${invoice}'s amount due is ${formatAmount(due, currency)}, ${how}`],
			};
		},
	},
	probe,
	example,
});

export const invoiceSend = defineWrite({
	resource: 'invoice',
	operation: 'send',
	name: 'Send',
	action: 'Send an invoice by email',
	description: 'Propose emailing an open invoice to the customer for payment.',
	permission: 'rak_invoice_write',
	properties: [invoiceIdField],
	build(input) {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return {
			request: post(`/v1/invoices/${invoice}/send`, {}),
			summary: `Email invoice ${invoice} to the customer`,
		};
	},
	review: { labels: {} },
	// Sending asks the customer to pay; nothing is charged by it.
	money: { kind: 'none' },
	probe,
	example,
});

export const invoiceVoid = defineWrite({
	resource: 'invoice',
	operation: 'void',
	name: 'Void',
	action: 'Void an invoice',
	description: 'Propose voiding an open invoice (cannot be undone).',
	permission: 'rak_invoice_write',
	properties: [invoiceIdField],
	build(input) {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return {
			request: post(`/v1/invoices/${invoice}/void`, {}),
			summary: `Void invoice ${invoice} (cannot be undone)`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example,
});

export const invoiceWrites = [invoiceCreate, invoiceFinalize, invoiceSend, invoiceVoid] as const;
