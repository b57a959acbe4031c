import { LgxValidationError } from '../errors/lgx-error';

function fail(field: string, rule: string, message: string): never {
  throw new LgxValidationError([{ path: '', rule, message }], { subject: field });
}

/**
 * A UPRN in LGX's normalised form: digits only, no leading zeros (`' 000100023336956'` becomes
 * `'100023336956'`). Accepts a string, a safe integer or a bigint; throws `LgxValidationError` otherwise.
 */
export function normaliseUprn(input: string | number | bigint): string {
  const raw =
    typeof input === 'string'
      ? input.trim()
      : typeof input === 'bigint'
        ? input.toString()
        : Number.isSafeInteger(input)
          ? String(input)
          : '';
  if (!/^[0-9]{1,20}$/.test(raw)) fail('uprn', 'pattern', 'must be a whole number of up to 12 digits');
  const stripped = raw.replace(/^0+/, '');
  if (stripped.length === 0 || stripped.length > 12) fail('uprn', 'pattern', 'must be a whole number from 1 to 999999999999');
  return stripped;
}

/** A USRN in normalised form: digits only, no leading zeros, at most 8 digits. */
export function normaliseUsrn(input: string | number): string {
  const raw = typeof input === 'string' ? input.trim() : Number.isSafeInteger(input) ? String(input) : '';
  const stripped = /^[0-9]{1,16}$/.test(raw) ? raw.replace(/^0+/, '') : '';
  if (stripped.length === 0 || stripped.length > 8) fail('usrn', 'pattern', 'must be a whole number of up to 8 digits');
  return stripped;
}

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;

/** A UK postcode in normalised form: upper case, one space before the inward code (`'sw1a2aa'` becomes `'SW1A 2AA'`). */
export function normalisePostcode(input: string): string {
  const compact = typeof input === 'string' ? input.replace(/\s+/g, '').toUpperCase() : '';
  if (compact === 'GIR0AA') return 'GIR 0AA';
  const m = POSTCODE.exec(compact);
  if (!m) fail('postcode', 'pattern', 'must be a UK postcode such as SW1A 2AA');
  return `${m[1]} ${m[2]}`;
}
