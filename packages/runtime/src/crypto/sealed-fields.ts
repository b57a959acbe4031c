import { redact, type JsonSchema } from '@lgx/core';
import { isSealed } from './sealed-value';

/** Stands in for a marked field while the marked places are found (never stored). */
const MARKER = '\u0000lgx-seal\u0000';

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function assign(out: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps a hostile '__proto__' key as data instead of changing the prototype.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `value` with every field its schema marks `x-lgx-pii` replaced by `seal(original, path)`,
 * `path` the field's JSON pointer below `base`. Finds the fields with the same schema walk masking
 * uses, so what is sealed is exactly what a masked read hides.
 */
export function sealMarkedFields(
  value: unknown,
  schema: JsonSchema,
  base: string,
  seal: (original: unknown, path: string) => string,
): unknown {
  const masked = redact(value, schema, { marks: ['x-lgx-pii'], mask: MARKER });
  const walk = (original: unknown, marked: unknown, path: string): unknown => {
    if (marked === MARKER) return seal(original, path);
    if (Array.isArray(original) && Array.isArray(marked)) return original.map((item, i) => walk(item, marked[i], `${path}/${i}`));
    if (typeof original === 'object' && original !== null && typeof marked === 'object' && marked !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(original))
        assign(out, key, walk(child, (marked as Record<string, unknown>)[key], `${path}/${escapePointer(key)}`));
      return out;
    }
    return original;
  };
  return walk(value, masked, base);
}

/** A copy of `value` with every sealed string replaced by `open(sealed, path)`; unchanged parts are shared. */
export function openSealedFields(value: unknown, base: string, open: (sealed: string, path: string) => unknown): unknown {
  if (isSealed(value)) return open(value, base);
  if (Array.isArray(value)) return value.map((item, i) => openSealedFields(item, `${base}/${i}`, open));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) assign(out, key, openSealedFields(child, `${base}/${escapePointer(key)}`, open));
    return out;
  }
  return value;
}

/** Whether `value` holds a sealed string anywhere. */
export function holdsSealed(value: unknown): boolean {
  if (isSealed(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSealed);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsSealed);
  return false;
}
