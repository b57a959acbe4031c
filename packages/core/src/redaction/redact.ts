import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import type { JsonSchema } from '../types';

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

interface Plan {
  mask: boolean;
  props: Map<string, Plan>;
  items: Plan | undefined;
  rest: Plan | undefined;
}

const emptyPlan = (): Plan => ({ mask: false, props: new Map(), items: undefined, rest: undefined });

function mergeInto(target: Plan, source: Plan): void {
  if (target === source) return;
  target.mask ||= source.mask;
  for (const [name, plan] of source.props) {
    const existing = target.props.get(name);
    if (existing) mergeInto(existing, plan);
    else target.props.set(name, plan);
  }
  if (source.items) mergeInto((target.items ??= emptyPlan()), source.items);
  if (source.rest) mergeInto((target.rest ??= emptyPlan()), source.rest);
}

function pointer(root: JsonSchema, fragment: string): JsonSchema | undefined {
  if (fragment === '' || fragment === '/') return root;
  let node: unknown = root;
  for (const raw of fragment.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return typeof node === 'object' && node !== null ? (node as JsonSchema) : undefined;
}

class Planner {
  private readonly memo = new Map<string, Plan>();
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly marks: readonly MarkKeyword[],
  ) {}

  private resolve(
    ref: string,
    root: JsonSchema,
    base: string,
  ): { schema: JsonSchema; root: JsonSchema; base: string; key: string } | undefined {
    if (ref.startsWith('#')) {
      const schema = pointer(root, ref.slice(1));
      return schema ? { schema, root, base, key: `${base}${ref}` } : undefined;
    }
    let absolute: URL;
    try {
      absolute = new URL(ref, base);
    } catch {
      return undefined;
    }
    const id = absolute.href.replace(/#.*$/, '');
    const entry = this.registry.getById(id);
    if (!entry) return undefined;
    const schema = pointer(entry.schema, absolute.hash.slice(1));
    return schema ? { schema, root: entry.schema, base: id, key: absolute.href } : undefined;
  }

  plan(schema: unknown, root: JsonSchema, base: string): Plan {
    const plan = emptyPlan();
    if (typeof schema !== 'object' || schema === null) return plan;
    const s = schema as JsonSchema;
    if (this.marks.some((mark) => s[mark] === true)) plan.mask = true;
    if (typeof s.$ref === 'string') {
      const target = this.resolve(s.$ref, root, base);
      if (target) {
        let shared = this.memo.get(target.key);
        if (!shared) {
          shared = emptyPlan();
          this.memo.set(target.key, shared); // placeholder first: recursive schemas terminate
          mergeInto(shared, this.plan(target.schema, target.root, target.base));
        }
        mergeInto(plan, shared);
      }
    }
    const props = s.properties;
    if (typeof props === 'object' && props !== null) {
      for (const [name, sub] of Object.entries(props)) plan.props.set(name, this.plan(sub, root, base));
    }
    if (s.items !== undefined && typeof s.items === 'object') plan.items = this.plan(s.items, root, base);
    if (Array.isArray(s.prefixItems)) for (const sub of s.prefixItems) mergeInto((plan.items ??= emptyPlan()), this.plan(sub, root, base));
    if (typeof s.additionalProperties === 'object') plan.rest = this.plan(s.additionalProperties, root, base);
    if (typeof s.patternProperties === 'object' && s.patternProperties !== null) {
      for (const sub of Object.values(s.patternProperties)) mergeInto((plan.rest ??= emptyPlan()), this.plan(sub, root, base));
    }
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = s[keyword];
      if (Array.isArray(branches)) for (const sub of branches) mergeInto(plan, this.plan(sub, root, base));
    }
    for (const keyword of ['then', 'else'] as const) if (s[keyword] !== undefined) mergeInto(plan, this.plan(s[keyword], root, base));
    return plan;
  }
}

function apply(value: unknown, plan: Plan | undefined, mask: string): unknown {
  if (!plan) return value;
  if (plan.mask) return value === undefined || value === null ? value : mask;
  if (Array.isArray(value)) return value.map((item) => apply(item, plan.items, mask));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty keeps a hostile '__proto__' key as data instead of changing the prototype.
      Object.defineProperty(out, key, {
        value: apply(child, plan.props.get(key) ?? plan.rest, mask),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

const plans = new WeakMap<object, Map<string, Plan>>();

/** The schema keywords that mark a field for masking. */
export type MarkKeyword = 'x-lgx-pii' | 'x-lgx-secret';

export interface RedactOptions {
  /** Which marks to mask (default both personal data and secrets). */
  marks?: readonly MarkKeyword[];
  /** Registry used to resolve `$ref`s to canonical schemas (default: the canonical registry). */
  registry?: SchemaRegistry;
  /** Replacement text (default `[REDACTED]`). */
  mask?: string;
}

/**
 * A copy of `value` in which every field the schema marks `x-lgx-pii` or `x-lgx-secret` is replaced by
 * `[REDACTED]`. Follows `$ref` (also into the canonical shared definitions), `allOf`/`anyOf`/`oneOf`,
 * `items`, `additionalProperties` and `if/then/else`; a field marked in any branch is masked.
 */
export function redact<T>(value: T, schema: JsonSchema, options: RedactOptions = {}): T {
  const registry = options.registry ?? schemaRegistry();
  const marks = options.marks ?? (['x-lgx-pii', 'x-lgx-secret'] as const);
  const marksKey = marks.join(',');
  let cache = options.registry ? undefined : plans.get(schema);
  let plan = cache?.get(marksKey);
  if (!plan) {
    const base = typeof schema.$id === 'string' ? schema.$id : 'urn:lgx:anonymous-schema';
    plan = new Planner(registry, marks).plan(schema, schema, base);
    if (!options.registry) {
      if (!cache) plans.set(schema, (cache = new Map()));
      cache.set(marksKey, plan);
    }
  }
  return apply(value, plan, options.mask ?? REDACTED) as T;
}

/**
 * A copy of a transaction envelope with personal data in `data` masked according to its `dataschema`.
 * If the schema is unknown the whole `data` is masked: unknown means unsafe to show.
 */
export function redactTransaction<T extends { dataschema?: unknown; data?: unknown }>(envelope: T, options: RedactOptions = {}): T {
  const registry = options.registry ?? schemaRegistry();
  const entry = typeof envelope.dataschema === 'string' ? registry.getById(envelope.dataschema) : undefined;
  const data = entry ? redact(envelope.data, entry.schema, options) : envelope.data === undefined ? undefined : (options.mask ?? REDACTED);
  return { ...envelope, data };
}

/** Where to look for marked fields: a value, its schema, the marks, and the redaction options that apply. */
type MarkedSearch = [value: unknown, schema: JsonSchema, marks: readonly MarkKeyword[], options?: Omit<RedactOptions, 'marks' | 'mask'>];

/** The original value of every field carrying one of `marks` in `value`, in document order. */
function markedOriginals(...[value, schema, marks, options = {}]: MarkedSearch): unknown[] {
  const found: unknown[] = [];
  const marker = '\u0000lgx-marked\u0000';
  const masked = redact(value, schema, { ...options, mask: marker, marks });
  const walk = (original: unknown, redacted: unknown): void => {
    if (redacted === marker) found.push(original);
    else if (Array.isArray(original) && Array.isArray(redacted)) original.forEach((o, i) => walk(o, redacted[i]));
    else if (typeof original === 'object' && original !== null && typeof redacted === 'object' && redacted !== null) {
      for (const key of Object.keys(original)) walk((original as Record<string, unknown>)[key], (redacted as Record<string, unknown>)[key]);
    }
  };
  walk(value, masked);
  return found;
}

/**
 * The values of every field carrying one of `marks` in `value`, as strings (to scrub from log lines, or
 * for a test to look for in output). Objects and numbers are returned as their JSON text.
 */
export function collectMarkedValues(...search: MarkedSearch): string[] {
  return markedOriginals(...search).flatMap((original) =>
    typeof original === 'string' && original.length > 0
      ? [original]
      : original !== null && original !== undefined
        ? [JSON.stringify(original)]
        : [],
  );
}

function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) leaves(item, out);
}

/**
 * Every text and number inside the fields carrying one of `marks`, each on its own: a marked address
 * gives its street, town and postcode separately, as they would appear in a message. Without repeats.
 */
export function collectMarkedTexts(...search: MarkedSearch): string[] {
  const found: string[] = [];
  for (const original of markedOriginals(...search)) leaves(original, found);
  return [...new Set(found)];
}

/** The values of every `x-lgx-secret` field in `value` (to scrub from log lines and errors). */
export function collectSecrets(value: unknown, schema: JsonSchema, options: Omit<RedactOptions, 'marks' | 'mask'> = {}): string[] {
  return collectMarkedValues(value, schema, ['x-lgx-secret'], options);
}
