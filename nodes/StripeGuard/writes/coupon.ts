/** Coupon writes: update (name, metadata). Stripe fixes a coupon's terms; it moves no money. */
import { idField } from '../framework/fields';
import { defineWrite } from './define';
import { metadataField, fieldCollection, textField } from './fields';
import { changes, id, optional, post, PROBE_ID, someChange } from './inputs';

export const couponUpdate = defineWrite({
	resource: 'coupon',
	operation: 'update',
	name: 'Update',
	action: 'Update a coupon',
	description:
		"Propose changes to a coupon's name (shown to customers on invoices and receipts) " +
		'or metadata; Stripe does not allow changing its discount.',
	permission: 'rak_coupon_write',
	properties: [
		idField('couponId', 'coupon', ''),
		fieldCollection('updateFields', [
			textField('name', 'Name', 'Shown to customers on invoices and receipts'),
			metadataField,
		]),
	],
	build(input) {
		const coupon = id(input, 'couponId', 'coupon', '');
		// Stripe's maxLength for a coupon's name.
		const params = optional(input, { name: 40, metadata: 'metadata' });
		someChange(params);
		return {
			// A coupon ID is chosen by a person and may hold a hyphen: encoded as a path segment.
			request: post(`/v1/coupons/${encodeURIComponent(coupon)}`, params),
			summary: `Update coupon ${coupon}: ${changes(params)}`,
		};
	},
	review: { labels: {} },
	money: { kind: 'none' },
	// Coupon IDs are chosen by people: the probe's cannot be one (it holds no allowed word).
	probe: `/v1/coupons/${PROBE_ID}`,
	example: { input: { couponId: 'SUMMER25', name: 'Summer sale' }, context: {} },
});

export const couponWrites = [couponUpdate] as const;
