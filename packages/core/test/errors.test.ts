import fs from 'node:fs';
import path from 'node:path';
import * as core from '@lgx/core';
import { ERROR_CODES, errorCodes, httpStatusOf, LgxError } from '@lgx/core';
import { repoRoot } from './helpers';

const docs = fs.readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');
const documented = [...docs.matchAll(/^## (LGX_ERR_[A-Z_]+)\s*$/gm)].map((m) => m[1]);

function sources(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) =>
      e.isDirectory()
        ? sources(path.join(dir, e.name))
        : e.name.endsWith('.ts') && !dir.includes('generated')
          ? fs.readFileSync(path.join(dir, e.name), 'utf8')
          : '',
    )
    .join('\n');
}

describe('error table', () => {
  it('every code follows LGX_ERR_<AREA>_<WHAT> and has a summary', () => {
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^LGX_ERR_[A-Z]+_[A-Z_]+$/);
      expect(errorCodes[code].summary.length).toBeGreaterThan(10);
    }
  });

  it('docs/errors.md documents exactly the codes in the table, in the same order', () => {
    expect(documented).toEqual(ERROR_CODES);
  });

  it('docs/errors.md gives each code the HTTP status of its table entry', () => {
    const stated = new Map(
      docs
        .split(/^## /m)
        .slice(1)
        .map((section) => [section.slice(0, section.indexOf('\n')).trim(), /^\*\*HTTP status:\*\* (\d{3})\b/m.exec(section)?.[1]]),
    );
    for (const code of ERROR_CODES) expect([code, stated.get(code)]).toEqual([code, String(errorCodes[code].httpStatus)]);
    expect(httpStatusOf('LGX_ERR_GATEWAY_FORBIDDEN')).toBe(403);
    // A code from elsewhere (an adapter's own, a newer core's) is answered as an unexpected failure.
    expect(httpStatusOf('LGX_ERR_ACME_SOMETHING')).toBe(500);
  });

  it('every live code is thrown somewhere in the packages (no dead entries)', () => {
    // Adapters in this repository throw codes of their own too (e.g. the REST adapter's OpenAPI check).
    const adapters = fs.readdirSync(path.join(repoRoot, 'packages', 'adapters')).map((a) => path.join('adapters', a));
    const code = ['core', 'runtime', 'gateway', 'cli', 'testkit', ...adapters]
      .map((p) => sources(path.join(repoRoot, 'packages', p, 'src')))
      .join('\n');
    for (const c of ERROR_CODES) {
      if ((errorCodes[c] as { retired?: boolean }).retired) continue;
      const uses = code.split(`'${c}'`).length - 1;
      // One occurrence is the table itself.
      expect([c, uses >= 1]).toEqual([c, true]);
    }
  });

  it('every exported error class carries a code from the table and keeps its cause', () => {
    const classes = Object.entries(core).filter(([, v]) => typeof v === 'function' && v.prototype instanceof LgxError) as [
      string,
      new (...a: never[]) => LgxError,
    ][];
    expect(classes.map(([n]) => n).sort()).toEqual(
      [
        'AuthError',
        'LgxAdapterError',
        'LgxSchemaError',
        'LgxValidationError',
        'NotFoundError',
        'PermanentError',
        'RateLimitedError',
        'RetryableError',
        'UnsupportedError',
      ].sort(),
    );
    const cause = new Error('socket hang up');
    for (const [name, Cls] of classes) {
      if (name === 'LgxAdapterError') continue;
      const args: unknown[] =
        name === 'LgxValidationError'
          ? [[], { cause }]
          : name === 'LgxSchemaError'
            ? ['LGX_ERR_SCHEMA_DUPLICATE', 'x', { cause }]
            : ['x', { cause }];
      const error = new (Cls as unknown as new (...a: unknown[]) => LgxError)(...args);
      expect(ERROR_CODES).toContain(error.code);
      expect(error.cause).toBe(cause);
      expect(error.name).toBe(name);
    }
  });

  it('classifies adapter errors for the runtime', () => {
    expect(core.classifyError(new core.RateLimitedError('slow down', { retryAfterMs: 2000 }))).toBe('rateLimited');
    expect(core.classifyError(new core.PermanentError('bad', { vendorCode: 'P0102', status: 400 }))).toBe('permanent');
    expect(core.classifyError(new Error('unknown'))).toBe('retryable');
    expect(core.classifyError(null)).toBe('retryable');
    expect(JSON.parse(JSON.stringify(new core.PermanentError('bad', { vendorCode: 'P0102', status: 400 })))).toEqual({
      name: 'PermanentError',
      code: 'LGX_ERR_ADAPTER_PERMANENT',
      message: 'bad',
      classification: 'permanent',
      vendorCode: 'P0102',
      status: 400,
    });
  });
});
