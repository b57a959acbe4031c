import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ValidationIssue } from '@lgx/core';

/** What secret resolution reads from. */
export interface SecretSources {
  env: Record<string, string | undefined>;
  /** Folder `${file:path}` is relative to. */
  cwd: string;
}

/** Config with its references replaced, and the values they resolved to (for log scrubbing). */
export interface ResolvedSecrets<T> {
  value: T;
  secrets: string[];
  issues: ValidationIssue[];
}

/** `${...}` references; `$${` writes a literal `${`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A whole value such as `$WASTE_KEY`: a shell variable, which LGX never expands. Upper case only, as
 * shells name exported variables, so JSONata expressions in config (`$uprn`, `$string(x)`) are left alone.
 */
const SHELL_VARIABLE = /^\$([A-Z_][A-Z0-9_]*)$/;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function readSecretFile(path: string, cwd: string): { ok: true; value: string } | { ok: false; reason: string; cause: unknown } {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    // Secret files (Docker, Kubernetes) usually end with a newline that is not part of the secret.
    return { ok: true, value: readFileSync(full, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, reason: `file ${full} cannot be read (${code})`, cause: error };
  }
}

function resolveString(text: string, path: string, sources: SecretSources, secrets: string[], issues: ValidationIssue[]): string {
  return text.replace(REFERENCE, (whole: string, body: string | undefined) => {
    if (whole === '$${') return '${';
    const ref = body ?? '';
    const colon = ref.indexOf(':');
    const kind = colon < 0 ? '' : ref.slice(0, colon);
    const target = colon < 0 ? '' : ref.slice(colon + 1).trim();
    let value: string | undefined;
    // Messages name the variable or file, never a value: they end up in logs and terminals.
    if (kind === 'env') {
      if (!ENV_NAME.test(target))
        issues.push({
          path,
          rule: 'secretResolvable',
          message: 'has a ${env:…} reference whose name is not a valid environment variable name',
        });
      else {
        value = sources.env[target];
        if (value === undefined || value === '') {
          issues.push({
            path,
            rule: 'secretResolvable',
            message: `refers to environment variable ${target}, which is ${value === undefined ? 'not set' : 'empty'}`,
            params: { env: target },
          });
          value = undefined;
        }
      }
    } else if (kind === 'file') {
      if (!target) issues.push({ path, rule: 'secretResolvable', message: 'has a ${file:…} reference without a path' });
      else {
        const read = readSecretFile(target, sources.cwd);
        if (read.ok && read.value !== '') value = read.value;
        else
          issues.push({
            path,
            rule: 'secretResolvable',
            message: `refers to a secret ${read.ok ? `file ${resolve(sources.cwd, target)}, which is empty` : read.reason}`,
            params: { file: target },
          });
      }
    } else if (colon < 0 && ENV_NAME.test(ref.trim())) {
      const name = ref.trim();
      issues.push({
        path,
        rule: 'shellVariable',
        message: `has \${${name}}, which looks like a shell variable: LGX reads environment variables as \${env:${name}}`,
        params: { env: name },
      });
    } else {
      issues.push({
        path,
        rule: 'secretResolvable',
        message: 'has a ${…} reference that is neither ${env:NAME} nor ${file:path} (write $${ for a literal ${)',
      });
    }
    if (value === undefined) return '';
    secrets.push(value);
    return value;
  });
}

function walk(value: unknown, path: string, sources: SecretSources, secrets: string[], issues: ValidationIssue[]): unknown {
  const shell = typeof value === 'string' ? SHELL_VARIABLE.exec(value) : null;
  if (shell) {
    // Sent as it stands, '$WASTE_KEY' would reach the back office as the key and fail there, much later.
    const name = shell[1]!;
    issues.push({
      path,
      rule: 'shellVariable',
      message: `is $${name}, which looks like a shell variable: LGX does not expand those; write \${env:${name}} to read the environment variable (a value that really is this text can come from a file: \${file:path})`,
      params: { env: name },
    });
    return value;
  }
  if (typeof value === 'string') return value.includes('${') ? resolveString(value, path, sources, secrets, issues) : value;
  if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}/${i}`, sources, secrets, issues));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, `${path}/${escapePointer(key)}`, sources, secrets, issues);
    return out;
  }
  return value;
}

/**
 * Replaces `${env:NAME}` and `${file:path}` anywhere in the strings of `value` (a reference may be
 * part of a longer string). Issues point at the config key and never contain a value.
 */
export function resolveSecrets<T>(value: T, path: string, sources: SecretSources): ResolvedSecrets<T> {
  const secrets: string[] = [];
  const issues: ValidationIssue[] = [];
  const resolved = walk(value, path, sources, secrets, issues) as T;
  return { value: resolved, secrets: [...new Set(secrets)], issues };
}
