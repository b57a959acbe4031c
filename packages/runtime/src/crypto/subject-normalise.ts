/**
 * The normal forms subject search compares: two spellings of one email, phone number, name, UPRN or
 * reference give the same text, so their keyed hashes match. Each returns undefined for a value that
 * has no normal form (nothing left, or not a phone number).
 */

/** Trimmed and lower-cased (mailbox providers treat the local part without regard to case). */
export function normaliseEmail(value: string): string | undefined {
  const email = value.trim().toLowerCase();
  return email.includes('@') ? email : undefined;
}

/**
 * A UK-first E.164 form: separators dropped, a 00 international prefix as +, a national number
 * (leading 0) as +44 without the 0, and '+44 (0)' as +44.
 */
export function normalisePhone(value: string): string | undefined {
  let digits = value
    .trim()
    .replace(/\(0\)/g, '')
    .replace(/[\s().-]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (!/^\+?[0-9]{7,15}$/.test(digits)) return undefined;
  if (digits.startsWith('+')) return digits.startsWith('+440') ? `+44${digits.slice(4)}` : digits;
  if (digits.startsWith('44') && digits.length >= 12) return `+${digits}`;
  if (digits.startsWith('0')) return `+44${digits.slice(1)}`;
  return digits;
}

/** Compatibility-normalised (NFKC), case-folded, with runs of whitespace as one space. */
export function normaliseName(value: string): string | undefined {
  const name = value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return name === '' ? undefined : name;
}

/** Digits without spaces or leading zeros, as the canonical UPRN is. */
export function normaliseUprnText(value: string): string | undefined {
  const uprn = value.replace(/\s+/g, '').replace(/^0+/, '');
  return /^[0-9]{1,12}$/.test(uprn) ? uprn : undefined;
}

/** Upper case without whitespace: references are keyed as people read them out, spaces or not. */
export function normaliseReference(value: string): string | undefined {
  const reference = value.replace(/\s+/g, '').toUpperCase();
  return reference === '' ? undefined : reference;
}
