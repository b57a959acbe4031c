/**
 * bench/reports' year of traffic, as both stores' seeding and raw baselines share it: the council,
 * services, channels and targets, the year's bounds, the unit costs, and the reports' arithmetic
 * that folds raw per-channel counts into a month's service KPIs.
 */
import type { Channel } from '@lgx/core';

export const COUNCIL = 'E07000223';
export const SERVICES = [
  'street.report',
  'waste.missedCollection',
  'waste.containerRequest',
  'waste.bulkyBooking',
  'councilTax.changeOfAddress',
];
/** Weighted: three web for every open311, two phone, and one each of the rest. */
export const CHANNELS: Channel[] = ['web', 'web', 'web', 'open311', 'phone', 'phone', 'staff', 'face_to_face', 'post', 'app'];
export const TARGETS = ['confirm', 'civica'];
export const YEAR_START = Date.parse('2025-04-01T00:00:00Z');
export const YEAR_MS = 365 * 86_400_000;
export const UNIT_COSTS = { '*': { web: 0.15, app: 0.15, open311: 0.15, phone: 2.83, staff: 2.83, face_to_face: 8.62, post: 5.1 } };
const DIGITAL = new Set(['web', 'app', 'open311', 'api', 'staff']);

export interface MonthFigures {
  number_of_transactions: number;
  number_of_digital_transactions: number;
  total_cost: number | null;
  num_responses: number;
  delivered: number;
  dead: number;
  queued: number;
}

/** One raw group as either store's baseline query returns it (PostgreSQL's counts arrive as text). */
export interface RawGroup {
  month: string;
  service: string;
  channel: string;
  completed: number | string;
  responses: number | string;
  delivered: number | string;
  dead: number | string;
  queued: number | string;
}

/** The reports' arithmetic over raw groups: counts summed per month and service, costs by channel. */
export function monthlyKpis(rows: readonly RawGroup[]): Map<string, MonthFigures> {
  const out = new Map<string, MonthFigures>();
  for (const r of rows) {
    const key = `${r.month}|${r.service}`;
    const f = out.get(key) ?? {
      number_of_transactions: 0,
      number_of_digital_transactions: 0,
      total_cost: 0,
      num_responses: 0,
      delivered: 0,
      dead: 0,
      queued: 0,
    };
    const completed = Number(r.completed);
    f.number_of_transactions += completed;
    if (DIGITAL.has(r.channel)) f.number_of_digital_transactions += completed;
    f.total_cost = f.total_cost! + completed * (UNIT_COSTS['*'] as Record<string, number>)[r.channel]!;
    f.num_responses += Number(r.responses);
    f.delivered += Number(r.delivered);
    f.dead += Number(r.dead);
    f.queued += Number(r.queued);
    out.set(key, f);
  }
  for (const f of out.values()) f.total_cost = Math.round(f.total_cost! * 100) / 100;
  return out;
}
