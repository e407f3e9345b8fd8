/**
 * What makes a proposal judgeable, read from Stripe when the approver is asked and again when
 * the page opens: for a refund the charge (amount, already refunded, date, customer), for a
 * checkout session its prices. Shown only to the approver, never returned to a model. A read
 * that fails says so; it never blocks the decision.
 */
import type { IDataObject } from 'n8n-workflow';
import { formatAmount } from '../shared/amounts';
import type { Proposal } from '../shared/proposals/proposals';
import type { ReviewLine } from '../shared/proposals/review';
import type { StripeClient } from '../shared/transport';

const date = (unix: unknown) =>
	typeof unix === 'number'
		? `${new Date(unix * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`
		: 'unknown';

function person(customer: unknown, fallback: { name?: unknown; email?: unknown } = {}): string {
	const c = customer && typeof customer === 'object' ? (customer as IDataObject) : {};
	const name = c.name ?? fallback.name;
	const email = c.email ?? fallback.email;
	return [name, email ? `<${String(email)}>` : ''].filter(Boolean).join(' ') || 'unknown';
}

async function refundContext(stripe: StripeClient, params: IDataObject): Promise<ReviewLine[]> {
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
}

async function checkoutContext(stripe: StripeClient, params: IDataObject): Promise<ReviewLine[]> {
	const lines: ReviewLine[] = [];
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
		lines.push({
			label: `Price ${String(item.price)}`,
			value: `${[product, price.nickname].filter(Boolean).join(' — ')}: ${unit}${recurring ? ` per ${String(recurring.interval)}` : ''}`,
		});
	}
	if (typeof params.customer === 'string') {
		lines.push({
			label: 'Customer',
			value: person(await stripe.customers.retrieve(params.customer)),
		});
	}
	return lines;
}

const READERS: Record<
	string,
	(stripe: StripeClient, params: IDataObject) => Promise<ReviewLine[]>
> = {
	'refund.create': refundContext,
	'checkoutSession.create': checkoutContext,
};

export async function readContext(stripe: StripeClient, proposal: Proposal): Promise<ReviewLine[]> {
	const reader = READERS[`${proposal.resource}.${proposal.operation}`];
	if (!reader) return [];
	try {
		return await reader(stripe, proposal.request.params as IDataObject);
	} catch (error) {
		return [
			{
				label: 'Context',
				value: `could not be read from Stripe (${(error as Error).message.slice(0, 200)})`,
			},
		];
	}
}
