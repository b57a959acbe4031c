import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LgxError, LgxValidationError, PROTOTYPE_KEYS, type ValidationIssue } from '@lgx/core';
import { loadMappingTable } from './mapping-tables';
import { resolveSecrets } from './resolve-secrets';
import { withLines, type StackSource } from './stack-lines';
import { validateStack } from './validate-stack';
import { parseStackYaml } from './yaml-source';
import type { StackConfig, StackDefinition, StackOptions, StackOutline, StackRoute } from './stack-types';

/** Largest stack file read: a real one is a few kilobytes, so anything bigger is a mistake or an attack. */
export const MAX_STACK_BYTES = 1024 * 1024;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reserved keys in a stack given from code (JSON.parse keeps `__proto__` as an own key). */
function findReservedKeys(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => findReservedKeys(item, `${path}/${i}`, issues));
  else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const at = `${path}/${escapePointer(key)}`;
      if (PROTOTYPE_KEYS.has(key))
        issues.push({
          path: at,
          rule: 'propertyNames',
          message: `uses the reserved key '${key}', which is refused to prevent prototype pollution`,
        });
      else findReservedKeys((value as Record<string, unknown>)[key], at, issues);
    }
  }
}

function copyRoute(route: StackRoute): StackRoute {
  const copy: StackRoute = { match: { ...route.match }, mode: route.mode, targets: [...route.targets] };
  if (route.match.data) copy.match.data = { ...route.match.data };
  if (route.shadow) copy.shadow = [...route.shadow];
  return copy;
}

/** The stack's shape checked: reserved keys, the schema and the rules that need the whole stack. */
function checkShape(value: unknown, subject: string, source?: StackSource): StackConfig {
  const reserved: ValidationIssue[] = [];
  findReservedKeys(value, '', reserved);
  if (reserved.length) throw new LgxValidationError(withLines(reserved, source), { subject });
  const checked = validateStack(value);
  if (!checked.ok) throw new LgxValidationError(withLines(checked.issues, source), { subject });
  return checked.value;
}

/** The key-encryption key's reference resolved; an inline key is refused (it would sit in the stack file). */
function resolveEncryptionKey(
  config: StackConfig,
  options: Required<StackOptions>,
  issues: ValidationIssue[],
  secrets: string[],
): { key: string; file?: string } | undefined {
  const reference = config.encryption?.key;
  if (reference === undefined) return undefined;
  if (!/^\$\{(env|file):[^}]+\}$/.test(reference.trim())) {
    issues.push({
      path: '/encryption/key',
      rule: 'secretReference',
      message: 'must be a ${env:NAME} or ${file:path} reference, never the key itself',
    });
    return undefined;
  }
  const resolved = resolveSecrets(reference, '/encryption/key', { env: options.env, cwd: options.cwd });
  issues.push(...resolved.issues);
  secrets.push(...resolved.secrets);
  if (resolved.issues.length) return undefined;
  const file = /^\$\{file:([^}]+)\}$/.exec(reference.trim())?.[1]?.trim();
  return { key: resolved.value, ...(file ? { file: isAbsolute(file) ? file : resolve(options.cwd, file) } : {}) };
}

function buildStack(value: unknown, options: Required<StackOptions>, subject: string, source?: StackSource): StackDefinition {
  const config = checkShape(value, subject, source);
  const issues: ValidationIssue[] = [];
  const secrets: string[] = [];
  const encryptionKey = resolveEncryptionKey(config, options, issues, secrets);
  const adapters: StackDefinition['adapters'] = {};
  for (const [id, adapter] of Object.entries(config.adapters)) {
    const resolved = resolveSecrets(adapter.config ?? {}, `/adapters/${escapePointer(id)}/config`, { env: options.env, cwd: options.cwd });
    issues.push(...resolved.issues);
    secrets.push(...resolved.secrets);
    adapters[id] = { package: adapter.package, config: resolved.value };
  }
  const mappings: StackDefinition['mappings'] = {};
  for (const [name, mapping] of Object.entries(config.mappings ?? {})) {
    const loaded = loadMappingTable(mapping, `/mappings/${escapePointer(name)}`, options.cwd);
    if (loaded.ok) mappings[name] = loaded.table;
    else issues.push(...loaded.issues);
  }
  if (issues.length) throw new LgxValidationError(withLines(issues, source), { subject });
  const definition: StackDefinition = {
    council: config.council,
    adapters,
    routes: config.routes.map(copyRoute),
    mappings,
    secrets: [...new Set(secrets)],
  };
  if (source) definition.source = source;
  // A deep copy, so the running stack never shares objects with the caller's configuration.
  if (config.open311) definition.open311 = structuredClone(config.open311);
  if (config.reporting) definition.reporting = structuredClone(config.reporting);
  if (config.retention) definition.retention = structuredClone(config.retention);
  if (config.quotas) definition.quotas = { ...config.quotas };
  if (encryptionKey !== undefined) definition.encryption = encryptionKey;
  return definition;
}

function defaults(options: StackOptions, cwd: string): Required<StackOptions> {
  return { env: options.env ?? process.env, cwd: resolve(options.cwd ?? cwd) };
}

/**
 * Validates and resolves a stack given from code: `${env:…}` and `${file:…}` references in adapter
 * config, mapping files relative to `options.cwd` (default: the working directory).
 * Throws LGX_ERR_VALIDATION_INVALID with every issue found, each naming its key as a JSON pointer.
 */
export async function createStack(config: StackConfig, options: StackOptions = {}): Promise<StackDefinition> {
  return buildStack(config, defaults(options, process.cwd()), 'stack');
}

/** Reads and parses a stack file, within the size limit. */
async function readStackFile(file: string): Promise<{ path: string; subject: string; value: unknown; source: StackSource }> {
  const path = resolve(file);
  const subject = `stack ${path}`;
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_STACK_BYTES) {
      throw new LgxError('LGX_ERR_VALIDATION_TOO_LARGE', `${subject} is ${info.size} bytes; the limit is ${MAX_STACK_BYTES}`, {
        details: { file: path, limit: MAX_STACK_BYTES },
      });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof LgxError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new LgxValidationError([{ path: '', rule: 'readable', message: `cannot be read (${code})` }], { subject, cause: error });
  }
  const parsed = parseStackYaml(text, subject);
  return { path, subject, value: parsed.value, source: { file: path, lines: parsed.lines } };
}

/**
 * Loads a stack from a YAML file: refuses duplicate keys, reserved keys and alias bombs, validates
 * against `stackSchema` and resolves secrets and mapping files relative to the file's folder.
 * Issues name the key as a JSON pointer and its line in the file; no message holds a secret value.
 */
export async function loadStack(file: string, options: StackOptions = {}): Promise<StackDefinition> {
  const { path, subject, value, source } = await readStackFile(file);
  return buildStack(value, defaults(options, dirname(path)), subject, source);
}

/**
 * Loads what the store side of a stack needs (its council, adapter instances and routes), checked
 * like `loadStack` but without resolving secrets or reading mapping files: commands that only read
 * or change the store (API keys, dead letters, status) work where the adapters' secrets are not set.
 * Nothing here can create an adapter; `openStack` needs the full `loadStack`.
 */
/**
 * A stack file's council and its key-encryption key, resolved from its `${env:…}` or `${file:…}`
 * reference (undefined when the stack has none), without resolving any adapter's secrets: what key
 * commands (`lgx keys rotate-data-key`) need.
 */
export async function loadStackEncryptionKey(
  file: string,
  options: StackOptions = {},
): Promise<{ council: string; key: string | undefined }> {
  const { path, subject, value, source } = await readStackFile(file);
  const config = checkShape(value, subject, source);
  const issues: ValidationIssue[] = [];
  const key = resolveEncryptionKey(config, defaults(options, dirname(path)), issues, []);
  if (issues.length) throw new LgxValidationError(withLines(issues, source), { subject });
  return { council: config.council, key: key?.key };
}

export async function loadStackOutline(file: string): Promise<StackOutline> {
  const { subject, value, source } = await readStackFile(file);
  const config = checkShape(value, subject, source);
  const adapters: StackOutline['adapters'] = {};
  for (const [id, adapter] of Object.entries(config.adapters)) adapters[id] = { package: adapter.package };
  return {
    council: config.council,
    adapters,
    routes: config.routes.map(copyRoute),
    ...(config.reporting ? { reporting: structuredClone(config.reporting) } : {}),
    ...(config.retention ? { retention: structuredClone(config.retention) } : {}),
  };
}
