import { collectMarkedValues, REDACTED, schemaRegistry, type Envelope } from '@lgx/core';

/** Values this short are replaced only as whole words: "Sam" must not turn "Samples" into "[REDACTED]ples". */
const WHOLE_WORD_BELOW = 6;
/** Shorter values (a house number, an initial) would mangle every message and identify no one. */
const SHORTEST = 3;

function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) leaves(item, out);
}

/** The texts inside the fields of `envelope.data` its schema marks `x-lgx-pii`, longest first. */
export function personalDataValues(envelope: Pick<Envelope, 'dataschema' | 'data'>): string[] {
  const entry = typeof envelope.dataschema === 'string' ? schemaRegistry().getById(envelope.dataschema) : undefined;
  if (!entry) return [];
  const out: string[] = [];
  for (const value of collectMarkedValues(envelope.data, entry.schema, ['x-lgx-pii'])) {
    let parsed: unknown = value;
    try {
      // Marked objects (an address, a list of names) come back as JSON text: scrub each part.
      parsed = JSON.parse(value) as unknown;
    } catch {
      // Plain text.
    }
    leaves(parsed, out);
  }
  const unique = [...new Set(out.map((v) => v.trim()).filter((v) => v.length >= SHORTEST))];
  return unique.sort((a, b) => b.length - a.length);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that replaces, in any text, every personal-data value of `envelope` with `[REDACTED]`
 * (ignoring case, as back offices echo names and postcodes in capitals). Adapters should never put
 * personal data in an error, but what they throw is stored and shown to staff and read keys, so the
 * runtime does not rely on it.
 */
export function personalDataScrubber(envelope: Pick<Envelope, 'dataschema' | 'data'>): (text: string) => string {
  const values = personalDataValues(envelope);
  if (values.length === 0) return (text) => text;
  const pattern = new RegExp(values.map((v) => (v.length < WHOLE_WORD_BELOW ? `(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])` : escape(v))).join('|'), 'giu');
  return (text) => text.replace(pattern, REDACTED);
}
