import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, joined, quoted, statusOrCustomer } from '../framework/lookup';
import { defineReadResource, subListOperation, type Shape } from '../framework/read-resource';
import { COLLECTION_METHODS } from './subscription';

const STATUSES = [
	{ name: 'Draft', value: 'draft' },
	{ name: 'Open', value: 'open' },
	{ name: 'Paid', value: 'paid' },
	{ name: 'Uncollectible', value: 'uncollectible' },
	{ name: 'Void', value: 'void' },
];

/** An invoice line's simplified shape: its period comes out as period_start / period_end. */
export const invoiceLineShape: Shape = {
	simplify: (l: IDataObject) => {
		const pricing = (l.pricing as IDataObject | undefined)?.price_details as
			| IDataObject
			| undefined;
		return {
			id: l.id,
			description: l.description,
			...money('amount', l.amount, l.currency),
			currency: l.currency,
			quantity: l.quantity,
			price: pricing?.price ?? (l.price as IDataObject | undefined)?.id ?? null,
			period_start: (l.period as IDataObject | undefined)?.start,
			period_end: (l.period as IDataObject | undefined)?.end,
		};
	},
	dates: ['period_start', 'period_end'],
};

export const invoice = defineReadResource(
	{
		value: 'invoice',
		name: 'Invoice',
		label: 'invoice',
		plural: 'invoices',
		idPrefix: 'in_',
		path: '/v1/invoices',
		dashboard: 'invoices',
		permission: 'rak_invoice_read',
		lookup: {
			// Number, amount, status: "INV-0001 — $49.00 — paid — ada@…".
			describe: (i) =>
				joined(
					(i.number as string | null) ?? 'draft',
					amountText(i.total, i.currency),
					i.status,
					(i.customer_name as string | null) ?? i.customer_email,
				),
			query: statusOrCustomer(
				STATUSES.map((s) => s.value),
				(text) =>
					/^[A-Z0-9]+-[0-9]+$/i.test(text) ? `number:${quoted(text.toUpperCase())}` : undefined,
			),
		},
		listHint: 'For overdue invoices use status open with a Due Date range. ',
		filters: [
			{
				name: 'status',
				displayName: 'Status',
				kind: 'options',
				options: STATUSES,
				description: 'Only invoices in this status',
			},
			{
				name: 'customer',
				displayName: 'Customer ID',
				kind: 'id',
				idPrefix: 'cus_',
				description: "Only this customer's invoices",
			},
			{
				name: 'subscription',
				displayName: 'Subscription ID',
				kind: 'id',
				idPrefix: 'sub_',
				description: "Only this subscription's invoices",
			},
			{
				name: 'collection_method',
				displayName: 'Collection Method',
				kind: 'options',
				options: COLLECTION_METHODS,
				description: 'Only invoices collected this way',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the invoice was created',
			},
			{
				name: 'due_date',
				displayName: 'Due Date',
				kind: 'dateRange',
				description: 'When the invoice is due (invoices sent for payment)',
			},
		],
		// Since API version 2025-03-31 an invoice's subscription is under parent.subscription_details.
		expand: ['customer', 'parent.subscription_details.subscription', 'default_payment_method'],
		expandRenamed: { subscription: 'parent.subscription_details.subscription' },
		dates: ['due_date', 'created', 'period_start', 'period_end'],
		search: {
			// Stripe's query fields for invoices (docs.stripe.com/search#query-fields-for-invoices).
			fields: {
				created: 'numeric',
				currency: 'token',
				customer: 'token',
				last_finalization_error_code: 'token',
				last_finalization_error_type: 'token',
				metadata: 'token',
				number: 'string',
				receipt_number: 'string',
				status: 'string',
				subscription: 'string',
				total: 'numeric',
			},
			offered: [
				'status',
				'customer',
				'subscription',
				'number',
				'total',
				'currency',
				'created',
				'metadata',
			],
			example: "status:'open' AND total>10000",
		},
		simplify: (i: IDataObject) => ({
			id: i.id,
			number: i.number,
			customer: i.customer,
			customer_email: i.customer_email,
			customer_name: i.customer_name,
			subscription:
				((i.parent as IDataObject | null)?.subscription_details as IDataObject | undefined)
					?.subscription ?? null,
			status: i.status,
			collection_method: i.collection_method,
			currency: i.currency,
			...money('total', i.total, i.currency),
			...money('amount_due', i.amount_due, i.currency),
			...money('amount_paid', i.amount_paid, i.currency),
			...money('amount_remaining', i.amount_remaining, i.currency),
			due_date: i.due_date,
			created: i.created,
			period_start: i.period_start,
			period_end: i.period_end,
			hosted_invoice_url: i.hosted_invoice_url,
			metadata: i.metadata,
		}),
	},
	[
		subListOperation({
			parent: { value: 'invoice', label: 'invoice', idPrefix: 'in_' },
			value: 'listLineItems',
			name: 'List Line Items',
			action: 'List line items of an invoice',
			description:
				"List an invoice's line items: what was billed, for which period, at which price. " +
				'Needs Invoices: Read (rak_invoice_read).',
			list: (stripe, id, params) => stripe.invoices.listLineItems(id, params),
			...invoiceLineShape,
		}),
	],
);
