/**
 * Every write Stripe Guard can propose, as a pure function from validated input to the exact
 * Stripe request and a headline. No request is made here: the approval node sends the request,
 * unchanged, once a person has approved it, and shows every value of it (proposal-review.ts).
 * Headlines hold only our own words, validated IDs, enums and amounts: never a name, email or
 * other text from data, so they cannot carry personal data to a model or markup to a chat.
 */
import { formatAmount } from '../amounts';
import { amountForQuantity, type PriceTerms } from './price-amount';
import type { StripeWriteRequest, UnsignedProposal } from './proposals';
import {
	amountProblem,
	asText,
	currencyProblem,
	idProblem,
	metadataProblem,
} from './write-validation';

/** A refusal of the input, in words that say what to fix. */
export class WriteInputError extends Error {}

type Input = Record<string, unknown>;
export type WriteDraft = Omit<UnsignedProposal, 'mode'>;

/** What the node reads before proposing, so the summary names what a person recognises. */
export interface WriteContext {
	/** The charge a refund is for. */
	charge?: { id: string; amount: number; amount_refunded: number; currency: string };
	/** Pricing terms of checkout line items, by price ID. */
	prices?: Record<string, PriceTerms>;
}

const check = (problem: string | undefined) => {
	if (problem) throw new WriteInputError(problem);
};

function id(input: Input, name: string, label: string, prefix: string): string {
	const value = typeof input[name] === 'string' ? (input[name] as string).trim() : input[name];
	check(idProblem(value, label, prefix));
	return value as string;
}

/** Copies the optional fields that are set, each of the type Stripe takes; metadata within Stripe's limits. */
function optional(input: Input, names: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const name of names) {
		const value = input[name];
		if (value === undefined || value === null || value === '') continue;
		if (name === 'metadata') check(metadataProblem(value));
		else if (name === 'active') {
			if (typeof value !== 'boolean')
				throw new WriteInputError(
					`"${name}" must be true or false, not ${asText(value).slice(0, 40)}`,
				);
		} else if (typeof value !== 'string')
			throw new WriteInputError(`"${name}" must be text, not ${asText(value).slice(0, 40)}`);
		out[name] = value;
	}
	return out;
}

function requireText(input: Input, name: string, label: string): string {
	const value = input[name];
	if (typeof value !== 'string' || !value.trim()) throw new WriteInputError(`${label} is required`);
	return value.trim();
}

function email(input: Input): void {
	if (
		input.email !== undefined &&
		input.email !== '' &&
		!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(asText(input.email))
	) {
		throw new WriteInputError(`"${asText(input.email).slice(0, 60)}" is not an email address`);
	}
}

const post = (path: string, params: Record<string, unknown>): StripeWriteRequest => ({
	method: 'POST',
	path,
	params,
});
const del = (path: string, params: Record<string, unknown> = {}): StripeWriteRequest => ({
	method: 'DELETE',
	path,
	params,
});
const changes = (params: Record<string, unknown>) => Object.keys(params).join(', ') || 'nothing';
const draft = (
	resource: string,
	operation: string,
	request: StripeWriteRequest,
	summary: string,
	amounts: Record<string, number> = {},
): WriteDraft => ({
	resource,
	operation,
	request,
	summary,
	amounts,
});

const CUSTOMER_FIELDS = ['name', 'email', 'phone', 'description', 'metadata'];
const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

export const WRITE_BUILDERS: Record<string, (input: Input, context: WriteContext) => WriteDraft> = {
	'customer.create': (input) => {
		email(input);
		const params = optional(input, CUSTOMER_FIELDS);
		if (!params.email && !params.name)
			throw new WriteInputError('Give the new customer at least a name or an email');
		return draft('customer', 'create', post('/v1/customers', params), 'Create a customer');
	},
	'customer.update': (input) => {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		email(input);
		const params = optional(input, CUSTOMER_FIELDS);
		if (Object.keys(params).length === 0)
			throw new WriteInputError('Choose at least one field to change');
		return draft(
			'customer',
			'update',
			post(`/v1/customers/${customer}`, params),
			`Update customer ${customer}: ${changes(params)}`,
		);
	},
	'customer.delete': (input) => {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		return draft(
			'customer',
			'delete',
			del(`/v1/customers/${customer}`),
			`Delete customer ${customer} (cancels their subscriptions)`,
		);
	},
	'product.create': (input) => {
		const name = requireText(input, 'name', 'Product name');
		const params = { name, ...optional(input, ['description', 'active', 'metadata']) };
		return draft('product', 'create', post('/v1/products', params), 'Create a product');
	},
	'product.update': (input) => {
		const product = id(input, 'productId', 'product', 'prod_');
		const params = optional(input, ['name', 'description', 'active', 'metadata']);
		if (Object.keys(params).length === 0)
			throw new WriteInputError('Choose at least one field to change');
		return draft(
			'product',
			'update',
			post(`/v1/products/${product}`, params),
			`Update product ${product}: ${changes(params)}`,
		);
	},
	'price.create': (input) => {
		const product = id(input, 'productId', 'product', 'prod_');
		check(currencyProblem(input.currency));
		check(amountProblem(input.unitAmount, 'Unit amount'));
		const currency = String(input.currency).toLowerCase();
		const unitAmount = input.unitAmount as number;
		const params: Record<string, unknown> = {
			product,
			currency,
			unit_amount: unitAmount,
			...optional(input, ['nickname', 'metadata']),
		};
		if (input.lookupKey) params.lookup_key = input.lookupKey;
		let every = '';
		if (input.interval) {
			if (!['day', 'week', 'month', 'year'].includes(asText(input.interval)))
				throw new WriteInputError('Interval must be day, week, month or year');
			const count = input.intervalCount === undefined ? 1 : Number(input.intervalCount);
			if (!Number.isInteger(count) || count < 1)
				throw new WriteInputError('Interval count must be a whole number of at least 1');
			params.recurring = { interval: input.interval, interval_count: count };
			every =
				count === 1
					? ` per ${asText(input.interval)}`
					: ` every ${count} ${asText(input.interval)}s`;
		}
		return draft(
			'price',
			'create',
			post('/v1/prices', params),
			`Create price ${formatAmount(unitAmount, currency)}${every} for product ${product}`,
		);
	},
	'price.update': (input) => {
		const price = id(input, 'priceId', 'price', 'price_');
		const params = optional(input, ['active', 'nickname', 'metadata']);
		if (input.lookupKey) params.lookup_key = input.lookupKey;
		if (Object.keys(params).length === 0)
			throw new WriteInputError('Choose at least one field to change');
		return draft(
			'price',
			'update',
			post(`/v1/prices/${price}`, params),
			`Update price ${price}: ${changes(params)}`,
		);
	},
	'subscription.update': (input) => {
		const subscription = id(input, 'subscriptionId', 'subscription', 'sub_');
		const params: Record<string, unknown> = optional(input, ['metadata', 'description']);
		if (typeof input.cancelAtPeriodEnd === 'boolean')
			params.cancel_at_period_end = input.cancelAtPeriodEnd;
		if (Object.keys(params).length === 0)
			throw new WriteInputError('Choose at least one field to change');
		const what =
			params.cancel_at_period_end === true
				? 'cancel at the end of the current period'
				: params.cancel_at_period_end === false
					? 'keep renewing'
					: changes(params);
		return draft(
			'subscription',
			'update',
			post(`/v1/subscriptions/${subscription}`, params),
			`Update subscription ${subscription}: ${what}`,
		);
	},
	'subscription.cancel': (input) => {
		const subscription = id(input, 'subscriptionId', 'subscription', 'sub_');
		const params: Record<string, unknown> = {};
		if (input.invoiceNow === true) params.invoice_now = true;
		if (input.prorate === true) params.prorate = true;
		return draft(
			'subscription',
			'cancel',
			del(`/v1/subscriptions/${subscription}`, params),
			`Cancel subscription ${subscription} now${params.prorate ? ', prorated' : ''}`,
		);
	},
	'invoice.create': (input) => {
		const customer = id(input, 'customerId', 'customer', 'cus_');
		// Stripe's default is to leave pending invoice items out; this operation promises to collect them.
		const params: Record<string, unknown> = {
			customer,
			pending_invoice_items_behavior: 'include',
			...optional(input, ['description', 'metadata']),
		};
		if (input.collectionMethod === 'send_invoice') {
			const days = input.daysUntilDue === undefined ? 30 : Number(input.daysUntilDue);
			if (!Number.isInteger(days) || days < 1)
				throw new WriteInputError('Days until due must be a whole number of at least 1');
			Object.assign(params, { collection_method: 'send_invoice', days_until_due: days });
		}
		return draft(
			'invoice',
			'create',
			post('/v1/invoices', params),
			`Create a draft invoice for customer ${customer}`,
		);
	},
	'invoice.finalize': (input) => {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return draft(
			'invoice',
			'finalize',
			post(`/v1/invoices/${invoice}/finalize`, {}),
			`Finalize invoice ${invoice} (it can then be paid and no longer edited)`,
		);
	},
	'invoice.send': (input) => {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return draft(
			'invoice',
			'send',
			post(`/v1/invoices/${invoice}/send`, {}),
			`Email invoice ${invoice} to the customer`,
		);
	},
	'invoice.void': (input) => {
		const invoice = id(input, 'invoiceId', 'invoice', 'in_');
		return draft(
			'invoice',
			'void',
			post(`/v1/invoices/${invoice}/void`, {}),
			`Void invoice ${invoice} (cannot be undone)`,
		);
	},
	'paymentIntent.cancel': (input) => {
		const paymentIntent = id(input, 'paymentIntentId', 'payment intent', 'pi_');
		const params: Record<string, unknown> = {};
		if (input.cancellationReason) {
			const reasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
			if (!reasons.includes(asText(input.cancellationReason)))
				throw new WriteInputError(`Cancellation reason must be one of ${reasons.join(', ')}`);
			params.cancellation_reason = input.cancellationReason;
		}
		return draft(
			'paymentIntent',
			'cancel',
			post(`/v1/payment_intents/${paymentIntent}/cancel`, params),
			`Cancel payment intent ${paymentIntent}`,
		);
	},
	'refund.create': (input, context) => {
		const charge = id(input, 'chargeId', 'charge', 'ch_');
		const known = context.charge;
		if (!known || known.id !== charge)
			throw new WriteInputError(`Charge ${charge} must be read before a refund of it is proposed`);
		const remaining = known.amount - known.amount_refunded;
		let amount = remaining;
		if (input.amount !== undefined && input.amount !== null && input.amount !== '') {
			check(amountProblem(input.amount));
			amount = input.amount as number;
		}
		// The amount is always sent: without it Stripe refunds whatever is left at execution time,
		// which can be more than the person approved (an earlier refund fails, a dispute is won).
		const params: Record<string, unknown> = { charge, amount };
		if (amount > remaining) {
			throw new WriteInputError(
				`Charge ${charge} has ${formatAmount(remaining, known.currency)} left to refund; ${formatAmount(amount, known.currency)} is more`,
			);
		}
		if (remaining <= 0) throw new WriteInputError(`Charge ${charge} is already fully refunded`);
		if (input.reason) {
			if (!REFUND_REASONS.includes(asText(input.reason)))
				throw new WriteInputError(`Reason must be one of ${REFUND_REASONS.join(', ')}`);
			params.reason = input.reason;
		}
		Object.assign(params, optional(input, ['metadata']));
		const why = params.reason ? ` — reason: ${asText(params.reason)}` : '';
		return draft(
			'refund',
			'create',
			post('/v1/refunds', params),
			`Refund ${formatAmount(amount, known.currency)} of charge ${charge}${why}`,
			{
				[known.currency]: amount,
			},
		);
	},
	'checkoutSession.create': (input, context) => {
		const mode = asText(input.mode ?? 'payment');
		if (!['payment', 'subscription'].includes(mode))
			throw new WriteInputError('Mode must be payment or subscription');
		const successUrl = requireText(input, 'successUrl', 'Success URL');
		if (!/^https?:\/\//.test(successUrl))
			throw new WriteInputError(
				'Success URL must start with https:// (or http:// for local tests)',
			);
		const lines = Array.isArray(input.lineItems) ? (input.lineItems as Input[]) : [];
		if (lines.length === 0)
			throw new WriteInputError('Add at least one line item (a price ID and a quantity)');
		const totals: Record<string, number> = {};
		const lineItems = lines.map((line) => {
			const price = id(line, 'price', 'price', 'price_');
			const quantity = line.quantity === undefined ? 1 : Number(line.quantity);
			if (!Number.isInteger(quantity) || quantity < 1)
				throw new WriteInputError(`Quantity of ${price} must be a whole number of at least 1`);
			const known = context.prices?.[price];
			if (!known)
				throw new WriteInputError(
					`Price ${price} must be read before a checkout session with it is proposed`,
				);
			const amount = amountForQuantity(known, quantity);
			if (amount === undefined) {
				throw new WriteInputError(
					`Price ${price} has no amount that can be known in advance (customer-chosen or metered), so the approver could not see what the checkout charges: use a price with a fixed or tiered amount`,
				);
			}
			totals[known.currency] = (totals[known.currency] ?? 0) + amount;
			return { price, quantity };
		});
		const params: Record<string, unknown> = {
			mode,
			success_url: successUrl,
			line_items: lineItems,
			...optional(input, ['metadata']),
		};
		if (input.cancelUrl) params.cancel_url = input.cancelUrl;
		if (input.customerId) params.customer = id(input, 'customerId', 'customer', 'cus_');
		const total = Object.entries(totals)
			.map(([c, a]) => formatAmount(a, c))
			.join(' + ');
		return draft(
			'checkoutSession',
			'create',
			post('/v1/checkout/sessions', params),
			`Create a ${mode} checkout link for ${lineItems.length} item(s)${total ? ` totalling ${total}` : ''}`,
			totals,
		);
	},
	'checkoutSession.expire': (input) => {
		const session = id(input, 'checkoutSessionId', 'checkout session', 'cs_');
		return draft(
			'checkoutSession',
			'expire',
			post(`/v1/checkout/sessions/${session}/expire`, {}),
			`Expire checkout session ${session} (its payment link stops working)`,
		);
	},
};

/** The resource.operation pairs the approval node may execute. */
export const EXECUTABLE_WRITES = new Set(Object.keys(WRITE_BUILDERS));
