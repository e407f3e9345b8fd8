import type { INodePropertyOptions } from 'n8n-workflow';

/** Matches every event type; Stripe's own wildcard spelling. */
export const ALL_EVENTS = '*';

/** The Stripe event types people automate most, in Stripe's own names (searchable in the dropdown). */
const EVENT_TYPES = [
	'customer.created',
	'customer.updated',
	'customer.deleted',
	'customer.subscription.created',
	'customer.subscription.updated',
	'customer.subscription.deleted',
	'customer.subscription.trial_will_end',
	'customer.subscription.paused',
	'customer.subscription.resumed',
	'invoice.created',
	'invoice.finalized',
	'invoice.paid',
	'invoice.payment_failed',
	'invoice.payment_succeeded',
	'invoice.upcoming',
	'invoice.voided',
	'invoice.marked_uncollectible',
	'invoice.sent',
	'payment_intent.created',
	'payment_intent.succeeded',
	'payment_intent.payment_failed',
	'payment_intent.canceled',
	'charge.succeeded',
	'charge.failed',
	'charge.refunded',
	'charge.captured',
	'charge.dispute.created',
	'charge.dispute.closed',
	'refund.created',
	'refund.updated',
	'refund.failed',
	'checkout.session.completed',
	'checkout.session.expired',
	'checkout.session.async_payment_succeeded',
	'checkout.session.async_payment_failed',
	'payout.created',
	'payout.paid',
	'payout.failed',
	'payout.canceled',
	'product.created',
	'product.updated',
	'product.deleted',
	'price.created',
	'price.updated',
	'price.deleted',
];

export const EVENT_TYPE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'All Events', value: ALL_EVENTS, description: 'Every event in the account, including types not listed here' },
	...EVENT_TYPES.map((type) => ({ name: type, value: type })),
];
