import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON: Options = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

/** Options that each take a text value, by name. */
export function textOptions(...names: readonly string[]): Options {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
}

/** Options that each take a text value and may be given more than once, by name. */
export function listOptions(...names: readonly string[]): Options {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' as const, multiple: true }]));
}

/** Parses a command's arguments strictly: an unknown option or a missing value is a usage error. */
export function parse(argv: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function str(values: Record<string, string | boolean | undefined>, name: string, fallback: string): string;
export function str(values: Record<string, string | boolean | undefined>, name: string): string | undefined;
export function str(values: Record<string, string | boolean | undefined>, name: string, fallback?: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : fallback;
}

/** A whole number option in a range. */
export function int(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export function need(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}
