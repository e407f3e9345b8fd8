/**
 * Reports: one item of metrics per distinct set of settings (not per input item), computed by
 * streaming Stripe's lists page by page. The figures live in ../reports/, one file per report; this
 * file is their fields.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type {
	OperationContext,
	OperationDefinition,
	ResourceDefinition,
} from '../framework/operation';
import { redactFields } from '../framework/read-resource';
import { definitionFields, periodFields, tableField, timeZoneField } from '../reports/common';
import { cohortFields, cohortsReport } from '../reports/cohorts';
import { failedPaymentsReport } from '../reports/failedPayments';
import { mrrReport } from '../reports/mrr';
import { payoutsReport } from '../reports/payouts';
import { revenueReport } from '../reports/revenue';
import { subscriptionMetricsReport } from '../reports/subscription-metrics';
import { subscriptionMovementsReport } from '../reports/subscriptionMovements';

const periodic = [...periodFields, timeZoneField];

const onceNotice: INodeProperties = {
	displayName:
		'Runs once per execution: input items with the same settings get one report, not one each. ' +
		'Map a field to the input (an expression) to get a report per distinct value.',
	name: 'reportOnceNotice',
	type: 'notice',
	default: '',
};

function report(
	value: string,
	name: string,
	action: string,
	description: string,
	properties: INodeProperties[],
	run: (ctx: OperationContext) => Promise<IDataObject>,
): OperationDefinition {
	return {
		value,
		name,
		action,
		description,
		properties: [onceNotice, ...properties, tableField],
		execute: run,
		oncePerExecution: true,
		readsLongLists: true,
	};
}

export const reportResource: ResourceDefinition = {
	value: 'report',
	name: 'Report',
	operations: [
		report(
			'mrr',
			'MRR',
			'Monthly recurring revenue',
			"Monthly recurring revenue now, per currency, by Stripe's definition: " +
				'subscriptions that are active or past due (not trialing, unpaid or paused), ' +
				"each item normalised to a month on its own interval and priced by Stripe's rules " +
				'(quantity packs, volume and graduated tiers), without tax, ' +
				'forever discounts applied (repeating and one-time ones on request), ' +
				'a scheduled cancellation out from its request (or from when it takes effect), ' +
				'paused collection counted by its status (or left out on request); ' +
				'also ARR, subscriptions, paying customers and ARPA. ' +
				'Usage-based prices are listed apart, not guessed. ' +
				'Needs Subscriptions: Read (rak_subscription_read); ' +
				'Prices: Read (rak_plan_read) for tiered prices ' +
				'and Coupons: Read (rak_coupon_read) for item-level discounts.',
			[
				...definitionFields,
				timeZoneField,
				{
					displayName: 'Include Trialing',
					name: 'includeTrialing',
					type: 'boolean',
					default: false,
					description:
						'Whether subscriptions in a free trial count as if they were paying. ' +
						'Stripe never counts trials; kept for workflows that use it.',
				},
			],
			mrrReport,
		),
		report(
			'revenue',
			'Revenue',
			'Revenue over a period',
			'Gross payments, refunds, disputes, Stripe fees and net per currency over a period, ' +
				'from balance transactions (optionally per day). ' +
				'Needs Balance Transaction Sources: Read (rak_balance_transaction_source_read).',
			[
				...periodic,
				{
					displayName: 'By Day',
					name: 'byDay',
					type: 'boolean',
					default: false,
					description:
						'Whether to add the figures for each day of the period (days in the time zone)',
				},
			],
			revenueReport,
		),
		report(
			'subscriptionMovements',
			'Subscription Movements',
			'MRR movements over a period',
			'MRR movements per currency in a period by the MRR definition, ' +
				'with the same Discounts, Scheduled Cancellations and Paused Collection switches: ' +
				'MRR at start + new + expansion − contraction − churn + reactivation = MRR at end, ' +
				"per subscriber (customer) as Stripe counts them (one of a customer's two " +
				'subscriptions canceled is contraction; free subscriptions are not subscribers), ' +
				'with active, new, reactivated and churned subscribers, subscriber churn rate, ' +
				'MRR churn rate and net MRR growth; the same per subscription for drill-down. ' +
				'History of the last 30 days from events, earlier from invoices (any past period ' +
				'gives the same figures); what neither dates is named per figure in limits. ' +
				'Needs Subscriptions: Read (rak_subscription_read), and Events: Read ' +
				'(rak_event_read) and Invoices: Read (rak_invoice_read) for the history.',
			[...periodic, ...definitionFields],
			subscriptionMovementsReport,
		),
		report(
			'subscriptionMetrics',
			'Subscription Metrics',
			'Subscription metrics over a period',
			"Stripe's subscription metrics per currency over a period, by its Billing analytics " +
				'definitions and the MRR definition: active subscribers and ARPU (MRR ÷ active ' +
				'subscribers) at the end, new, reactivated and churned subscribers, subscriber churn ' +
				'rate, MRR churn rate, net MRR growth, and trial conversion rate (trials converted, ' +
				'their first invoice paid, ÷ trials ended by conversion or cancellation). Beyond ' +
				"Stripe's dashboard: net and gross revenue retention of the subscribers paying at the " +
				'start (NRR with expansion and reactivation, GRR capped at 100 %). ' +
				'History of the last 30 days from events, earlier from invoices (any past period ' +
				'gives the same figures); what neither dates is named per figure in limits. ' +
				'Needs Subscriptions: Read (rak_subscription_read), Events: Read (rak_event_read) and ' +
				'Invoices: Read (rak_invoice_read) for the history, Invoices: Read for the trials’ ' +
				'first invoices.',
			[...periodic, ...definitionFields],
			subscriptionMetricsReport,
		),
		report(
			'cohorts',
			'Retention by Cohort',
			'Retention by monthly cohort',
			'Monthly cohort retention table per currency, as Stripe defines cohorts: subscribers ' +
				'grouped by the month their MRR first went above 0; for each later month, the share ' +
				'still paying at its end (one who came back counts again in its cohort) and their MRR ' +
				'then as a share of the MRR they started with. The last month is to date. ' +
				'History of the last 30 days from events, earlier from invoices; each figure says ' +
				'whether it rests on a moment neither covers. ' +
				'Needs Subscriptions: Read (rak_subscription_read), and Events: Read (rak_event_read) ' +
				'and Invoices: Read (rak_invoice_read) for the history.',
			[...cohortFields, ...definitionFields],
			cohortsReport,
		),
		report(
			'failedPayments',
			'Failed Payments',
			'Failed payments over a period',
			'Failed payments in a period: count and amount per currency, the top decline codes, ' +
				'and each payment with its customer, email and invoice. ' +
				'Needs Charges: Read (rak_charge_read), ' +
				'and Invoices: Read (rak_invoice_read) for the invoices.',
			[
				...periodic,
				{
					displayName: 'List Limit',
					name: 'listLimit',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 1000 },
					default: 100,
					description:
						'Max number of failed payments to list one by one; counts and sums always cover all',
				},
				{
					displayName: 'Include Invoices',
					name: 'includeInvoices',
					type: 'boolean',
					default: true,
					description:
						'Whether to look up the invoice each listed payment was for (one request per payment)',
				},
				...redactFields,
			],
			failedPaymentsReport,
		),
		report(
			'payouts',
			'Payouts',
			'Payouts over a period',
			'Payouts created in a period by status (paid, pending, in transit, canceled, failed) ' +
				'per currency, failed ones with the reason, and the next arrival. ' +
				'Needs Payouts: Read (rak_payout_read).',
			periodic,
			payoutsReport,
		),
	],
};
