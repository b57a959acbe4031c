import type { ReportPeriod } from './report-types';

/**
 * Report periods in UTC, as Backdrop had them: a week starts on Monday, months and quarters are
 * calendar ones; financial_year (an LGX extension) starts on 1 April; year is the Transactions
 * Explorer's rolling 12 months to a quarter's end, one a quarter, each named here by its last quarter
 * (`yearWindowStart` gives where its 12 months begin). Periods are computed from the day of acceptance
 * stored in the rollups.
 */
export function periodStart(period: ReportPeriod, at: Date): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (period) {
    case 'day':
      return new Date(Date.UTC(y, m, d));
    case 'week':
      return new Date(Date.UTC(y, m, d - ((at.getUTCDay() + 6) % 7)));
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'quarter':
    case 'year':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'financial_year':
      return new Date(Date.UTC(m >= 3 ? y : y - 1, 3, 1));
  }
}

/** Where the rolling year named by its last quarter (starting at `lastQuarter`) begins: three quarters before. */
export function yearWindowStart(lastQuarter: Date): Date {
  return new Date(Date.UTC(lastQuarter.getUTCFullYear(), lastQuarter.getUTCMonth() - 9, 1));
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(period: ReportPeriod, start: Date): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  switch (period) {
    case 'day':
      return new Date(Date.UTC(y, m, d + 1));
    case 'week':
      return new Date(Date.UTC(y, m, d + 7));
    case 'month':
      return new Date(Date.UTC(y, m + 1, 1));
    case 'quarter':
    case 'year':
      return new Date(Date.UTC(y, m + 3, 1));
    case 'financial_year':
      return new Date(Date.UTC(y + 1, 3, 1));
  }
}

/**
 * The periods covering [from, to): from the one `from` falls in to the one just before `to` (a `to`
 * inside a period includes that whole period); at most `limit` + 1 are listed, so a caller can tell
 * that there are more than `limit`.
 */
export function periodsBetween(period: ReportPeriod, from: Date, to: Date, limit: number): Date[] {
  const out: Date[] = [];
  for (let start = periodStart(period, from); start.getTime() < to.getTime() && out.length <= limit; start = nextPeriod(period, start))
    out.push(start);
  return out;
}

/** A period boundary as Backdrop writes it: `2025-04-01T00:00:00+00:00`. */
export function backdropTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}+00:00`;
}

/** The 'YYYY-MM-DD' day of a UTC instant (the rollups' day). */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}
