import { collectMarkedTexts, REDACTED, schemaRegistry, type Envelope } from '@lgx/core';

/** Values this short are replaced only as whole words: "Sam" must not turn "Samples" into "[REDACTED]ples". */
const WHOLE_WORD_BELOW = 6;
/** Shorter values (a house number, an initial) would mangle every message and identify no one. */
const SHORTEST = 3;

/** The texts inside the fields of `envelope.data` its schema marks `x-lgx-pii`, longest first. */
export function personalDataValues(envelope: Pick<Envelope, 'dataschema' | 'data'>): string[] {
  const entry = typeof envelope.dataschema === 'string' ? schemaRegistry().getById(envelope.dataschema) : undefined;
  if (!entry) return [];
  const unique = [
    ...new Set(
      collectMarkedTexts(envelope.data, entry.schema, ['x-lgx-pii'])
        .map((v) => v.trim())
        .filter((v) => v.length >= SHORTEST),
    ),
  ];
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
  const pattern = new RegExp(
    values.map((v) => (v.length < WHOLE_WORD_BELOW ? `(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])` : escape(v))).join('|'),
    'giu',
  );
  return (text) => text.replace(pattern, REDACTED);
}
