/**
 * Subscription movements over a period, per currency and per subscriber (customer), as Stripe's
 * Billing analytics counts them (./subscriber-movements.ts): MRR at the start + new + expansion −
 * contraction − churn + reactivation = MRR at the end, each subscriber's MRR the sum of its
 * subscriptions' by the definition MRR uses (./subscription-value.ts). The same movements per
 * subscription stay available for drill-down (`subscriptions`). Each subscription's value is walked
 * through the period (./subscription-history.ts) with its past rebuilt (./subscription-past.ts)
 * from the Events API, which reaches back 30 days, and before that from its invoices
 * (./billed-history.ts), which Stripe keeps forever; what neither can date is named per figure in
 * `limits`.
 *
 * Requests: one pass over every subscription created before the period's end (Stripe has no list
 * of "what ended in this range"), pages of 100, plus one pass over the subscription events since
 * the period's start (pages of 100), plus, for a period starting before the events' reach, one
 * pass over the invoices created from 32 days before it to 32 days after it and one page of older
 * invoices per subscription billed less often, or billed nothing before the period; plus one
 * lookup per coupon or price MRR needs.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatAmount } from '../../shared/amounts';
import type { OperationContext } from '../framework/operation';
import type { Subscription } from '../../shared/transport';
import { billedHistoryNote } from './billed-history';
import { describeDefinition, readDefinition } from './mrr-definition';
import { describePeriod, periodDays, readPeriod, type ReportPeriod } from './report-period';
import { SubscriberLedger, SUBSCRIBER_KEYS, type SubscriberKey } from './subscriber-movements';
import { CurrencySums, percent } from './sums';
import { mrrChurnRate, subscriberChurnRate } from './subscriber-rates';
import { withTable, type Table } from './table';
import type { SubscriptionEvents } from './subscription-events';
import { MOVEMENTS, type Movement, type SubscriptionMovements } from './subscription-history';
import {
	invoiceRequests,
	readSubscriptionPast,
	subscriptionsCreatedBefore,
	type InvoiceRead,
} from './subscription-past';

/** The subscriber counts among SUBSCRIBER_KEYS: numbers of customers, not money. */
const SUBSCRIBER_COUNTS = SUBSCRIBER_KEYS.filter((k) => k.includes('subscribers'));

/** Per subscription, for drill-down: the same movements before customers are added up. */
const SUBSCRIPTION_KEYS = [
	'new_mrr',
	'expansion_mrr',
	'contraction_mrr',
	'churned_mrr',
	'reactivation_mrr',
	'new_subscriptions',
	'expanded_subscriptions',
	'contracted_subscriptions',
	'canceled_subscriptions',
	'reactivated_subscriptions',
] as const;
type SubscriptionKey = (typeof SUBSCRIPTION_KEYS)[number];
const SUBSCRIPTION_COUNTS = SUBSCRIPTION_KEYS.filter((k) => k.endsWith('_subscriptions'));
const PER_SUBSCRIPTION: Record<Movement, [SubscriptionKey, SubscriptionKey]> = {
	new: ['new_mrr', 'new_subscriptions'],
	expansion: ['expansion_mrr', 'expanded_subscriptions'],
	contraction: ['contraction_mrr', 'contracted_subscriptions'],
	churn: ['churned_mrr', 'canceled_subscriptions'],
	reactivation: ['reactivation_mrr', 'reactivated_subscriptions'],
};

export async function subscriptionMovementsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const definition = readDefinition(ctx);
	const past = await readSubscriptionPast(ctx, period, definition, nowMs);
	const { events: history, invoices: billed, windowStart } = past;
	const tally = await tallySubscriptions(ctx, period, history, past.value);
	const sums = tally.ledger.totals();
	const byCurrency = subscriberRows(sums);
	const subscribers = subscriberCounts(sums);
	const { counts } = tally;
	const subscriptionChurn = percent(
		counts.churned,
		counts.atStart + counts.new + counts.reactivated,
	);
	const limits = limitsOf(windowStart, history.read, billed, counts);
	const invoiceReads = invoiceRequests(billed);
	const report: IDataObject = {
		report: 'subscriptionMovements',
		...describePeriod(period),
		definition: describeDefinition(definition),
		...subscribers,
		...subscriptionCountFields(counts, subscriptionChurn),
		by_currency: byCurrency,
		subscriptions: { by_currency: tally.perSubscription.toJson(SUBSCRIPTION_COUNTS) },
		limits,
		// As read: long lists are read in windows of `created`, a few pages more than one after
		// another.
		requests: {
			subscription_pages: tally.list.pagesRead,
			event_pages: history.pagesRead,
			invoice_pages: invoiceReads.invoice_pages,
			invoice_line_pages: invoiceReads.invoice_line_pages,
			invoice_lookups: invoiceReads.invoice_lookups,
			total_list_requests:
				tally.list.pagesRead +
				history.pagesRead +
				(history.read ? 0 : 1) +
				invoiceReads.invoice_pages +
				invoiceReads.invoice_line_pages +
				invoiceReads.invoice_lookups +
				invoiceReads.refused,
		},
	};
	const notes = movementsNotes(counts, subscribers, history.read, billed.read, limits);
	return withTable(ctx, report, () => movementsTable(period, subscribers, sums, byCurrency, notes));
}

/**
 * How many subscriptions were valued with less than their history, and why; and, per figure, how
 * many subscriptions have a moment no data dates that can move it.
 */
function limitsOf(
	windowStart: number,
	eventsRead: boolean,
	billed: InvoiceRead,
	counts: Counts,
): IDataObject {
	const notKnown: IDataObject[] = [];
	for (const [what, found] of counts.notKnown) {
		notKnown.push({
			what,
			subscriptions: found.subscriptions,
			figures: [...found.figures].sort(),
			valued_as: NOT_KNOWN_VALUED_AS[what],
		});
	}
	return {
		event_window_start: new Date(Math.max(windowStart, 0) * 1000).toISOString(),
		events_read: eventsRead,
		invoices_read: billed.read,
		invoices_from: billed.bulk
			? new Date(Math.max(billed.history.from, 0) * 1000).toISOString()
			: null,
		valued_from_invoices: counts.fromInvoices,
		valued_with_later_state: counts.laterState,
		valued_with_current_state: eventsRead ? counts.noEvents : counts.laterState,
		removed_discounts_unknown: counts.discountUnknown,
		figures_not_exact: Object.fromEntries(
			[...counts.figures.entries()].sort(([a], [b]) => a.localeCompare(b)),
		),
		not_known: notKnown,
	};
}

type NotKnown = 'unpaid_marked_at' | 'change_without_proration';
const NOT_KNOWN_VALUED_AS: Record<NotKnown, string> = {
	unpaid_marked_at:
		'unpaid from its first unpaid invoice (no invoice was marked uncollectible with it)',
	change_without_proration:
		"at the events' reach (the invoices show no proration for it, so not when it was made)",
};

/**
 * The figures an undated moment can move: only where the moment may lie on either side of the
 * period's start or end (inside the period, its timing changes no figure).
 */
function figuresOf(
	what: NotKnown,
	span: { from: number | null; to: number },
	period: { start: number; end: number },
	m: SubscriptionMovements,
): string[] {
	const from = span.from ?? -Infinity;
	const out: string[] = [];
	const moves =
		what === 'unpaid_marked_at'
			? ['churned_mrr', 'contraction_mrr', 'churned_subscribers']
			: ['expansion_mrr', 'contraction_mrr', 'new_mrr', 'churned_mrr', 'reactivation_mrr'];
	if (from < period.start && span.to >= period.start) {
		out.push('mrr_at_start', 'active_subscribers_at_start', ...moves);
	}
	if (from < period.end && span.to >= period.end) out.push('mrr_at_end', ...moves);
	return m.payingInPeriod || m.payingAtEnd || m.paidBefore ? out : [];
}

/** The subscriber counts of every currency together, and their churn rate. */
function subscriberCounts(sums: CurrencySums<SubscriberKey>): IDataObject {
	const all = Object.fromEntries(SUBSCRIBER_COUNTS.map((k) => [k, 0])) as Record<
		SubscriberKey,
		number
	>;
	for (const currency of sums.currencies()) {
		const row = sums.get(currency);
		for (const k of SUBSCRIBER_COUNTS) all[k] += row[k];
	}
	const churn = subscriberChurnRate(all);
	return {
		active_subscribers_at_start: all.active_subscribers_at_start,
		new_subscribers: all.new_subscribers,
		reactivated_subscribers: all.reactivated_subscribers,
		churned_subscribers: all.churned_subscribers,
		active_subscribers_at_end: all.active_subscribers_at_end,
		expanded_subscribers: all.expanded_subscribers,
		contracted_subscribers: all.contracted_subscribers,
		subscriber_churn_rate_percent: churn,
		churn_rate_percent: churn,
		// The name of earlier versions.
		subscribers_at_start: all.active_subscribers_at_start,
	};
}

/** The numbers of subscriptions, for drill-down and for workflows that read them. */
function subscriptionCountFields(counts: Counts, subscriptionChurn: number): IDataObject {
	return {
		new_subscriptions: counts.new,
		canceled_subscriptions: counts.churned,
		ended_subscriptions: counts.ended,
		net_new_subscriptions: counts.atEnd - counts.atStart,
		expanded_subscriptions: counts.expanded,
		contracted_subscriptions: counts.contracted,
		reactivated_subscriptions: counts.reactivated,
		active_at_start: counts.atStart,
		active_at_end: counts.atEnd,
		churned_from_start: counts.churnedFromStart,
		subscription_churn_rate_percent: subscriptionChurn,
	};
}

/** Numbers of subscriptions: those that moved, and those valued with less than their history. */
interface Counts {
	churnedFromStart: number;
	atStart: number;
	new: number;
	churned: number;
	expanded: number;
	contracted: number;
	reactivated: number;
	atEnd: number;
	ended: number;
	laterState: number;
	noEvents: number;
	discountUnknown: number;
	fromInvoices: number;
	/** Subscriptions per figure an undated moment can move. */
	figures: Map<string, number>;
	notKnown: Map<NotKnown, { subscriptions: number; figures: Set<string> }>;
}

interface Tally {
	/** Each customer's MRR per currency, for the movements per subscriber. */
	ledger: SubscriberLedger;
	/** The movements per subscription, for drill-down. */
	perSubscription: CurrencySums<SubscriptionKey>;
	counts: Counts;
	/** The subscriptions list, for the pages it took. */
	list: { pagesRead: number };
}

/** Every subscription created before the period's end, valued through it and added up. */
async function tallySubscriptions(
	ctx: OperationContext,
	period: ReportPeriod,
	history: SubscriptionEvents,
	movementsOfSub: (sub: Subscription) => Promise<SubscriptionMovements>,
): Promise<Tally> {
	const ledger = new SubscriberLedger();
	const perSubscription = new CurrencySums(SUBSCRIPTION_KEYS);
	const counts: Counts = {
		churnedFromStart: 0,
		atStart: 0,
		new: 0,
		churned: 0,
		expanded: 0,
		contracted: 0,
		reactivated: 0,
		atEnd: 0,
		ended: 0,
		laterState: 0,
		noEvents: 0,
		discountUnknown: 0,
		fromInvoices: 0,
		figures: new Map(),
		notKnown: new Map(),
	};
	const list = subscriptionsCreatedBefore(ctx, period.end);
	// Sums and each customer's MRR need no order: pages are taken as they arrive, so nothing read
	// ahead waits for its turn (memory stays at a few pages however long the list).
	for await (const [sub] of list.inAnyOrder()) {
		const m = await movementsOfSub(sub);
		if (m.valuedWithLaterState) {
			counts.laterState++;
			if (!history.changes.has(sub.id)) counts.noEvents++;
		}
		if (m.discountUnknown) counts.discountUnknown++;
		if (m.valuedFromInvoices) counts.fromInvoices++;
		countNotKnown(counts, m, period);
		// One that paid before and not now still tells whether its customer comes back or is new.
		ledger.add(m);
		if (!m.payingInPeriod && !m.payingAtEnd) continue;
		for (const kind of MOVEMENTS) {
			const [amount, count] = PER_SUBSCRIPTION[kind];
			perSubscription.add(m.currency, amount, m.amounts[kind]);
			perSubscription.add(m.currency, count, m.counts[kind]);
		}
		countMovements(counts, m, sub);
	}
	return { ledger, perSubscription, counts, list };
}

function countNotKnown(counts: Counts, m: SubscriptionMovements, period: ReportPeriod): void {
	const spans: Array<[NotKnown, { from: number | null; to: number } | undefined]> = [
		['unpaid_marked_at', m.unknown.unpaidMarked],
		['change_without_proration', m.unknown.untracedChange],
	];
	const moved = new Set<string>();
	for (const [what, span] of spans) {
		if (!span) continue;
		const figures = figuresOf(what, span, period, m);
		if (figures.length === 0) continue;
		let found = counts.notKnown.get(what);
		if (!found) counts.notKnown.set(what, (found = { subscriptions: 0, figures: new Set() }));
		found.subscriptions++;
		for (const f of figures) {
			found.figures.add(f);
			moved.add(f);
		}
	}
	for (const f of moved) counts.figures.set(f, (counts.figures.get(f) ?? 0) + 1);
}

function countMovements(counts: Counts, m: SubscriptionMovements, sub: Subscription): void {
	if (m.payingAtStart) counts.atStart++;
	if (m.payingAtEnd) counts.atEnd++;
	counts.new += m.counts.new;
	counts.expanded += m.counts.expansion;
	counts.contracted += m.counts.contraction;
	counts.reactivated += m.counts.reactivation;
	counts.churned += m.counts.churn;
	if (!m.payingAtEnd && m.payingAtStart) counts.churnedFromStart++;
	if (m.counts.churn && !m.payingAtEnd && sub.status === 'canceled') counts.ended++;
}

/**
 * The sums per currency as output: money rounded once with its formatted twin, what rounding
 * leaves between the two sides, the subscriber counts and the rates.
 */
function subscriberRows(sums: CurrencySums<SubscriberKey>): IDataObject {
	const byCurrency = sums.toJson(SUBSCRIBER_COUNTS);
	for (const currency of sums.currencies()) {
		const exact = sums.get(currency);
		const row = byCurrency[currency] as IDataObject;
		const n = (k: string) => row[k] as number;
		// Stripe's "MRR growth": new + reactivation + expansion − churn − contraction, i.e. end −
		// start; `net_new_mrr` is its name in earlier versions.
		const growth = Math.round(exact.mrr_at_end - exact.mrr_at_start);
		const movements =
			n('new_mrr') +
			n('expansion_mrr') -
			n('contraction_mrr') -
			n('churned_mrr') +
			n('reactivation_mrr');
		Object.assign(row, {
			net_mrr_growth: growth,
			net_mrr_growth_formatted: formatAmount(growth, currency),
			net_new_mrr: growth,
			net_new_mrr_formatted: formatAmount(growth, currency),
			// Each figure is rounded once; what rounding leaves between the sides is shown, never
			// hidden.
			rounding: n('mrr_at_end') - n('mrr_at_start') - movements,
			subscriber_churn_rate_percent: subscriberChurnRate(exact),
			mrr_churn_rate_percent: mrrChurnRate(exact),
		});
	}
	return byCurrency;
}

/** What the figures mean, and how many subscriptions were valued with less than their history. */
function movementsNotes(
	counts: Counts,
	subscribers: IDataObject,
	eventsRead: boolean,
	invoicesRead: boolean,
	limits: IDataObject,
): string[] {
	const s = (k: string) => String(subscribers[k]);
	const notes = [
		'MRR at start + new + expansion − contraction − churn + reactivation = MRR at end, per ' +
			'currency and per subscriber (a customer: one of two subscriptions canceled is ' +
			'contraction, one added expansion, a churned customer back reactivation). MRR as the ' +
			'MRR report counts it: trials and free subscriptions pay nothing; unpaid, paused and ' +
			'canceled subscriptions are churn.',
		`Subscriber churn = churned subscribers (${s('churned_subscribers')}) ÷ (active at the ` +
			`start ${s('active_subscribers_at_start')} + new ${s('new_subscribers')} + reactivated ` +
			`${s('reactivated_subscribers')}); MRR churn = (churned + contraction MRR) ÷ MRR at ` +
			'the start.',
	];
	if (!eventsRead)
		notes.push(
			`The key cannot read events (Events: Read, rak_event_read): ${counts.laterState} ` +
				'subscription(s) were valued at every moment with their current items, prices, ' +
				'quantities, discounts and status.',
		);
	else if (counts.laterState) {
		notes.push(
			`Stripe keeps events for 30 days: ${counts.laterState} subscription(s) were valued ` +
				`before ${String(limits.event_window_start)} with the oldest state the events reach ` +
				`(${counts.noEvents} of them with their current state), since ` +
				(invoicesRead
					? 'no invoice billed them then.'
					: "Stripe's API cannot tell earlier changes of items, prices, quantities, " +
						'discounts or status.'),
		);
	}
	const billed = billedHistoryNote(invoicesRead, counts.fromInvoices);
	if (billed) notes.push(billed);
	for (const entry of limits.not_known as IDataObject[]) {
		notes.push(
			`Not known for ${String(entry.subscriptions)} subscription(s): ${String(entry.what)}, ` +
				`valued ${String(entry.valued_as)}; it can move ` +
				`${(entry.figures as string[]).join(', ')}.`,
		);
	}
	if (counts.discountUnknown) {
		notes.push(
			`${counts.discountUnknown} subscription(s) had a discount that has since been removed: ` +
				'events name it by ID only, so the time before its removal was valued without it.',
		);
	}
	return notes;
}

function movementsTable(
	period: ReportPeriod,
	subscribers: IDataObject,
	sums: CurrencySums<SubscriberKey>,
	byCurrency: IDataObject,
	notes: string[],
): Table {
	const moved =
		`+${String(subscribers.new_subscribers)} new, ` +
		`−${String(subscribers.churned_subscribers)} churned`;
	const churn = String(subscribers.subscriber_churn_rate_percent);
	return {
		title: `Subscriptions ${periodDays(period)}, subscribers: ${moved}, churn ${churn} %`,
		columns: [
			'Currency',
			'MRR at start',
			'New',
			'Expansion',
			'Contraction',
			'Churn',
			'Reactivation',
			'MRR at end',
			'MRR churn',
		],
		rows: sums.currencies().map((c) => {
			const r = byCurrency[c] as IDataObject;
			const f = (k: string) => r[`${k}_formatted`] as string;
			return [
				c.toUpperCase(),
				f('mrr_at_start'),
				`+${f('new_mrr')}`,
				`+${f('expansion_mrr')}`,
				`−${f('contraction_mrr')}`,
				`−${f('churned_mrr')}`,
				`+${f('reactivation_mrr')}`,
				f('mrr_at_end'),
				`${String(r.mrr_churn_rate_percent)} %`,
			];
		}),
		notes,
	};
}
