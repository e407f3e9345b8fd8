/**
 * Relative periods ("last 30 days", "previous month") as Unix-second ranges, with calendar
 * periods taken in the workflow's time zone.
 */
export const PERIODS = [
	{ name: 'Last 24 Hours', value: 'last_24_hours' },
	{ name: 'Today', value: 'today' },
	{ name: 'Yesterday', value: 'yesterday' },
	{ name: 'Last 7 Days', value: 'last_7_days' },
	{ name: 'Last 30 Days', value: 'last_30_days' },
	{ name: 'Last 90 Days', value: 'last_90_days' },
	{ name: 'Month to Date', value: 'month_to_date' },
	{ name: 'Previous Month', value: 'previous_month' },
	{ name: 'Year to Date', value: 'year_to_date' },
] as const;

export type Period = (typeof PERIODS)[number]['value'];
export const PERIOD_VALUES = PERIODS.map((p) => p.value) as [Period, ...Period[]];

const DAY = 86_400;

/** Minutes the zone is ahead of UTC at the instant `ms`. */
function zoneOffsetMinutes(ms: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
	}).formatToParts(new Date(ms));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const asUtc = Date.UTC(
		get('year'),
		get('month') - 1,
		get('day'),
		get('hour'),
		get('minute'),
		get('second'),
	);
	return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * Unix seconds of a wall-clock time in the zone (month
 * 1–12; out-of-range days roll over as in Date.UTC).
 */
function zonedWallClock(
	year: number,
	month: number,
	day: number,
	timeZone: string,
	hour = 0,
	minute = 0,
	second = 0,
): number {
	const guess = Date.UTC(year, month - 1, day, hour, minute, second);
	// Two passes settle the offset even when the time falls in a DST change.
	let ms = guess - zoneOffsetMinutes(guess, timeZone) * 60_000;
	ms = guess - zoneOffsetMinutes(ms, timeZone) * 60_000;
	return Math.floor(ms / 1000);
}

/** Unix seconds of local midnight on year-month-day in the zone. */
const zonedMidnight = (year: number, month: number, day: number, timeZone: string) =>
	zonedWallClock(year, month, day, timeZone);

function zonedDate(ms: number, timeZone: string): { year: number; month: number; day: number } {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
	}).formatToParts(new Date(ms));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	return { year: get('year'), month: get('month'), day: get('day') };
}

/** The period as `created[gte]` / `created[lt]` style bounds. */
export function periodRange(
	period: Period,
	timeZone: string,
	nowMs = Date.now(),
): { gte: number; lt: number } {
	const now = Math.floor(nowMs / 1000);
	const { year, month, day } = zonedDate(nowMs, timeZone);
	switch (period) {
		case 'last_24_hours':
			return { gte: now - DAY, lt: now + 1 };
		case 'today':
			return { gte: zonedMidnight(year, month, day, timeZone), lt: now + 1 };
		case 'yesterday':
			// Day 0 of a month is the last day of the one before: Date.UTC rolls it over.
			return {
				gte: zonedMidnight(year, month, day - 1, timeZone),
				lt: zonedMidnight(year, month, day, timeZone),
			};
		case 'last_7_days':
			return { gte: now - 7 * DAY, lt: now + 1 };
		case 'last_30_days':
			return { gte: now - 30 * DAY, lt: now + 1 };
		case 'last_90_days':
			return { gte: now - 90 * DAY, lt: now + 1 };
		case 'month_to_date':
			return { gte: zonedMidnight(year, month, 1, timeZone), lt: now + 1 };
		case 'previous_month': {
			const prev = month === 1 ? { y: year - 1, m: 12 } : { y: year, m: month - 1 };
			return {
				gte: zonedMidnight(prev.y, prev.m, 1, timeZone),
				lt: zonedMidnight(year, month, 1, timeZone),
			};
		}
		case 'year_to_date':
			return { gte: zonedMidnight(year, 1, 1, timeZone), lt: now + 1 };
	}
}

/**
 * Unix seconds of a date or date-time. One with an offset or Z is
 * an instant; one without ("2026-03-01", "2026-03-01T09:00:00",
 * as n8n's date picker gives it) is wall-clock time in the zone.
 */
export function zonedTimeToUnix(value: string, timeZone: string): number {
	const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(
		value.trim(),
	);
	if (!local) {
		const ms = Date.parse(value);
		return Number.isFinite(ms) ? Math.floor(ms / 1000) : NaN;
	}
	const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
	return zonedWallClock(
		Number(y),
		Number(mo),
		Number(d),
		timeZone,
		Number(h),
		Number(mi),
		Number(s),
	);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day ("2026-03-01") of a Unix time in the zone. */
export function dayInZone(unix: number, timeZone: string): string {
	let f = dayFormatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-CA', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
		});
		dayFormatters.set(timeZone, f);
	}
	return f.format(new Date(unix * 1000));
}

const momentFormatters = new Map<string, Intl.DateTimeFormat>();

/** A moment as a person reads it in a time zone: "28 November 2026 at 08:41". */
export function momentInZone(unix: number, timeZone: string): string {
	let f = momentFormatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'long', timeStyle: 'short' });
		momentFormatters.set(timeZone, f);
	}
	return f.format(new Date(unix * 1000));
}

/** Whether Intl knows the IANA zone name ("Europe/Berlin"). */
export function isTimeZone(name: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: name });
		return true;
	} catch {
		return false;
	}
}
