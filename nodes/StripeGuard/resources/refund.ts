import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { isStripeId } from '../../shared/ids';
import { idField } from '../framework/fields';
import { FROM_V2, ONLY_V1 } from '../framework/node-version';
import { defineReadResource } from '../framework/read-resource';
import { defineWriteOperation, fieldCollection, metadataField } from '../framework/write-operation';

/** Version 1 keeps the amount under Additional Fields. */
const amountOption: INodeProperties = {
	displayName: 'Amount',
	name: 'amount',
	type: 'number',
	default: 0,
	description:
		"Part of the charge to refund, in the currency's smallest unit (1200 is $12.00 but ¥1,200). Leave out to refund what is left of the charge when proposing: that amount is fixed in the proposal and sent as such.",
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

const refundWrites = [
	defineWriteOperation({
		resource: 'refund',
		operation: 'create',
		name: 'Create',
		action: 'Propose refunding a charge',
		description:
			'Propose refunding a charge in full or in part. The charge is read first so that the proposal states the exact amount and currency; the approver also sees the charge and its customer.',
		permission: 'Refunds: Write (rak_refund_write)',
		properties: [
			idField('chargeId', 'charge', 'ch_'),
			// From version 2 the amount that moves money is a field of its own, its unit said in plain sight.
			{
				displayName: 'Amount',
				name: 'amount',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: null,
				displayOptions: FROM_V2,
				placeholder: 'Empty: all that is left of the charge',
				hint: "In the currency's smallest unit: 1200 is $12.00 but ¥1,200. Empty refunds all that is left of the charge.",
				description:
					'Part of the charge to refund. Empty refunds what is left of the charge when proposing: that amount is fixed in the proposal and sent as such.',
			},
			{
				...fieldCollection('additionalFields', [amountOption, ...refundOptions]),
				displayOptions: ONLY_V1,
			},
			{ ...fieldCollection('additionalFields', refundOptions), displayOptions: FROM_V2 },
		],
		async readContext(ctx, input) {
			// Only a well-formed ID is read; the request builder refuses anything else in words.
			if (!isStripeId(input.chargeId, 'ch_')) return {};
			const charge = await ctx.stripe.charges.retrieve(input.chargeId as string);
			return {
				charge: {
					id: charge.id,
					amount: charge.amount,
					amount_refunded: charge.amount_refunded,
					currency: charge.currency,
				},
			};
		},
	}),
];

export const refund = defineReadResource(
	{
		value: 'refund',
		name: 'Refund',
		label: 'refund',
		plural: 'refunds',
		idPrefix: 're_',
		permission: 'Charges: Read (rak_charge_read)',
		api: (stripe) => stripe.refunds,
		filters: [
			{
				name: 'charge',
				displayName: 'Charge ID',
				kind: 'id',
				idPrefix: 'ch_',
				description: 'Only refunds of this charge',
			},
			{
				name: 'payment_intent',
				displayName: 'Payment Intent ID',
				kind: 'id',
				idPrefix: 'pi_',
				description: 'Only refunds of this payment intent',
			},
			{
				name: 'created',
				displayName: 'Created',
				kind: 'dateRange',
				description: 'When the refund was created',
			},
		],
		expand: ['charge', 'payment_intent', 'balance_transaction'],
		dates: ['created'],
		simplify: (r: IDataObject) => ({
			id: r.id,
			...money('amount', r.amount, r.currency),
			currency: r.currency,
			status: r.status,
			reason: r.reason,
			charge: r.charge,
			payment_intent: r.payment_intent,
			created: r.created,
			metadata: r.metadata,
		}),
	},
	refundWrites,
);
