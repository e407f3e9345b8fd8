/** Refund writes: create. The charge is read first, so the proposal states the exact amount. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import { isStripeId } from '../../shared/ids';
import { idField } from '../framework/fields';
import { FROM_V2, ONLY_V1 } from '../framework/node-version';
import { date, person } from './context';
import { defineWrite, WriteInputError } from './define';
import { fieldCollection, metadataField, optionValues } from './fields';
import { check, choice, id, optional, post } from './inputs';
import { amountProblem, asText } from './validation';

/** What a refund's proposal is built from: the charge as read when proposing. */
export interface RefundContext {
	charge: {
		id: string;
		amount: number;
		amount_refunded: number;
		currency: string;
		status?: string;
	};
}

/** Version 1 keeps the amount under Additional Fields. */
const amountOption: INodeProperties = {
	displayName: 'Amount',
	name: 'amount',
	type: 'number',
	default: 0,
	description:
		"Part of the charge to refund, in the currency's smallest unit (1200 is $12.00 but ¥1,200). " +
		'Leave out to refund what is left of the charge when proposing: ' +
		'that amount is fixed in the proposal and sent as such.',
};

const refundOptions: INodeProperties[] = [
	metadataField,
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'options',
		options: [
			{ name: 'Duplicate', value: 'duplicate' },
			{ name: 'Fraudulent', value: 'fraudulent' },
			{ name: 'Requested by Customer', value: 'requested_by_customer' },
		],
		default: 'requested_by_customer',
	},
];
/** The reasons Stripe takes (a test holds them against Stripe's definitions). */
const REASONS = optionValues(refundOptions[1]);

export const refundCreate = defineWrite({
	resource: 'refund',
	operation: 'create',
	name: 'Create',
	action: 'Refund a charge',
	description:
		'Propose refunding a charge in full or in part. ' +
		'The charge is read first so that the proposal states the exact amount and currency; ' +
		'the approver also sees the charge and its customer.',
	permission: 'rak_refund_write',
	properties: [
		idField('chargeId', 'charge', 'ch_'),
		// From version 2 the amount that moves money is a field of its own, its unit in plain sight.
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: null,
			displayOptions: FROM_V2,
			placeholder: 'Empty: all that is left of the charge',
			hint:
				"In the currency's smallest unit: 1200 is $12.00 but ¥1,200. " +
				'Empty refunds all that is left of the charge.',
			description:
				'Part of the charge to refund. ' +
				'Empty refunds what is left of the charge when proposing: ' +
				'that amount is fixed in the proposal and sent as such.',
		},
		{
			...fieldCollection('additionalFields', [amountOption, ...refundOptions]),
			displayOptions: ONLY_V1,
		},
		{ ...fieldCollection('additionalFields', refundOptions), displayOptions: FROM_V2 },
	],
	async readContext(ctx, input): Promise<Partial<RefundContext>> {
		// Only a well-formed ID is read; the builder refuses anything else in words.
		if (!isStripeId(input.chargeId, 'ch_')) return {};
		const charge = await ctx.stripe.charges.retrieve(input.chargeId as string);
		return {
			charge: {
				id: charge.id,
				amount: charge.amount,
				amount_refunded: charge.amount_refunded,
				currency: charge.currency,
				status: charge.status,
			},
		};
	},
	build(input, context) {
		const charge = id(input, 'chargeId', 'charge', 'ch_');
		const known = context.charge;
		if (!known || known.id !== charge)
			throw new WriteInputError(`Charge ${charge} must be read before a refund of it is proposed`);
		// Stripe refunds a payment after it succeeds; a failed or pending one would only fail later,
		// after a person approved it.
		if (known.status && known.status !== 'succeeded')
			throw new WriteInputError(
				`Charge ${charge} is ${known.status}: only a succeeded charge can be refunded`,
			);
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
				`Charge ${charge} has ${formatAmount(remaining, known.currency)} left to refund; ` +
					`${formatAmount(amount, known.currency)} is more`,
			);
		}
		if (remaining <= 0) throw new WriteInputError(`Charge ${charge} is already fully refunded`);
		const reason = choice(input, 'reason', 'Reason', REASONS);
		if (reason) params.reason = reason;
		Object.assign(params, optional(input, { metadata: 'metadata' }));
		const why = params.reason ? ` — reason: ${asText(params.reason)}` : '';
		return {
			request: post('/v1/refunds', params),
			summary: `Refund ${formatAmount(amount, known.currency)} of charge ${charge}${why}`,
			amounts: { [known.currency]: amount },
		};
	},
	review: {
		labels: { amount: 'Amount', charge: 'Charge', reason: 'Reason' },
		amountParams: ['amount'],
		// The charge as it is now: amount, already refunded, date, customer.
		async context(stripe, { params }) {
			const charge = (await stripe.charges.retrieve(String(params.charge), {
				expand: ['customer'],
			})) as unknown as IDataObject;
			const currency = String(charge.currency);
			const billing = (charge.billing_details ?? {}) as IDataObject;
			return [
				{ label: 'Charge amount', value: formatAmount(Number(charge.amount), currency) },
				{
					label: 'Already refunded',
					value: formatAmount(Number(charge.amount_refunded ?? 0), currency),
				},
				{ label: 'Charged on', value: date(charge.created) },
				{
					label: 'Customer',
					value: person(charge.customer, {
						name: billing.name,
						email: billing.email ?? charge.receipt_email,
					}),
				},
				...(charge.description
					? [{ label: 'Charge description', value: String(charge.description) }]
					: []),
			];
		},
	},
	money: {
		kind: 'stated',
		// Refunds of one charge together refund at most what is left of it: each states its own
		// amount, proposed when all of it was left.
		drawsOn: {
			of: (request) => String(request.params.charge),
			async left(stripe, request) {
				const charge = await stripe.charges.retrieve(String(request.params.charge));
				return {
					currency: charge.currency,
					amount: Math.max(0, charge.amount - charge.amount_refunded),
				};
			},
		},
	},
	// Names no charge, so it is incomplete as well as carrying the refused parameter.
	probe: '/v1/refunds',
	example: {
		input: { chargeId: 'ch_Example1', amount: 500, reason: 'requested_by_customer' },
		context: { charge: { id: 'ch_Example1', amount: 2000, amount_refunded: 0, currency: 'usd' } },
	},
});

export const refundWrites = [refundCreate] as const;
