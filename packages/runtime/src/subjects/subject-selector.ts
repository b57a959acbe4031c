import { LgxError } from '@lgx/core';
import { normaliseEmail, normaliseName, normalisePhone, normaliseReference, normaliseUprnText } from '../crypto/subject-normalise';
import type { SubjectKind } from '../crypto/subject-terms';

/** Who a subject request is about: exactly one of these. */
export type SubjectSelector = Partial<Record<SubjectKind, string>>;

/** A selector checked and normalised as the subject index keys values. */
export interface SubjectQuery {
  kind: SubjectKind;
  normalised: string;
}

export const SUBJECT_KINDS: readonly SubjectKind[] = ['email', 'phone', 'name', 'uprn', 'reference'];

const LONGEST = 320;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const RULES: Record<SubjectKind, { normalise: (value: string) => string | undefined; rule: string; valid?: (n: string) => boolean }> = {
  email: { normalise: normaliseEmail, rule: 'an email address (local part, @, a domain with a dot)', valid: (n) => EMAIL.test(n) },
  phone: { normalise: normalisePhone, rule: 'a phone number of 7 to 15 digits (spaces, dashes and a leading + or 0 allowed)' },
  name: { normalise: normaliseName, rule: 'a name that is not empty' },
  uprn: { normalise: normaliseUprnText, rule: 'a UPRN of 1 to 12 digits' },
  reference: { normalise: normaliseReference, rule: 'a reference that is not empty' },
};

function selectorError(field: string, message: string): LgxError {
  return new LgxError('LGX_ERR_SUBJECT_SELECTOR', message, { details: { field } });
}

/**
 * Checks that `selector` names the subject by exactly one searchable value, and normalises it.
 * Throws LGX_ERR_SUBJECT_SELECTOR naming the field and the rule; the message never repeats the value.
 */
export function parseSubjectSelector(selector: SubjectSelector): SubjectQuery {
  const given = SUBJECT_KINDS.filter((kind) => selector[kind] !== undefined);
  if (given.length === 0) throw selectorError('selector', `name the subject by one of ${SUBJECT_KINDS.join(', ')}`);
  if (given.length > 1)
    throw selectorError(given.join(','), `name the subject by one value only: ${given.join(' and ')} were given (search each on its own)`);
  const kind = given[0]!;
  const raw = selector[kind];
  const { normalise, rule, valid } = RULES[kind];
  if (typeof raw !== 'string' || raw.length > LONGEST) throw selectorError(kind, `${kind} must be text of at most ${LONGEST} characters`);
  const normalised = normalise(raw);
  if (normalised === undefined || (valid !== undefined && !valid(normalised))) throw selectorError(kind, `${kind} must be ${rule}`);
  return { kind, normalised };
}
