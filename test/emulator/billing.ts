/**
 * Invoices of a subscription as Stripe bills them at API 2026-10-28, for tests of history read
 * from invoices: each line names its subscription item under `parent.subscription_item_details`,
 * its price under `pricing.price_details`, and the service period it bills; a change made with
 * proration leaves a credit for the item as it was and a debit for it as it became, both from the
 * second of the change (the credit names the line it credits in `proration_details`).
 * Only the fields Stripe defines (test/emulator/contract checks them); the rest is the example
 * invoice's.
 */
import { subscriptionParent } from './catalog';
import { template } from './fixtures';
import type { StripeObject } from './types';

export interface BilledLineSpec {
	item: string;
	price: { id: string; product?: unknown; unit_amount?: unknown };
	quantity: number;
	start: number;
	end: number;
	/** The amount billed (minor units): negative for a credit. */
	amount: number;
	proration?: 'credit' | 'debit';
	/** Line-level discounts billed, by ID, with their amounts. */
	discounts?: Array<{ id: string; amount: number }>;
}

export interface InvoiceSpec {
	subscription: string;
	customer: string;
	currency: string;
	created: number;
	status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
	billingReason?: string;
	lines: BilledLineSpec[];
	/** The invoice's own discounts (a subscription's), by ID. */
	discounts?: string[];
	markedUncollectibleAt?: number | null;
	paidAt?: number | null;
}

let seq = 0;

/** Fields for `emulator.create('invoice', mode, …)`: a subscription's invoice with its lines. */
export function subscriptionInvoice(spec: InvoiceSpec): Record<string, unknown> {
	const id = `in_billed${String(++seq).padStart(6, '0')}`;
	const status = spec.status ?? 'paid';
	const lines = spec.lines.map((l, n) => {
		const line: StripeObject = {
			...template('line_item'),
			id: `il_billed${String(seq)}_${n}`,
			invoice: id,
			amount: l.amount,
			subtotal: l.amount,
			currency: spec.currency,
			description: `${l.quantity} × ${l.price.id}`,
			quantity: l.quantity,
			period: { start: l.start, end: l.end },
			discounts: (l.discounts ?? []).map((d) => d.id),
			discount_amounts: (l.discounts ?? []).map((d) => ({ amount: d.amount, discount: d.id })),
			parent: {
				type: 'subscription_item_details',
				invoice_item_details: null,
				subscription_item_details: {
					invoice_item: null,
					proration: l.proration !== undefined,
					proration_details:
						l.proration === 'credit'
							? { credited_items: { invoice: id, invoice_line_items: [] } }
							: { credited_items: null },
					subscription: spec.subscription,
					subscription_item: l.item,
				},
			},
			pricing: {
				type: 'price_details',
				price_details: { price: l.price.id, product: String(l.price.product ?? 'prod_x') },
				unit_amount_decimal: String(l.price.unit_amount ?? 0),
			},
		};
		return line;
	});
	const total = spec.lines.reduce((sum, l) => sum + l.amount, 0);
	const paid = status === 'paid';
	return {
		id,
		customer: spec.customer,
		parent: subscriptionParent(spec.subscription),
		currency: spec.currency,
		created: spec.created,
		status,
		billing_reason: spec.billingReason ?? 'subscription_cycle',
		period_start: spec.created,
		period_end: spec.created,
		total,
		subtotal: total,
		amount_due: total,
		amount_paid: paid ? total : 0,
		amount_remaining: paid ? 0 : total,
		discounts: spec.discounts ?? [],
		status_transitions: {
			finalized_at: status === 'draft' ? null : spec.created,
			marked_uncollectible_at: spec.markedUncollectibleAt ?? null,
			paid_at: paid ? (spec.paidAt ?? spec.created) : null,
			voided_at: null,
		},
		lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
	};
}
