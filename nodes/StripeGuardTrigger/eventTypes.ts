import type { INodePropertyOptions } from 'n8n-workflow';

/** Matches every event type; Stripe's own wildcard spelling. */
export const ALL_EVENTS = '*';

/**
 * The Stripe event types people automate most, in Stripe's own
 * names (searchable in the dropdown), each with what it means.
 */
const EVENT_TYPES: Record<string, string> = {
	'customer.created': 'A customer was created',
	'customer.updated': "A customer's details changed",
	'customer.deleted': 'A customer was deleted',
	'customer.subscription.created': 'A customer started a subscription',
	'customer.subscription.updated':
		'A subscription changed (plan, quantity, status, cancellation at period end)',
	'customer.subscription.deleted':
		'A subscription ended (canceled now or at the end of its period)',
	'customer.subscription.trial_will_end': 'A trial ends in three days',
	'customer.subscription.paused': 'A subscription was paused',
	'customer.subscription.resumed': 'A paused subscription was resumed',
	'invoice.created': 'An invoice was created (a draft, usually finalized about an hour later)',
	'invoice.finalized': 'A draft invoice was finalized and can be paid',
	'invoice.paid': 'An invoice was paid (or marked paid)',
	'invoice.payment_failed': 'A payment attempt on an invoice failed',
	'invoice.payment_succeeded': 'A payment attempt on an invoice succeeded',
	'invoice.upcoming': 'A subscription will invoice soon (days before renewal)',
	'invoice.voided': 'An invoice was voided',
	'invoice.marked_uncollectible': 'An invoice was marked uncollectible',
	'invoice.sent': 'An invoice was emailed to the customer',
	'payment_intent.created': 'A payment was started',
	'payment_intent.succeeded': 'A payment succeeded',
	'payment_intent.payment_failed': 'A payment attempt failed',
	'payment_intent.canceled': 'A payment was canceled',
	'charge.succeeded': 'A charge succeeded',
	'charge.failed': 'A charge failed',
	'charge.refunded': 'A charge was refunded, in full or in part',
	'charge.captured': 'An authorized charge was captured',
	'charge.dispute.created': 'A customer disputed a charge (a chargeback)',
	'charge.dispute.closed': 'A dispute was closed (won, lost or accepted)',
	'refund.created': 'A refund was created',
	'refund.updated': "A refund's status or details changed",
	'refund.failed': 'A refund failed',
	'checkout.session.completed': 'A customer completed a checkout',
	'checkout.session.expired': 'A checkout link expired unpaid',
	'checkout.session.async_payment_succeeded':
		'A delayed checkout payment (e.g. bank debit) succeeded',
	'checkout.session.async_payment_failed': 'A delayed checkout payment (e.g. bank debit) failed',
	'payout.created': 'A payout to your bank was created',
	'payout.paid': 'A payout is expected in your bank account',
	'payout.failed': 'A payout failed',
	'payout.canceled': 'A payout was canceled',
	'product.created': 'A product was created',
	'product.updated': "A product's details changed",
	'product.deleted': 'A product was deleted',
	'price.created': 'A price was created',
	'price.updated': "A price's details changed (active, nickname, lookup key)",
	'price.deleted': 'A price was deleted',
};

export const EVENT_TYPE_OPTIONS: INodePropertyOptions[] = [
	{
		name: 'All Events',
		value: ALL_EVENTS,
		description: 'Every event in the account, including types not listed here',
	},
	...Object.entries(EVENT_TYPES).map(([type, description]) => ({
		name: type,
		value: type,
		description,
	})),
];
