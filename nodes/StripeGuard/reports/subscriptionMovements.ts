/**
 * Subscription movements over a period, per currency, by the definition MRR uses
 * (./subscription-value.ts): MRR at the start + new + expansion − contraction − churn +
 * reactivation = MRR at the end. Each subscription's value is walked through the period
 * (./subscription-history.ts) with its past rebuilt from the Events API, which reaches back 30
 * days; before that the oldest state the events reach (the current one when none) stands in, and
 * the report says for how many subscriptions.
 *
 * Requests: one pass over every subscription created before the period's end (Stripe has no list
 * of "what ended in this range"), pages of 100, plus one pass over the subscription events since
 * the period's start (pages of 100), plus one lookup per coupon or tiered price MRR needs.
 */
import type { IDataObject } from 'n8n-workflow';

import { toNodeError } from '../../shared/errors';
import type { OperationContext } from '../framework/operation';
import { PAGE_SIZE } from '../framework/pagination';
import { isStripeApiError, type StripeEvent, type Subscription } from '../../shared/transport';
import { describeDefinition, readDefinition } from './mrr-definition';
import { describePeriod, periodDays, readPeriod, type ReportPeriod } from './report-period';
import { CurrencySums, percent } from './sums';
import { withTable, type Table } from './table';
import {
	changeOf,
	EVENT_RETENTION_SECONDS,
	movementsOf,
	SUBSCRIPTION_EVENT_TYPES,
	type SubscriptionChange,
	type SubscriptionMovements,
} from './subscription-history';
import { lookupsFor, SUBSCRIPTION_EXPANSION } from './subscription-value';

const KEYS = [
	'mrr_at_start',
	'new_mrr',
	'expansion_mrr',
	'contraction_mrr',
	'churned_mrr',
	'reactivation_mrr',
	'net_new_mrr',
	'mrr_at_end',
] as const;

/** Margin on the 30 days: a "last 30 days" period starts exactly at the window's edge. */
const WINDOW_MARGIN = 3600;

export async function subscriptionMovementsReport(
	ctx: OperationContext,
	nowMs = Date.now(),
): Promise<IDataObject> {
	const period = readPeriod(ctx, nowMs);
	const definition = readDefinition(ctx);
	const now = Math.floor(nowMs / 1000);
	const windowStart = now - EVENT_RETENTION_SECONDS - WINDOW_MARGIN;
	const lookups = lookupsFor(ctx.stripe);

	// The subscription events since the period's start (all Stripe still has when it starts earlier).
	const history = await readHistory(ctx, Math.max(period.start, windowStart));
	// A range that ends in the future is valued up to now: what is scheduled may still change.
	const upToNow = { start: period.start, end: Math.min(period.end, now + 1) };
	const tally = await tallySubscriptions(ctx, period, history, (sub) =>
		movementsOf(
			sub,
			history.changes.get(sub.id) ?? [],
			upToNow,
			history.read ? windowStart : Infinity,
			lookups,
			definition,
		),
	);
	const subscribers = countSubscribers(tally.customers);
	const byCurrency = withRounding(tally.sums);
	const { counts } = tally;
	const subscriptionChurn = percent(counts.churned, counts.atStart + counts.new);
	const limits = limitsOf(windowStart, history.read, counts);
	const report: IDataObject = {
		report: 'subscriptionMovements',
		...describePeriod(period),
		definition: describeDefinition(definition),
		...countFields(counts, subscribers, subscriptionChurn),
		by_currency: byCurrency,
		limits,
		// As read: long lists are read in windows of `created`, a few pages more than one after
		// another.
		requests: {
			subscription_pages: tally.list.pagesRead,
			event_pages: history.list.pagesRead,
			total_list_requests: tally.list.pagesRead + history.list.pagesRead + (history.read ? 0 : 1),
		},
	};
	const notes = movementsNotes(counts, subscribers, history.read, limits);
	return withTable(ctx, report, () =>
		movementsTable(period, counts, subscriptionChurn, tally.sums, byCurrency, notes),
	);
}

/** How many subscriptions were valued with less than their history, and why. */
function limitsOf(windowStart: number, eventsRead: boolean, counts: Counts): IDataObject {
	return {
		event_window_start: new Date(Math.max(windowStart, 0) * 1000).toISOString(),
		events_read: eventsRead,
		valued_with_later_state: counts.laterState,
		valued_with_current_state: eventsRead ? counts.noEvents : counts.laterState,
		removed_discounts_unknown: counts.discountUnknown,
	};
}

/** The report's numbers of subscriptions and of subscribers, and their churn rates. */
function countFields(
	counts: Counts,
	subscribers: SubscriberCounts,
	subscriptionChurn: number,
): IDataObject {
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
		churn_rate_percent: subscriptionChurn,
		subscription_churn_rate_percent: subscriptionChurn,
		subscribers_at_start: subscribers.atStart,
		new_subscribers: subscribers.new,
		churned_subscribers: subscribers.churned,
		subscriber_churn_rate_percent: percent(
			subscribers.churned,
			subscribers.atStart + subscribers.new,
		),
	};
}

/** Each subscription's changes from the events, newest first. */
interface EventHistory {
	changes: Map<string, SubscriptionChange[]>;
	/** False when the key cannot read events: every subscription is valued with its current state. */
	read: boolean;
	/** The events list, for the pages it took. */
	list: { pagesRead: number };
}

async function readHistory(ctx: OperationContext, since: number): Promise<EventHistory> {
	const changes = new Map<string, SubscriptionChange[]>();
	let read = true;
	const list = ctx.stripe.events.list({
		limit: PAGE_SIZE,
		types: SUBSCRIPTION_EVENT_TYPES,
		created: { gte: since },
	});
	try {
		for await (const event of list as AsyncIterable<StripeEvent>) {
			const id = (event.data.object as { id?: string }).id;
			if (!id) continue;
			let own = changes.get(id);
			if (!own) changes.set(id, (own = []));
			own.push(changeOf(event));
		}
	} catch (error) {
		// A key without Events: Read still gets the report, valued with today's state, and is told so.
		if (!(isStripeApiError(error) && error.statusCode === 403))
			throw toNodeError(ctx.fn.getNode(), error, ctx.itemIndex);
		read = false;
	}
	for (const own of changes.values()) own.sort((a, b) => b.created - a.created);
	return { changes, read, list };
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
}

/** Whether a customer paid, through any of their subscriptions, at the start, during, at end. */
interface Subscriber {
	start: boolean;
	during: boolean;
	end: boolean;
}

interface Tally {
	sums: CurrencySums<(typeof KEYS)[number]>;
	counts: Counts;
	/** Subscribers (customers) by their paying subscriptions. */
	customers: Map<string, Subscriber>;
	/** The subscriptions list, for the pages it took. */
	list: { pagesRead: number };
}

/** Every subscription created before the period's end, valued through it and added up. */
async function tallySubscriptions(
	ctx: OperationContext,
	period: ReportPeriod,
	history: EventHistory,
	movementsOfSub: (sub: Subscription) => Promise<SubscriptionMovements>,
): Promise<Tally> {
	const sums = new CurrencySums(KEYS);
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
	};
	const customers = new Map<string, Subscriber>();
	const list = ctx.stripe.subscriptions.list({
		limit: PAGE_SIZE,
		status: 'all',
		created: { lt: period.end },
		expand: SUBSCRIPTION_EXPANSION,
	});
	for await (const sub of list as AsyncIterable<Subscription>) {
		const m = await movementsOfSub(sub);
		if (m.valuedWithLaterState) {
			counts.laterState++;
			if (!history.changes.has(sub.id)) counts.noEvents++;
		}
		if (m.discountUnknown) counts.discountUnknown++;
		if (!m.payingInPeriod && !m.payingAtEnd) continue;
		addMovements(sums, m);
		countMovements(counts, m, sub);
		addSubscriber(customers, sub, m);
	}
	return { sums, counts, customers, list };
}

function addMovements(sums: Tally['sums'], m: SubscriptionMovements): void {
	const c = m.currency;
	sums.add(c, 'mrr_at_start', m.start);
	sums.add(c, 'mrr_at_end', m.end);
	sums.add(c, 'new_mrr', m.amounts.new);
	sums.add(c, 'expansion_mrr', m.amounts.expansion);
	sums.add(c, 'contraction_mrr', m.amounts.contraction);
	sums.add(c, 'churned_mrr', m.amounts.churn);
	sums.add(c, 'reactivation_mrr', m.amounts.reactivation);
	sums.add(c, 'net_new_mrr', m.end - m.start);
}

function countMovements(counts: Counts, m: SubscriptionMovements, sub: Subscription): void {
	if (m.payingAtStart) counts.atStart++;
	if (m.payingAtEnd) counts.atEnd++;
	if (m.happened.new) counts.new++;
	if (m.happened.expansion) counts.expanded++;
	if (m.happened.contraction) counts.contracted++;
	if (m.happened.reactivation) counts.reactivated++;
	if (!m.payingAtEnd) counts.churned++;
	if (!m.payingAtEnd && m.payingAtStart) counts.churnedFromStart++;
	if (!m.payingAtEnd && sub.status === 'canceled') counts.ended++;
}

function addSubscriber(
	customers: Map<string, Subscriber>,
	sub: Subscription,
	m: SubscriptionMovements,
): void {
	const customer = typeof sub.customer === 'string' ? sub.customer : (sub.customer?.id ?? sub.id);
	let who = customers.get(customer);
	if (!who) customers.set(customer, (who = { start: false, during: false, end: false }));
	who.start ||= m.payingAtStart;
	who.during ||= m.payingInPeriod;
	who.end ||= m.payingAtEnd;
}

/** Numbers of customers: paying at the start, new, and those who stopped paying. */
interface SubscriberCounts {
	atStart: number;
	new: number;
	churned: number;
}

function countSubscribers(customers: Map<string, Subscriber>): SubscriberCounts {
	const counts: SubscriberCounts = { atStart: 0, new: 0, churned: 0 };
	for (const who of customers.values()) {
		if (who.start) counts.atStart++;
		else if (who.during || who.end) counts.new++;
		if ((who.start || who.during) && !who.end) counts.churned++;
	}
	return counts;
}

/** The sums per currency as output, each with what rounding leaves between the two sides. */
function withRounding(sums: Tally['sums']): IDataObject {
	const byCurrency = sums.toJson();
	for (const currency of sums.currencies()) {
		const row = byCurrency[currency] as IDataObject;
		// Each figure is rounded once; what rounding leaves between the two sides is shown, never
		// hidden.
		const movements =
			(row.new_mrr as number) +
			(row.expansion_mrr as number) -
			(row.contraction_mrr as number) -
			(row.churned_mrr as number) +
			(row.reactivation_mrr as number);
		row.rounding = (row.mrr_at_end as number) - (row.mrr_at_start as number) - movements;
	}
	return byCurrency;
}

/** What the figures mean, and how many subscriptions were valued with less than their history. */
function movementsNotes(
	counts: Counts,
	subscribers: SubscriberCounts,
	eventsRead: boolean,
	limits: IDataObject,
): string[] {
	const notes = [
		'MRR at start + new + expansion − contraction − churn + reactivation = MRR at end, per ' +
			'currency (MRR as the MRR report counts it: trials pay nothing until they convert; ' +
			'unpaid, paused and canceled subscriptions are churn).',
		`Subscription churn = subscriptions that stopped paying (${counts.churned}) ÷ (paying at ` +
			`the start ${counts.atStart} + new ${counts.new}); subscriber churn = customers who ` +
			`stopped paying (${subscribers.churned}) ÷ (paying at the start ` +
			`${subscribers.atStart} + new ${subscribers.new}).`,
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
				`(${counts.noEvents} of them with their current state), since Stripe's API cannot ` +
				'tell earlier changes of items, prices, quantities, discounts or status.',
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
	counts: Counts,
	subscriptionChurn: number,
	sums: Tally['sums'],
	byCurrency: IDataObject,
	notes: string[],
): Table {
	const moved = `+${counts.new} new, −${counts.churned} churned`;
	return {
		title: `Subscriptions ${periodDays(period)}: ${moved}, churn ${String(subscriptionChurn)} %`,
		columns: [
			'Currency',
			'MRR at start',
			'New',
			'Expansion',
			'Contraction',
			'Churn',
			'Reactivation',
			'MRR at end',
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
			];
		}),
		notes,
	};
}
