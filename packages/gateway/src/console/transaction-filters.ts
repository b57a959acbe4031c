import { CHANNELS } from '@lgx/core';
import type { TransactionState } from '@lgx/runtime';

export const STATES: readonly TransactionState[] = ['pending', 'delivered', 'dead', 'discarded'];

/** The transactions page's filters, as the form sends them. */
export interface TransactionFilters {
  type: string;
  channel: string;
  state: string;
  from: string;
  to: string;
  reference: string;
  /** The page cursor: the last transaction of the previous page, `<createdAt>_<id>`. */
  before: string;
}

/** A filter the page refused, for the error summary: the field's id and what is wrong. */
export interface FilterError {
  field: keyof TransactionFilters;
  text: string;
}

/** The filters, checked: each value bounded, and a clear message for each one that is not. */
export interface CheckedFilters {
  values: TransactionFilters;
  errors: FilterError[];
  query: {
    types?: string[];
    channel?: string;
    state?: TransactionState;
    from?: Date;
    to?: Date;
    ids?: string[];
    before?: { createdAt: string; id: string };
  };
}

const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const REFERENCE_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
const BEFORE_PATTERN = /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)_([A-Za-z0-9._:-]{1,100})$/;
const DAY_MS = 86_400_000;

function day(value: string): Date | undefined {
  if (!DATE_PATTERN.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

export function checkFilters(raw: (name: string) => string): CheckedFilters {
  const values: TransactionFilters = {
    type: raw('type').trim(),
    channel: raw('channel').trim(),
    state: raw('state').trim(),
    from: raw('from').trim(),
    to: raw('to').trim(),
    reference: raw('reference').trim(),
    before: raw('before').trim(),
  };
  const errors: FilterError[] = [];
  const query: CheckedFilters['query'] = {};
  if (values.type) {
    if (values.type.length > 100 || !TYPE_PATTERN.test(values.type))
      errors.push({
        field: 'type',
        text: 'Type must be a transaction type such as waste.missedCollection (letters and digits, parts joined by dots, at most 100 characters)',
      });
    else query.types = [values.type];
  }
  if (values.channel) {
    if (!(CHANNELS as readonly string[]).includes(values.channel))
      errors.push({ field: 'channel', text: `Channel must be one of ${CHANNELS.join(', ')}` });
    else query.channel = values.channel;
  }
  if (values.state) {
    if (!(STATES as readonly string[]).includes(values.state))
      errors.push({ field: 'state', text: `State must be one of ${STATES.join(', ')}` });
    else query.state = values.state as TransactionState;
  }
  const from = values.from ? day(values.from) : undefined;
  const to = values.to ? day(values.to) : undefined;
  if (values.from && !from) errors.push({ field: 'from', text: 'From date must be a real date, as YYYY-MM-DD' });
  if (values.to && !to) errors.push({ field: 'to', text: 'To date must be a real date, as YYYY-MM-DD' });
  if (from && to && to < from) errors.push({ field: 'to', text: 'To date must be the same as or after the from date' });
  if (from) query.from = from;
  // The to date is inclusive: transactions created on that day are shown.
  if (to) query.to = new Date(to.getTime() + DAY_MS);
  if (values.reference) {
    if (!REFERENCE_PATTERN.test(values.reference))
      errors.push({
        field: 'reference',
        text: 'Reference must be an LGX transaction reference (letters, digits, dots, dashes, at most 100 characters)',
      });
    else query.ids = [values.reference];
  }
  if (values.before) {
    const match = BEFORE_PATTERN.exec(values.before);
    if (!match) errors.push({ field: 'before', text: 'The page link is not valid: start again from the first page' });
    else query.before = { createdAt: match[1]!, id: match[2]! };
  }
  return { values, errors, query };
}
