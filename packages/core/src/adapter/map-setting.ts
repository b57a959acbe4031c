/** Property names that would reach an object's prototype if a map were read carelessly. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype'] as const;

/** How a map in an adapter's configuration is bounded. */
export interface MapSettingOptions<V> {
  /** The pattern every key must match. */
  keys: string;
  /** The JSON Schema of every value. */
  values: V;
  /** Default 200 entries. */
  maxProperties?: number;
  description?: string;
}

/**
 * The JSON Schema of a map in an adapter's configuration (canonical code -> vendor value, attribute ->
 * column): keys bounded by a pattern and never a prototype name, values by their own schema, and the
 * number of entries bounded, so every adapter refuses a bad map the same way and names the rule.
 */
export function mapSetting<V>(options: MapSettingOptions<V>) {
  return {
    type: 'object',
    maxProperties: options.maxProperties ?? 200,
    propertyNames: { pattern: options.keys, not: { enum: PROTOTYPE_NAMES } },
    additionalProperties: options.values,
    ...(options.description === undefined ? {} : { description: options.description }),
  } as const;
}

/** Keys of a map from canonical codes (`urgent`, `street-lighting`, `lgsl:524`). */
export const CANONICAL_CODE_KEYS = '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$';

/** Keys of a map from a transaction's `attributes` names. */
export const ATTRIBUTE_NAME_KEYS = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
