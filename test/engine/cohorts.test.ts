/**
 * Retention by Cohort (reports/cohorts.ts) through n8n-core against the emulator, over three
 * calendar months in UTC (two past ones and this one to date). Stripe: "Stripe assigns cohorts to
 * subscribers based off of when they first started generating positive Monthly Recurring Revenue
 * (MRR) … Retention is the percentage of subscribers from that cohort that haven't yet churned by
 * the end of the month. After a subscriber churns, if they re-subscribe, they will remain a part
 * of their original cohort." MRR retention: the cohort's MRR at a month's end over the MRR its
 * subscribers started with.
 *
 * Every change is dated by a field Stripe keeps forever (created, canceled_at, ended_at,
 * trial_end), so the figures are the same inside and before the 30 days of events; figures at
 * moments before them are flagged as valued with a later state all the same.
 */
import type { IDataObject } from 'n8n-workflow';

import { useEmulator } from './emulator-context';
import { DAY, historyOf, runReport } from './retention-history';

const emulator = useEmulator();
const NOW = Math.floor(Date.now() / 1000);
/** The first second of the UTC month `back` months before this one. */
function monthStart(back: number): number {
	const d = new Date(NOW * 1000);
	return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1) / 1000;
}
const [M0, M1, M2] = [monthStart(2), monthStart(1), monthStart(0)];
const label = (t: number) => new Date(t * 1000).toISOString().slice(0, 7);
/** As the report flags: a moment before Stripe's 30 days of events (and their hour's margin). */
const beforeEvents = (t: number) => t < NOW - 30 * DAY - 3600;
const h = historyOf(emulator, M0 - 40 * DAY);

let json: IDataObject;
beforeAll(async () => {
	emulator().reset();
	// Cohort M0. A: $100 from M0+3d, adds $50 at M1+5d (expansion).
	const A = h.customer();
	h.started(A, 10000, M0 + 3 * DAY);
	h.started(A, 5000, M1 + 5 * DAY);
	// B: $50 from M0+4d, canceled at M1+2d, back at M1+20d on $80 (in its original cohort).
	const B = h.customer();
	h.canceled(B, 5000, M1 + 2 * DAY, M0 + 4 * DAY);
	h.started(B, 8000, M1 + 20 * DAY);
	// C: $40 from M0+5d, canceled at M0+20d, in its own month.
	h.canceled(h.customer(), 4000, M0 + 20 * DAY, M0 + 5 * DAY);
	// D: a free plan from M0+6d: no subscriber, in no cohort.
	h.started(h.customer(), 0, M0 + 6 * DAY);
	// Cohort M1. E: a trial from M0+7d converting at M1+7d on $60: first paid in M1.
	h.started(h.customer(), 6000, M0 + 7 * DAY, {
		trial_start: M0 + 7 * DAY,
		trial_end: M1 + 7 * DAY,
	});
	// F: $30 from M1+10d.
	h.started(h.customer(), 3000, M1 + 10 * DAY);
	// Cohort M2 (this month): H, $20, from its first hour (or an hour ago).
	h.started(h.customer(), 2000, Math.max(M2, NOW - 3600));
	// G has paid $70 since before M0: an older cohort.
	h.sub(h.customer(), 7000);
	json = await runReport(emulator, 'cohorts', { months: 3, timeZone: 'UTC' });
});

const cohorts = () =>
	((json.by_currency as IDataObject).usd as IDataObject).cohorts as Array<
		IDataObject & { months: IDataObject[] }
	>;

test('cohorts by the month their MRR first went above 0', () => {
	// M0: A 10,000 + B 5,000 + C 4,000 = 19,000 (3); M1: E 6,000 + F 3,000 = 9,000 (2), E by its
	// trial's end, not its creation; M2: H 2,000 (1). G paid before M0; D never paid.
	expect(cohorts().map((c) => [c.cohort, c.subscribers, c.mrr])).toEqual([
		[label(M0), 3, 19000],
		[label(M1), 2, 9000],
		[label(M2), 1, 2000],
	]);
	expect(json.subscribers_before_first_cohort).toBe(1);
});

test('each later month: the share still paying, their MRR over the MRR they started with', () => {
	// M0's cohort at the end of M0: A, B pay (C churned) → 2 ÷ 3 = 66.67 %; 15,000 ÷ 19,000 =
	// 78.95 %. End of M1: A 15,000 (expanded), B back on 8,000, C 0 → 2 of 3; 23,000 ÷ 19,000 =
	// 121.05 %. This month to date: the same.
	const [m0, m1, m2] = cohorts();
	const cells = (c: IDataObject & { months: IDataObject[] }) =>
		c.months.map((m) => [
			m.period,
			m.subscribers,
			m.subscriber_retention_percent,
			m.mrr,
			m.mrr_retention_percent,
		]);
	expect(cells(m0)).toEqual([
		[label(M0), 2, 66.67, 15000, 78.95],
		[label(M1), 2, 66.67, 23000, 121.05],
		[label(M2), 2, 66.67, 23000, 121.05],
	]);
	// M1's cohort: E and F pay to date: 100 % and 9,000 ÷ 9,000 = 100 %.
	expect(cells(m1)).toEqual([
		[label(M1), 2, 100, 9000, 100],
		[label(M2), 2, 100, 9000, 100],
	]);
	expect(cells(m2)).toEqual([[label(M2), 1, 100, 2000, 100]]);
});

test('each figure says whether it rests on a moment before the 30 days of events', () => {
	// A cell is the month's last moment; a cohort is who joined from its first.
	const [m0, m1] = cohorts();
	expect(m0.valued_with_later_state).toBe(beforeEvents(M0));
	expect(m1.valued_with_later_state).toBe(beforeEvents(M1));
	expect(m0.months.map((m) => m.valued_with_later_state)).toEqual([
		beforeEvents(M1 - 1),
		beforeEvents(M2 - 1),
		false,
	]);
	expect(json.limits).toMatchObject({ events_read: true });
	expect((json.limits as IDataObject).valued_with_later_state).toBeGreaterThan(0);
});

test('a table for Slack and email: each cell subscribers % / MRR %', () => {
	const text = json.table_text as string;
	expect(text).toContain(`Retention by cohort, ${label(M0)} to ${label(M2)} (UTC`);
	expect(text).toMatch(new RegExp(`${label(M0)}\\s+3\\s+\\$190\\.00\\s+66\\.67 / 78\\.95`));
	expect(text).toContain('121.05');
	expect(json.table_html).toContain('<table');
});
