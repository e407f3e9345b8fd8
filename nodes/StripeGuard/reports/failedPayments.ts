/**
 * Failed payments in a period: how many, how much, why (decline codes), and who, with the invoice
 * each one was for, so a follow-up workflow can write to the customer.
 */
import type { IDataObject } from 'n8n-workflow';

import { money } from '../../shared/amounts';
import type { OperationContext } from '../framework/operation';
import { redactionOf } from '../framework/read-resource';
import { PAGE_SIZE } from '../framework/pagination';
import type { Charge } from '../../shared/transport';
import { describePeriod, periodDays, readPeriod } from './report-period';
import { CurrencySums } from './sums';
import { withTable, type Table } from './table';

const idOf = (v: string | { id: string } | null | undefined) =>
	v == null ? null : typeof v === 'string' ? v : v.id;

/** The most specific reason Stripe gives: the issuer's decline code, else the failure code. */
const declineCode = (c: Charge) => c.outcome?.reason ?? c.failure_code ?? 'unknown';

/** Decline codes with their counts, as the table's note lists them: "expired_card (3), …". */
const countedCodes = (codes: IDataObject[]) =>
	codes.map((d) => `${String(d.code)} (${String(d.count)})`).join(', ');

export async function failedPaymentsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const listLimit = ctx.fn.getNodeParameter('listLimit', ctx.itemIndex, 100) as number;
	const withInvoices = ctx.fn.getNodeParameter('includeInvoices', ctx.itemIndex, true) as boolean;
	const sums = new CurrencySums(['failed', 'amount'] as const);
	const codes = new Map<string, number>();
	const payments: IDataObject[] = [];
	let count = 0;

	// Charges have no status filter in Stripe's list; the period bounds the pages read.
	const list = ctx.stripe.charges.list({
		limit: PAGE_SIZE,
		created: { gte: period.start, lt: period.end },
	});
	const redaction = redactionOf(ctx);
	for await (const charge of list as AsyncIterable<Charge>) {
		// A row is made of the charge's fields as redaction leaves them.
		const c =
			charge.status === 'failed' ? ctx.redactor.redact(charge, 'charge', redaction) : charge;
		if (c.status !== 'failed') continue;
		count++;
		sums.add(c.currency, 'failed', 1);
		sums.add(c.currency, 'amount', c.amount);
		const code = declineCode(c);
		codes.set(code, (codes.get(code) ?? 0) + 1);
		if (payments.length >= listLimit) continue;
		payments.push({
			charge: c.id,
			payment_intent: idOf(c.payment_intent),
			customer: idOf(c.customer),
			email: c.billing_details?.email ?? c.receipt_email ?? null,
			customer_name: c.billing_details?.name ?? null,
			...money('amount', c.amount, c.currency),
			currency: c.currency,
			decline_code: code,
			failure_code: c.failure_code,
			failure_message: c.failure_message,
			created: new Date(c.created * 1000).toISOString(),
			invoice: null,
		});
	}
	// Since API version 2025-03-31 a payment finds its invoice through invoice payments.
	if (withInvoices) {
		for (const p of payments) {
			if (!p.payment_intent) continue;
			const found = await ctx.stripe.invoicePayments.list({
				payment: { type: 'payment_intent', payment_intent: p.payment_intent as string },
				limit: 1,
			});
			p.invoice = idOf(found.data[0]?.invoice);
		}
	}
	const report: IDataObject = {
		report: 'failedPayments',
		...describePeriod(period),
		failed_payments: count,
		by_currency: sums.toJson(['failed']),
		top_decline_codes: [...codes]
			.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
			.slice(0, 5)
			.map(([code, n]) => ({ code, count: n })),
		payments,
		listed: payments.length,
	};
	const byCurrency = report.by_currency as Record<string, IDataObject>;
	return withTable(
		ctx,
		report,
		(): Table => ({
			title: `Failed payments ${periodDays(period)}: ${count}`,
			columns: ['Currency', 'Failed', 'Amount'],
			rows: Object.keys(byCurrency).map((c) => [
				c.toUpperCase(),
				byCurrency[c].failed as number,
				byCurrency[c].amount_formatted as string,
			]),
			notes: codes.size
				? [`Top decline codes: ${countedCodes(report.top_decline_codes as IDataObject[])}`]
				: [],
		}),
	);
}
