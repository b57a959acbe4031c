import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lgx, scratch } from './helpers';

// Every step runs the lgx binary, a second or more each on a busy machine.
jest.setTimeout(120_000);

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What `lgx validate` says about a stack file with these lines: its exit code and stderr. */
async function validate(lines: string[]): Promise<{ code: number | null; stderr: string }> {
  writeFileSync(path.join(dir, 'lgx.yaml'), `${lines.join('\n')}\n`);
  const { code, stderr } = await lgx(['validate', 'lgx.yaml'], { cwd: dir, env: { WASTE_KEY: 'waste-test-key-0001' } });
  return { code, stderr };
}

const ROUTE = '  - { match: { type: street.report }, mode: one, targets: [potholes] }';
const CONFIG = "    config: { baseUrl: https://highways.example.gov.uk/open311/v2, apiKey: '${env:WASTE_KEY}' }";
/** A stack's first lines, up to its one adapter's package line, which each test writes. */
const HEAD = ['council: E07000223', 'adapters:', '  potholes:'];

describe('lgx validate on a broken stack', () => {
  it('suggests the installed adapter nearest to a package name that is not installed, with its line', async () => {
    const result = await validate([...HEAD, "    package: '@lgx/adapter-open-311'", CONFIG, 'routes:', ROUTE]);
    expect(result).toEqual({
      code: 1,
      stderr: [
        'lgx.yaml: 1 problem(s)',
        `  /adapters/potholes/package names adapter package '@lgx/adapter-open-311', which cannot be found from ${dir}: did you mean '@lgx/adapter-open311' (installed, adapter 'open311')? Otherwise install it: npm install @lgx/adapter-open-311 (line 4) [LGX_ERR_VALIDATION_INVALID]`,
        '',
      ].join('\n'),
    });
  });

  it('names a package with no installed adapter near it, and how to install it', async () => {
    const result = await validate([...HEAD, "    package: '@acme/confirm-highways'", 'routes:', ROUTE]);
    expect(result.stderr).toContain(
      `  /adapters/potholes/package names adapter package '@acme/confirm-highways', which cannot be found from ${dir} (install it: npm install @acme/confirm-highways) (line 4)`,
    );
  });

  it('flags a config value that looks like a shell variable, pointing to ${env:NAME}', async () => {
    const result = await validate([
      ...HEAD,
      "    package: '@lgx/adapter-open311'",
      '    config:',
      '      baseUrl: https://highways.example.gov.uk/open311/v2',
      '      apiKey: $WASTE_KEY',
      '  waste:',
      "    package: '@lgx/adapter-template'",
      '    config:',
      '      baseUrl: https://waste.example.gov.uk',
      '      apiKey: ${WASTE_KEY}',
      'routes:',
      ROUTE,
    ]);
    expect(result).toEqual({
      code: 1,
      stderr: [
        'lgx.yaml: 2 problem(s)',
        '  /adapters/potholes/config/apiKey is $WASTE_KEY, which looks like a shell variable: LGX does not expand those; write ${env:WASTE_KEY} to read the environment variable (a value that really is this text can come from a file: ${file:path}) (line 7) [LGX_ERR_VALIDATION_INVALID]',
        '  /adapters/waste/config/apiKey has ${WASTE_KEY}, which looks like a shell variable: LGX reads environment variables as ${env:WASTE_KEY} (line 12) [LGX_ERR_VALIDATION_INVALID]',
        '',
      ].join('\n'),
    });
  });

  it('says a key is at the wrong indentation, and where it belongs, rather than "check the spelling"', async () => {
    const result = await validate([
      ...HEAD,
      "    package: '@lgx/adapter-open311'",
      CONFIG,
      '  routes:',
      '    - match:',
      '        type: street.report',
      '        mode: one',
      '      targets: [potholes]',
    ]);
    expect(result).toEqual({
      code: 1,
      stderr: [
        'lgx.yaml: 1 problem(s)',
        "  /adapters/routes 'routes' is nested under 'adapters', but it belongs at the top level, beside 'adapters': check its indentation and line it up with 'adapters' (line 6) [LGX_ERR_VALIDATION_INVALID]",
        '',
      ].join('\n'),
    });
    // Moved to the top level, the route's own misplaced key is next.
    const fixed = await validate([
      ...HEAD,
      "    package: '@lgx/adapter-open311'",
      CONFIG,
      'routes:',
      '  - match:',
      '      type: street.report',
      '      mode: one',
      '    targets: [potholes]',
    ]);
    expect(fixed.stderr).toBe(
      [
        'lgx.yaml: 1 problem(s)',
        "  /routes/0/match/mode 'mode' is nested under 'match', but it belongs inside a route (an item of routes), beside 'match': check its indentation and line it up with 'match' (line 9) [LGX_ERR_VALIDATION_INVALID]",
        '',
      ].join('\n'),
    );
  });

  it('words YAML syntax errors for people, at the line and column of the mistake, with the line', async () => {
    const unquoted = await validate([...HEAD, '    package: @lgx/adapter-open311', CONFIG, 'routes:', ROUTE]);
    expect(unquoted).toEqual({
      code: 1,
      stderr: [
        'lgx.yaml: 1 problem(s)',
        "  a value cannot start with @ unless it is in quotes: put the whole value in quotes ('@…') (line 4, column 14) [LGX_ERR_VALIDATION_INVALID]",
        '    4 |     package: @lgx/adapter-open311',
        '      |              ^',
        '',
      ].join('\n'),
    });
    const indented = await validate([
      ...HEAD,
      "    package: '@lgx/adapter-open311'",
      '     config:',
      '      baseUrl: https://highways.example.gov.uk/open311/v2',
      'routes:',
      ROUTE,
    ]);
    expect(indented.stderr).toBe(
      [
        'lgx.yaml: 1 problem(s)',
        "  'config' starts in column 6, which lines it up with no key above it (the keys of one mapping start in the same column): move it to column 5 (like 'package' on line 4) (line 5, column 6) [LGX_ERR_VALIDATION_INVALID]",
        '    5 |      config:',
        '      |      ^',
        '',
      ].join('\n'),
    );
    // The route's closing brace is missing: the brace that opens it is the place to look.
    const unclosed = await validate([...HEAD, "    package: '@lgx/adapter-open311'", CONFIG, 'routes:', ROUTE.slice(0, -2)]);
    expect(unclosed.stderr).toBe(
      [
        'lgx.yaml: 1 problem(s)',
        '  the { opened here is never closed: end it with } on the same line (line 7, column 5) [LGX_ERR_VALIDATION_INVALID]',
        '    7 |   - { match: { type: street.report }, mode: one, targets: [potholes]',
        '      |     ^',
        '',
      ].join('\n'),
    );
  });

  it('masks config values in the line it shows: an inline secret in a broken line stays hidden', async () => {
    const result = await validate([
      ...HEAD,
      "    package: '@lgx/adapter-open311'",
      "    config: { baseUrl: https://highways.example.gov.uk/open311/v2, apiKey: 'sk-live-0123456789 }",
      'routes:',
      ROUTE,
    ]);
    expect(result.stderr).toBe(
      [
        'lgx.yaml: 1 problem(s)',
        "  the value that starts with the single quote here is never closed: end it with ' on the same line (line 5, column 76) [LGX_ERR_VALIDATION_INVALID]",
        "    5 |     config: { baseUrl: ***, apiKey: '***",
        '      |                                     ^',
        '',
      ].join('\n'),
    );
  });
});
