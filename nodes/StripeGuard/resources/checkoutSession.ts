import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { isStripeId } from '../../shared/ids';
import { idField } from '../framework/fields';
import { locatorField } from '../framework/locator';
import { defineReadResource, subListOperation, type Shape } from '../framework/read-resource';
import {
	defineWriteOperation,
	fieldCollection,
	metadataField,
	textField,
} from '../framework/write-operation';
import type { WriteContext } from '../../shared/proposals/write-requests';

/** A checkout session's line item, simplified (it has no dates of its own). */
export const checkoutLineShape: Shape = {
	simplify: (l: IDataObject) => ({
		id: l.id,
		description: l.description,
		quantity: l.quantity,
		price: (l.price as IDataObject | null)?.id ?? null,
		...money('amount_total', l.amount_total, l.currency),
		currency: l.currency,
	}),
};

const CHECKOUT_WRITE = 'Checkout Sessions: Write (rak_checkout_session_write)';

const checkoutSessionWrites = [
	defineWriteOperation({
		resource: 'checkoutSession',
		operation: 'create',
		name: 'Create',
		action: 'Propose creating a checkout link',
		description:
			'Propose a Stripe Checkout session (a payment link) for one or more prices. The prices are read first so that the summary shows the total.',
		permission: CHECKOUT_WRITE,
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'Payment (One-Time)', value: 'payment' },
					{ name: 'Subscription', value: 'subscription' },
				],
				default: 'payment',
			},
			textField('successUrl', 'Success URL', 'Where Stripe sends the customer after paying', {
				required: true,
				placeholder: 'https://example.com/thanks',
			}),
			{
				displayName: 'Line Items',
				name: 'lineItems',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Line Item',
				default: {},
				options: [
					{
						displayName: 'Item',
						name: 'item',
						values: [
							{
								displayName: 'Price Name or ID',
								name: 'price',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getPrices' },
								default: '',
								description:
									'The price to sell (active prices, newest first). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
							{
								displayName: 'Quantity',
								name: 'quantity',
								type: 'number',
								typeOptions: { minValue: 1 },
								default: 1,
							},
						],
					},
				],
			},
			fieldCollection('additionalFields', [
				textField('cancelUrl', 'Cancel URL', 'Where Stripe sends the customer who goes back'),
				locatorField('customerId', 'customer', 'cus_', {
					required: false,
					description:
						'An existing customer to attach the session to: pick it from the list, or give its ID (cus_…) or its Stripe Dashboard URL',
				}),
				metadataField,
			]),
		],
		adaptInput: (input) => ({
			...input,
			lineItems: (input.lineItems as { item?: unknown[] } | undefined)?.item ?? [],
		}),
		async readContext(ctx, input) {
			const ids = [
				...new Set(
					(input.lineItems as Array<{ price?: unknown }>)
						.map((l) => l.price)
						.filter((p) => isStripeId(p, 'price_')),
				),
			] as string[];
			const prices: NonNullable<WriteContext['prices']> = {};
			for (const id of ids) {
				// Tiers come only when expanded; they decide the amount of a tiered price.
				const price = await ctx.stripe.prices.retrieve(id, { expand: ['tiers'] });
				prices[id] = {
					unit_amount: price.unit_amount,
					currency: price.currency,
					billing_scheme: price.billing_scheme,
					tiers_mode: price.tiers_mode,
					tiers:
						price.tiers?.map((t) => ({
							up_to: t.up_to,
							unit_amount: t.unit_amount,
							unit_amount_decimal:
								t.unit_amount_decimal === null || t.unit_amount_decimal === undefined
									? null
									: String(t.unit_amount_decimal),
							flat_amount: t.flat_amount,
						})) ?? null,
					transform_quantity: price.transform_quantity,
					custom_unit_amount: price.custom_unit_amount,
					usage_type: price.recurring?.usage_type ?? null,
				};
			}
			return { prices };
		},
	}),
	defineWriteOperation({
		resource: 'checkoutSession',
		operation: 'expire',
		name: 'Expire',
		action: 'Propose expiring a checkout session',
		description:
			'Propose expiring an open checkout session, so that its payment link stops working.',
		permission: CHECKOUT_WRITE,
		properties: [idField('checkoutSessionId', 'checkout session', 'cs_')],
	}),
];

export const checkoutSession = defineReadResource(
	{
		value: 'checkoutSession',
		name: 'Checkout Session',
		label: 'checkout session',
		plural: 'checkout_sessions',
		objectType: 'checkout.session',
		idPrefix: 'cs_',
		permission: 'Checkout Sessions: Read (rak_checkout_session_read)',
		api: (stripe) => stripe.checkout.sessions,
		filters: [
			{
				name: 'status',
				displayName: 'Status',
				kind: 'options',
				options: [
					{ name: 'Complete', value: 'complete' },
					{ name: 'Expired', value: 'expired' },
					{ name: 'Open', value: 'open' },
				],
				description: 'Only sessions in this status',
			},
			{
				name: 'customer',
				displayName: 'Customer ID',
				kind: 'id',
				idPrefix: 'cus_',
				description: "Only this customer's sessions",
			},
			{
				name: 'payment_intent',
				displayName: 'Payment Intent ID',
				kind: 'id',
				idPrefix: 'pi_',
				description: 'Only the session of this payment intent',
			},
			{
				name: 'subscription',
				displayName: 'Subscription ID',
				kind: 'id',
				idPrefix: 'sub_',
				description: 'Only the session that created this subscription',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the session was created',
			},
		],
		expand: ['customer', 'payment_intent', 'subscription', 'invoice'],
		dates: ['expires_at', 'created'],
		simplify: (s: IDataObject) => {
			const details = s.customer_details as IDataObject | null;
			return {
				id: s.id,
				status: s.status,
				payment_status: s.payment_status,
				mode: s.mode,
				...money('amount_total', s.amount_total, s.currency),
				currency: s.currency,
				customer: s.customer,
				customer_email: details?.email ?? s.customer_email ?? null,
				payment_intent: s.payment_intent,
				subscription: s.subscription,
				url: s.url,
				expires_at: s.expires_at,
				created: s.created,
				metadata: s.metadata,
			};
		},
	},
	[
		subListOperation({
			parent: { value: 'checkoutSession', label: 'checkout session', idPrefix: 'cs_' },
			value: 'listLineItems',
			name: 'List Line Items',
			action: 'List line items of a checkout session',
			description:
				'List what a checkout session sold: products, quantities and amounts. Needs Checkout Sessions: Read (rak_checkout_session_read).',
			list: (stripe, id, params) => stripe.checkout.sessions.listLineItems(id, params),
			...checkoutLineShape,
		}),
		...checkoutSessionWrites,
	],
);
