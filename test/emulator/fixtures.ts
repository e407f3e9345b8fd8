/** Stripe's own example objects, the templates every emulated object starts from. */
import fixtures from './data/fixtures3.json';
import type { ObjectType, StripeObject } from './types';

const RESOURCE_KEYS: Record<ObjectType, string> = {
	customer: 'customer',
	product: 'product',
	price: 'price',
	subscription: 'subscription',
	invoice: 'invoice',
	invoiceitem: 'invoiceitem',
	line_item: 'line_item',
	payment_intent: 'payment_intent',
	charge: 'charge',
	refund: 'refund',
	balance_transaction: 'balance_transaction',
	payout: 'payout',
	checkout_session: 'checkout.session',
	event: 'event',
	dispute: 'dispute',
	coupon: 'coupon',
	discount: 'discount',
	invoice_payment: 'invoice_payment',
};

const resources = (fixtures as unknown as { resources: Record<string, StripeObject> }).resources;

/** A fresh deep copy of Stripe's example object of this type. */
export function template(type: ObjectType | 'account' | 'balance' | 'item' | 'subscription_item'): StripeObject {
	const key = (RESOURCE_KEYS as Record<string, string>)[type] ?? type;
	return structuredClone(resources[key]);
}
