import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import { amountText, joined } from '../framework/lookup';
import { defineReadResource } from '../framework/read-resource';

/** "20% off forever", "$10.00 off once", "50% off for 3 months". */
function describeDiscount(c: IDataObject): string {
	const off =
		typeof c.percent_off === 'number'
			? `${c.percent_off}% off`
			: `${amountText(c.amount_off, c.currency) ?? 'an amount'} off`;
	const duration =
		c.duration === 'repeating' ? `for ${String(c.duration_in_months)} months` : c.duration;
	return typeof duration === 'string' ? `${off} ${duration}` : off;
}

export const coupon = defineReadResource({
	value: 'coupon',
	name: 'Coupon',
	label: 'coupon',
	plural: 'coupons',
	// A coupon's ID is the code it was given (SUMMER25), or one Stripe made up: no prefix.
	idPrefix: '',
	path: '/v1/coupons',
	dashboard: 'coupons',
	permission: 'rak_coupon_read',
	// Stripe has no search of coupons: From List filters the list by name and code.
	lookup: {
		describe: (c) =>
			joined(c.name, describeDiscount(c), c.valid === false ? 'no longer redeemable' : ''),
	},
	listHint: 'Coupons are the discounts that subscriptions, invoices and checkouts apply. ',
	filters: [
		{
			name: 'created',
			displayName: 'Created',
			kind: 'dateRange',
			description: 'When the coupon was created',
		},
	],
	// Stripe sends these only when asked for.
	expand: ['applies_to', 'currency_options'],
	dates: ['redeem_by', 'created'],
	simplify: (c: IDataObject) => ({
		id: c.id,
		name: c.name,
		percent_off: c.percent_off,
		// Kept as null on a percent-off coupon, which has no currency to format it in.
		amount_off: c.amount_off,
		...money('amount_off', c.amount_off, c.currency),
		currency: c.currency,
		duration: c.duration,
		duration_in_months: c.duration_in_months,
		max_redemptions: c.max_redemptions,
		times_redeemed: c.times_redeemed,
		redeem_by: c.redeem_by,
		valid: c.valid,
		created: c.created,
		metadata: c.metadata,
	}),
});
