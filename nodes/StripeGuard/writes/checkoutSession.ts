/**
 * Checkout session writes: create (a payment link; its prices are read first so that the
 * proposal states what it charges) and expire.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { isStripeId } from '../../shared/ids';
import { idField } from '../framework/fields';
import { locatorField } from '../framework/locator';
import { amountForQuantity, type PriceTerms } from '../framework/price-amount';
import { person } from './context';
import { defineWrite, WriteInputError, type WriteInput } from './define';
import { fieldCollection, metadataField, optionValues, textField } from './fields';
import { choice, id, optional, post, PROBE_ID, webUrl, wholeNumber } from './inputs';

const permission = 'rak_checkout_session_write';
const probe = `/v1/checkout/sessions/cs_${PROBE_ID}/expire`;

const modeField: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	options: [
		{ name: 'Payment (One-Time)', value: 'payment' },
		{ name: 'Subscription', value: 'subscription' },
	],
	default: 'payment',
};
/** The modes proposed here (Stripe's also has setup, which charges nothing). */
const MODES = optionValues(modeField);

/**
 * Stripe's limits on a session's line items (docs.stripe.com/api/checkout/sessions/create
 * #create_checkout_session-line_items): 100 in payment mode; in subscription mode 20 with
 * recurring prices and 20 with one-time prices.
 */
const LINE_ITEMS = { payment: 100, subscriptionPerKind: 20 };

/** What a checkout session's proposal is built from: the pricing terms of its prices, by ID. */
export interface CheckoutContext {
	prices: Record<string, PriceTerms>;
}

export const checkoutSessionCreate = defineWrite({
	resource: 'checkoutSession',
	operation: 'create',
	name: 'Create',
	action: 'Create a checkout link',
	description:
		'Propose a Stripe Checkout session (a payment link) for one or more prices. ' +
		'The prices are read first so that the summary shows the total.',
	permission,
	properties: [
		modeField,
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
							// One literal ending in n8n's standard sentence, as its lint wants a dropdown's
							// description: a backslash at a line's end continues it and adds nothing.
							description:
								'The price to sell (active prices, newest first). Choose from the list, \
or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
					'An existing customer to attach the session to: pick it from the list, ' +
					'or give its ID (cus_…) or its Stripe Dashboard URL',
			}),
			metadataField,
		]),
	],
	adaptInput: (input) => ({
		...input,
		lineItems: (input.lineItems as { item?: unknown[] } | undefined)?.item ?? [],
	}),
	async readContext(ctx, input): Promise<CheckoutContext> {
		const ids = [
			...new Set(
				(input.lineItems as Array<{ price?: unknown }>)
					.map((l) => l.price)
					.filter((p) => isStripeId(p, 'price_')),
			),
		] as string[];
		const prices: CheckoutContext['prices'] = {};
		for (const priceId of ids) {
			// Tiers come only when expanded; they decide the amount of a tiered price.
			const price = await ctx.stripe.prices.retrieve(priceId, { expand: ['tiers'] });
			prices[priceId] = {
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
	build(input, context) {
		const mode = choice(input, 'mode', 'Mode', MODES) ?? 'payment';
		const successUrl = webUrl(input, 'successUrl', 'Success URL', true);
		const cancelUrl = webUrl(input, 'cancelUrl', 'Cancel URL', false);
		const lines = Array.isArray(input.lineItems) ? (input.lineItems as WriteInput[]) : [];
		if (lines.length === 0)
			throw new WriteInputError('Add at least one line item (a price ID and a quantity)');
		if (mode === 'payment' && lines.length > LINE_ITEMS.payment)
			throw new WriteInputError(
				`A payment checkout has ${lines.length} line items; ` +
					`Stripe takes at most ${LINE_ITEMS.payment}: combine or split them`,
			);
		const totals: Record<string, number> = {};
		const kinds = { recurring: 0, 'one-time': 0 };
		const lineItems = lines.map((line) => {
			const price = id(line, 'price', 'price', 'price_');
			const quantity = wholeNumber(line, 'quantity', `Quantity of ${price}`, {
				min: 1,
				fallback: 1,
			});
			const known = context.prices?.[price];
			if (!known)
				throw new WriteInputError(
					`Price ${price} must be read before a checkout session with it is proposed`,
				);
			const amount = amountForQuantity(known, quantity);
			if (amount === undefined) {
				throw new WriteInputError(
					`Price ${price} has no amount that can be known in advance ` +
						'(customer-chosen or metered), so the approver could not see what the checkout ' +
						'charges: use a price with a fixed or tiered amount',
				);
			}
			totals[known.currency] = (totals[known.currency] ?? 0) + amount;
			// A price not known to be one-time counts as recurring.
			kinds[known.usage_type === null ? 'one-time' : 'recurring'] += 1;
			return { price, quantity };
		});
		for (const [kind, count] of Object.entries(kinds))
			if (mode === 'subscription' && count > LINE_ITEMS.subscriptionPerKind)
				throw new WriteInputError(
					`A subscription checkout has ${count} line items with ${kind} prices; ` +
						`Stripe takes at most ${LINE_ITEMS.subscriptionPerKind}: split them`,
				);
		const params: Record<string, unknown> = {
			mode,
			success_url: successUrl,
			line_items: lineItems,
			...optional(input, { metadata: 'metadata' }),
		};
		if (cancelUrl) params.cancel_url = cancelUrl;
		if (input.customerId) params.customer = id(input, 'customerId', 'customer', 'cus_');
		const total = Object.entries(totals)
			.map(([c, a]) => formatAmount(a, c))
			.join(' + ');
		return {
			request: post('/v1/checkout/sessions', params),
			summary:
				`Create a ${mode} checkout link for ${lineItems.length} item(s)` +
				(total ? ` totalling ${total}` : ''),
			amounts: totals,
		};
	},
	review: {
		labels: { mode: 'Checkout mode', success_url: 'Success URL', cancel_url: 'Cancel URL' },
		// Each price as it is now (product, nickname, unit amount), and the customer.
		async context(stripe, { params }) {
			const lines = [];
			for (const item of (params.line_items as IDataObject[]) ?? []) {
				const price = (await stripe.prices.retrieve(String(item.price), {
					expand: ['product'],
				})) as unknown as IDataObject;
				const product =
					price.product && typeof price.product === 'object'
						? String((price.product as IDataObject).name ?? '')
						: '';
				const recurring = price.recurring as IDataObject | null;
				const unit =
					typeof price.unit_amount === 'number'
						? formatAmount(price.unit_amount, String(price.currency))
						: 'tiered';
				const every = recurring ? ` per ${String(recurring.interval)}` : '';
				lines.push({
					label: `Price ${String(item.price)}`,
					value: `${[product, price.nickname].filter(Boolean).join(' — ')}: ${unit}${every}`,
				});
			}
			if (typeof params.customer === 'string') {
				lines.push({
					label: 'Customer',
					value: person(await stripe.customers.retrieve(params.customer)),
				});
			}
			return lines;
		},
	},
	money: { kind: 'stated' },
	probe,
	example: {
		input: {
			successUrl: 'https://example.com/thanks',
			lineItems: [{ price: 'price_Example1', quantity: 2 }],
		},
		context: { prices: { price_Example1: { unit_amount: 4900, currency: 'usd' } } },
	},
});

export const checkoutSessionExpire = defineWrite({
	resource: 'checkoutSession',
	operation: 'expire',
	name: 'Expire',
	action: 'Expire a checkout session',
	description: 'Propose expiring an open checkout session, so that its payment link stops working.',
	permission,
	properties: [idField('checkoutSessionId', 'checkout session', 'cs_')],
	build(input) {
		const session = id(input, 'checkoutSessionId', 'checkout session', 'cs_');
		return {
			request: post(`/v1/checkout/sessions/${session}/expire`, {}),
			summary: `Expire checkout session ${session} (its payment link stops working)`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	probe,
	example: { input: { checkoutSessionId: 'cs_Example1' }, context: {} },
});

export const checkoutSessionWrites = [checkoutSessionCreate, checkoutSessionExpire] as const;
