/**
 * The month the past-period tests report, and the days they report it on: January 2026, on the
 * 1st of February (Stripe's 30 days of events reach all but its first day) and on the 5th (they
 * miss its first days).
 */
export const DAY = 86_400;
/** Seconds of a moment in 2026 (month 0 is January; −1 is December 2025). */
export const at = (month: number, day: number, hour = 0) => Date.UTC(2026, month, day, hour) / 1000;
export const JANUARY = {
	period: 'custom',
	start: '2026-01-01T00:00:00.000Z',
	end: '2026-02-01T00:00:00.000Z',
	timeZone: 'UTC',
};
export const ON_THE_1ST = at(1, 1, 6);
export const ON_THE_5TH = at(1, 5, 12);
