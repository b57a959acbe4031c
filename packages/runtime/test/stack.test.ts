import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LgxError, LgxValidationError, type ValidationIssue } from '@lgx/core';
import {
  createStack,
  loadAdapters,
  loadStack,
  matchRoutes,
  stackSchema,
  validateStack,
  type StackConfig,
  type StackDefinition,
} from '../src/stack';

const FIXTURES = join(__dirname, 'fixtures');
const REPO_ROOT = join(__dirname, '..', '..', '..');
const WASTE_KEY = 'sk-live-waste-0123456789';
const NEW_KEY = 'sk-live-new-file-9876543210';
const HIGHWAYS_KEY = 'hw-secret-5555555555';
const env = { EXAMPLE_WASTE_KEY: WASTE_KEY, HIGHWAYS_KEY, HIGHWAYS_TENANT: 'tenant-42' };

let dir: string;

/** A copy of the fixture stack in a fresh temp dir, with its secret file beside it. */
function stackDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'lgx-stack-'));
  cpSync(join(FIXTURES, 'stacks'), root, { recursive: true });
  mkdirSync(join(root, 'secrets'));
  writeFileSync(join(root, 'secrets', 'new-key'), `${NEW_KEY}\n`);
  return root;
}

/** Writes a variant of the fixture stack and returns its path. */
function variant(name: string, edit: (yaml: string) => string): string {
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(join(dir, 'stack.yaml'), 'utf8')));
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<LgxError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LgxError);
    return error as LgxError;
  }
  throw new Error('expected a rejection');
}

function issuesOf(error: LgxError): readonly ValidationIssue[] {
  expect(error).toBeInstanceOf(LgxValidationError);
  return (error as LgxValidationError).issues;
}

/** Everything a thrown error could show: message, stack, JSON form and the cause's message. */
function everythingShown(error: LgxError): string {
  return [error.message, error.stack, JSON.stringify(error), String((error.cause as Error | undefined)?.message)].join('\n');
}

const minimal = (): StackConfig => ({
  council: 'E07000223',
  adapters: {
    waste: { package: '@lgx/adapter-template', config: { baseUrl: 'https://api.example-waste.test', apiKey: '${env:EXAMPLE_WASTE_KEY}' } },
  },
  routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
});

beforeEach(() => {
  dir = stackDir();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadStack', () => {
  it('loads a valid YAML stack with secrets resolved and mapping tables as data', async () => {
    const stack = await loadStack(join(dir, 'stack.yaml'), { env });

    expect(stack.council).toBe('E07000223');
    expect(Object.keys(stack.adapters)).toEqual(['waste', 'waste-new', 'highways', 'crm']);
    expect(stack.adapters.waste).toEqual({
      package: '@lgx/adapter-template',
      config: { baseUrl: 'https://api.example-waste.test', apiKey: WASTE_KEY },
    });
    // A reference may sit inside a longer string; $${ is a literal ${.
    expect(stack.adapters.highways?.config.baseUrl).toBe('https://highways.example.test/tenant-42/api');
    expect(stack.adapters.crm?.config).toEqual({ baseUrl: 'https://crm.example.test', apiKey: '${not-a-reference}', timeoutMs: 5000 });
    expect(stack.routes[0]).toEqual({ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'], shadow: ['waste-new'] });
    expect(stack.mappings).toEqual({
      service: { refuse: 'REF', recycling: 'BLUE', 'garden, green': 'GRN' },
      container: { '240L': 'BIN240', food: 'FOOD' },
    });
    expect(stack.secrets).toEqual(expect.arrayContaining([WASTE_KEY, NEW_KEY, HIGHWAYS_KEY]));
  });

  it('resolves ${file:…} relative to the stack file, not the working directory, without its trailing newline', async () => {
    expect(process.cwd()).not.toBe(dir);
    const stack = await loadStack(join(dir, 'stack.yaml'), { env });
    expect(stack.adapters['waste-new']?.config.apiKey).toBe(NEW_KEY);
  });

  it('names the key as a JSON pointer and its line for an unknown route mode', async () => {
    const file = variant('bad-mode.yaml', (y) => y.replace('    mode: one\n', '    mode: sometimes\n'));
    const error = await rejection(loadStack(file, { env }));

    expect(error.code).toBe('LGX_ERR_VALIDATION_INVALID');
    expect(issuesOf(error)).toEqual([
      expect.objectContaining({ path: '/routes/0/mode', rule: 'enum', params: expect.objectContaining({ line: 21 }) }),
    ]);
    expect(error.message).toContain(file);
    expect(error.message).toContain('/routes/0/mode');
    expect(error.message).toContain('line 21');
  });

  it('points a missing or misspelt key at its line', async () => {
    const file = variant('typo.yaml', (y) =>
      y.replace('    targets: [highways, crm]\n  - match: { lgsl', '    targetz: [highways, crm]\n  - match: { lgsl'),
    );
    const issues = issuesOf(await rejection(loadStack(file, { env })));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/routes/1/targetz', rule: 'additionalProperties', params: { line: 25 } }),
        // The missing key does not exist, so its route's line stands in.
        expect.objectContaining({ path: '/routes/1/targets', rule: 'required', params: { line: 23 } }),
      ]),
    );
  });

  it('refuses a route target that names no declared adapter', async () => {
    const file = variant('unknown-target.yaml', (y) =>
      y.replace('targets: [highways, crm]\n  - match: { lgsl', 'targets: [highway, crm]\n  - match: { lgsl'),
    );
    const issues = issuesOf(await rejection(loadStack(file, { env })));
    expect(issues).toEqual([
      expect.objectContaining({ path: '/routes/1/targets/0', rule: 'declaredAdapter', params: { adapter: 'highway', line: 25 } }),
    ]);
    expect(issues[0]?.message).toContain("'highway'");
  });

  it('refuses a shadow that names no declared adapter, and mode shadow without shadow targets', async () => {
    const file = variant('shadow.yaml', (y) =>
      y
        .replace('    shadow: [waste-new]\n  - match', '    shadow: [wastenew]\n  - match')
        .replace('    shadow: [waste-new]\nmappings', 'mappings'),
    );
    const issues = issuesOf(await rejection(loadStack(file, { env })));
    expect(issues.map((i) => [i.path, i.rule])).toEqual(expect.arrayContaining([['/routes/3/shadow', 'required']]));
    // Schema problems are reported first; fix them and the reference check speaks.
    const second = variant('shadow2.yaml', (y) => y.replace('    shadow: [waste-new]\n  - match', '    shadow: [wastenew]\n  - match'));
    const refs = issuesOf(await rejection(loadStack(second, { env })));
    expect(refs).toEqual([
      expect.objectContaining({ path: '/routes/0/shadow/0', rule: 'declaredAdapter', params: { adapter: 'wastenew', line: 22 } }),
    ]);
  });

  it('names a missing environment variable and never prints a secret value', async () => {
    const { EXAMPLE_WASTE_KEY: _unset, ...partial } = env;
    const error = await rejection(loadStack(join(dir, 'stack.yaml'), { env: partial }));

    expect(error.code).toBe('LGX_ERR_VALIDATION_INVALID');
    expect(issuesOf(error)).toEqual([
      expect.objectContaining({
        path: '/adapters/waste/config/apiKey',
        rule: 'secretResolvable',
        params: { env: 'EXAMPLE_WASTE_KEY', line: 8 },
      }),
    ]);
    expect(error.message).toContain('EXAMPLE_WASTE_KEY');
    const shown = everythingShown(error);
    for (const secret of [HIGHWAYS_KEY, NEW_KEY, 'tenant-42']) expect(shown).not.toContain(secret);
  });

  it('names an unreadable secret file and never prints the secrets that did resolve', async () => {
    rmSync(join(dir, 'secrets', 'new-key'));
    const error = await rejection(loadStack(join(dir, 'stack.yaml'), { env }));

    expect(issuesOf(error)).toEqual([
      expect.objectContaining({
        path: '/adapters/waste-new/config/apiKey',
        rule: 'secretResolvable',
        params: { file: './secrets/new-key', line: 11 },
      }),
    ]);
    expect(error.message).toContain(join(dir, 'secrets', 'new-key'));
    expect(error.message).toContain('ENOENT');
    const shown = everythingShown(error);
    for (const secret of [WASTE_KEY, HIGHWAYS_KEY]) expect(shown).not.toContain(secret);
  });

  it('shows the line of a YAML syntax error with its config values masked (one could be an inline secret)', async () => {
    const file = variant('broken.yaml', (y) => y.replace("apiKey: '${file:./secrets/new-key}' }", "apiKey: 'sk-inline-leaked-1234 }"));
    const error = await rejection(loadStack(file, { env }));
    // The quote that never closes is the mistake: where it opens, not the end of the file.
    expect(issuesOf(error)).toEqual([
      {
        path: '',
        rule: 'yaml',
        message: "the value that starts with the single quote here is never closed: end it with ' on the same line (line 11, column 58)",
        params: { line: 11, column: 58, text: "    config: { baseUrl: ***, apiKey: '***", caret: 37 },
      },
    ]);
    expect(everythingShown(error)).not.toContain('sk-inline-leaked');
    expect(everythingShown(error)).not.toMatch(/MISSING_CHAR|BAD_INDENT/);
  });

  it('loads a mapping CSV and refuses a duplicate council code with the file and line', async () => {
    const file = variant('dup.yaml', (y) => y.replace('./mappings/services.csv', './mappings/duplicate-services.csv'));
    const error = await rejection(loadStack(file, { env }));
    const csv = join(dir, 'mappings', 'duplicate-services.csv');

    expect(issuesOf(error)).toEqual([
      expect.objectContaining({ path: '/mappings/service', rule: 'mappingTable', params: { file: csv, line: 4 } }),
    ]);
    expect(error.message).toContain(`${csv} line 4`);
    expect(error.message).toContain('first at line 2');
  });

  it('refuses empty codes and rows without two columns in a mapping CSV', async () => {
    writeFileSync(join(dir, 'mappings', 'services.csv'), 'council,vendor\nrefuse,\n,BLUE\ngarden,GRN,extra\n');
    const issues = issuesOf(await rejection(loadStack(join(dir, 'stack.yaml'), { env })));
    expect(issues.map((i) => [i.params?.line, i.message.replace(/^.* line \d+: /, '')])).toEqual([
      [2, 'has an empty vendor code'],
      [3, 'has an empty council code'],
      [4, 'has 3 columns; expected 2 (council code, vendor code)'],
    ]);
  });

  it('refuses an alias bomb', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const error = await rejection(loadStack(file, { env }));
    expect(issuesOf(error)).toEqual([expect.objectContaining({ rule: 'maxAliasCount' })]);
  });

  it('refuses __proto__ keys with their line, before they reach an object', async () => {
    const file = variant('proto.yaml', (y) =>
      y.replace(
        '      baseUrl: https://api.example-waste.test\n',
        '      baseUrl: https://api.example-waste.test\n      __proto__: { polluted: true }\n',
      ),
    );
    const issues = issuesOf(await rejection(loadStack(file, { env })));
    expect(issues).toEqual([
      expect.objectContaining({ path: '/adapters/waste/config/__proto__', rule: 'propertyNames', params: { line: 8 } }),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses duplicate keys with their line', async () => {
    const file = variant('duplicate-key.yaml', (y) =>
      y.replace('    targets: [waste]\n    mode: one\n', '    targets: [waste]\n    mode: one\n    mode: all\n'),
    );
    const issues = issuesOf(await rejection(loadStack(file, { env })));
    expect(issues).toEqual([expect.objectContaining({ path: '/routes/0/mode', rule: 'uniqueKeys', params: { line: 22 } })]);
  });

  it('reports a stack file that does not exist', async () => {
    const error = await rejection(loadStack(join(dir, 'nope.yaml')));
    expect(error.message).toContain('nope.yaml');
    expect(error.message).toContain('ENOENT');
  });
});

describe('createStack', () => {
  it('refuses a config value that is a shell variable, but leaves lower-case $ expressions alone', async () => {
    const config = minimal();
    config.adapters.waste!.config = {
      baseUrl: 'https://api.example-waste.test',
      apiKey: '$EXAMPLE_WASTE_KEY',
      mapping: '$uppercase($uprn)',
      note: '$uprn',
      tenant: '${TENANT}',
    };
    const issues = issuesOf(await rejection(createStack(config, { env })));
    expect(issues.map((i) => [i.path, i.rule, i.params])).toEqual([
      ['/adapters/waste/config/apiKey', 'shellVariable', { env: 'EXAMPLE_WASTE_KEY' }],
      ['/adapters/waste/config/tenant', 'shellVariable', { env: 'TENANT' }],
    ]);
  });

  it('carries unit costs per service and channel for reports, none by default, and refuses a bad cost naming its key', async () => {
    expect((await createStack(minimal(), { env })).reporting).toBeUndefined();
    const unitCosts = { 'street.report': { web: 0.32, phone: 2.9 }, '*': { face_to_face: 7.4 } };
    expect((await createStack({ ...minimal(), reporting: { unitCosts } }, { env })).reporting).toEqual({ unitCosts });
    const issues = issuesOf(
      await rejection(
        createStack(
          { ...minimal(), reporting: { unitCosts: { 'street.report': { web: -1, fax: 2 } as never, 'Not A Type': {} } } },
          { env },
        ),
      ),
    );
    expect(issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['/reporting/unitCosts/street.report/web', 'minimum'],
        ['/reporting/unitCosts/street.report/fax', 'additionalProperties'],
      ]),
    );
    expect(issues.map((i) => [i.path, i.rule])).toContainEqual(['/reporting/unitCosts/Not A Type', 'propertyNames']);
  });

  it('carries retention periods per type, and refuses an unknown type or a malformed or negative period naming the field and rule', async () => {
    expect((await createStack(minimal(), { env })).retention).toBeUndefined();
    const retention = { default: '90d', types: { 'revenues.directDebitMandate': '2190d', 'street.report': '0d' } };
    expect((await createStack({ ...minimal(), retention }, { env })).retention).toEqual(retention);
    const issues = issuesOf(
      await rejection(
        createStack(
          { ...minimal(), retention: { default: '-5d', types: { 'street.reprot': '30d', 'waste.missedCollection': '30 days' } } },
          { env },
        ),
      ),
    );
    expect(issues.map((i) => [i.path, i.rule, i.message])).toEqual(
      expect.arrayContaining([
        ['/retention/default', 'pattern', 'must be a whole number of days followed by d, such as 30d (0d or more, at most 99999d)'],
        [
          '/retention/types/waste.missedCollection',
          'pattern',
          'must be a whole number of days followed by d, such as 30d (0d or more, at most 99999d)',
        ],
      ]),
    );
    // The type is checked once the periods are well formed (the schema first, then the whole stack).
    const unknown = issuesOf(await rejection(createStack({ ...minimal(), retention: { types: { 'street.reprot': '30d' } } }, { env })));
    expect(unknown).toEqual([
      expect.objectContaining({
        path: '/retention/types/street.reprot',
        rule: 'knownType',
        message: expect.stringMatching(/^'street.reprot' is not a transaction type \(types: .*street\.report/),
      }),
    ]);
  });

  it('validates and resolves a stack given from code', async () => {
    const stack = await createStack(
      { ...minimal(), mappings: { service: { refuse: 'REF' }, bins: { file: 'mappings/services.csv' } } },
      { env, cwd: dir },
    );
    expect(stack.adapters.waste?.config.apiKey).toBe(WASTE_KEY);
    expect(stack.mappings.bins?.recycling).toBe('BLUE');
    expect(stack.secrets).toEqual([WASTE_KEY]);
  });

  it('refuses mode shadow without shadow targets, a data match key that is not an identifier, and a package path', async () => {
    const config = minimal();
    config.adapters.waste = { package: '../../evil.js', config: {} };
    config.routes = [{ match: { type: 'x', data: { 'not-an-id': 'y' } }, mode: 'shadow', targets: ['waste'] }];
    const issues = issuesOf(await rejection(createStack(config, { env })));
    expect(issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['/adapters/waste/package', 'pattern'],
        ['/routes/0/match/data/not-an-id', 'propertyNames'],
        ['/routes/0/shadow', 'required'],
      ]),
    );
    expect(issues.find((i) => i.path === '/routes/0/match/data/not-an-id')?.message).toContain('plain identifier');
  });

  it('refuses a route with mode one and two targets, and a target that is also a shadow', async () => {
    const config = minimal();
    config.adapters.crm = { package: '@lgx/adapter-template' };
    config.routes = [{ match: {}, mode: 'one', targets: ['waste', 'crm'], shadow: ['crm'] }];
    const issues = issuesOf(await rejection(createStack(config, { env })));
    expect(issues.map((i) => [i.path, i.rule])).toEqual([
      ['/routes/0/targets', 'targetsForMode'],
      ['/routes/0/shadow/0', 'shadowDistinct'],
    ]);
  });

  it('refuses a __proto__ key from JSON.parse anywhere', async () => {
    const config = JSON.parse(
      '{"council":"E07000223","adapters":{"waste":{"package":"@lgx/adapter-template","config":{"nested":{"__proto__":{"x":1}}}}},"routes":[]}',
    ) as StackConfig;
    const issues = issuesOf(await rejection(createStack(config)));
    expect(issues).toEqual([expect.objectContaining({ path: '/adapters/waste/config/nested/__proto__', rule: 'propertyNames' })]);
  });

  it('refuses unknown keys and non-string mapping codes (a closed schema)', async () => {
    const config = { ...minimal(), extra: true, mappings: { service: { refuse: 123 } } } as unknown as StackConfig;
    const issues = issuesOf(await rejection(createStack(config, { env })));
    expect(issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['/extra', 'additionalProperties'],
        ['/mappings/service/refuse', 'type'],
      ]),
    );
  });

  it('publishes its schema as closed JSON Schema 2020-12', () => {
    expect(stackSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(stackSchema.additionalProperties).toBe(false);
  });
});

describe('the open311 section', () => {
  const withOpen311 = (services: NonNullable<StackConfig['open311']>['services']): StackConfig => ({ ...minimal(), open311: { services } });

  it('is carried into the definition as a copy', async () => {
    const services: NonNullable<StackConfig['open311']>['services'] = [
      {
        code: 'POT',
        name: 'Pothole',
        type: 'street.report',
        kind: 'pothole',
        attributes: [{ code: 'column', description: 'Column', datatype: 'string', field: 'assetReference' }],
      },
      {
        code: 'BIN',
        name: 'Damaged bin',
        type: 'waste.containerRequest',
        service: 'refuse',
        data: { reason: 'damaged' },
        attributes: [{ code: 'size', description: 'Size', datatype: 'number', field: 'container.sizeLitres' }],
      },
    ];
    const config = withOpen311(services);
    const definition = await createStack(config, { env });
    expect(definition.open311).toEqual({ services });
    services[0]!.name = 'changed';
    expect(definition.open311!.services[0]!.name).toBe('Pothole');
  });

  it('names each mistake: repeated codes, a missing kind or service, unknown fields, lists without values', async () => {
    const config = withOpen311([
      { code: 'A', name: 'A', type: 'street.report' },
      { code: 'A', name: 'B', type: 'waste.missedCollection' },
      {
        code: 'C',
        name: 'C',
        type: 'waste.containerRequest',
        service: 'refuse',
        data: { colour: 'green' },
        attributes: [
          { code: 'x', description: 'x', datatype: 'string', field: 'nonsense.deep' },
          { code: 'y', description: 'y', datatype: 'singlevaluelist' },
          { code: 'z', description: 'z', datatype: 'string', field: 'constructor.prototype' },
        ],
      },
    ]);
    const issues = issuesOf(await rejection(createStack(config, { env })));
    expect(issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['/open311/services/0', 'required'],
        ['/open311/services/1/code', 'uniqueServiceCode'],
        ['/open311/services/1', 'required'],
        ['/open311/services/2/data/colour', 'fieldForType'],
        ['/open311/services/2/attributes/0/field', 'fieldForType'],
        ['/open311/services/2/attributes/1', 'required'],
        ['/open311/services/2/attributes/2/field', 'fieldForType'],
      ]),
    );
  });
});

describe('matchRoutes', () => {
  let stack: StackDefinition;
  beforeEach(async () => {
    stack = await loadStack(join(dir, 'stack.yaml'), { env });
  });

  it('matches on type and returns targets, mode and shadow targets', () => {
    expect(matchRoutes(stack, { type: 'waste.missedCollection', council: 'E07000223', data: {} })).toEqual(
      expect.objectContaining({ index: 0, mode: 'one', targets: ['waste'], shadow: ['waste-new'] }),
    );
  });

  it('matches on top-level data fields by equality', () => {
    expect(matchRoutes(stack, { type: 'street.report', data: { kind: 'pothole' } })).toEqual(
      expect.objectContaining({ index: 1, mode: 'fallback', targets: ['highways', 'crm'], shadow: [] }),
    );
    expect(matchRoutes(stack, { type: 'street.report', data: { kind: 'graffiti' } })).toBeUndefined();
    expect(matchRoutes(stack, { type: 'waste.containerRequest', data: { urgent: true } })?.index).toBe(3);
    expect(matchRoutes(stack, { type: 'waste.containerRequest', data: { urgent: 'true' } })).toBeUndefined();
  });

  it('matches on lgsl and council together', () => {
    expect(matchRoutes(stack, { type: 'anything', lgsl: 524, council: 'E07000223' })?.index).toBe(2);
    expect(matchRoutes(stack, { type: 'anything', lgsl: 524, council: 'E07000224' })).toBeUndefined();
    expect(matchRoutes(stack, { type: 'anything', lgsl: 525, council: 'E07000223' })).toBeUndefined();
  });

  it('tries routes in order and returns the first match', () => {
    // Both route 0 (type) and route 2 (lgsl + council) match: the first wins.
    expect(matchRoutes(stack, { type: 'waste.missedCollection', lgsl: 524, council: 'E07000223' })?.index).toBe(0);
  });

  it('never matches a data field inherited from Object.prototype', async () => {
    const config = minimal();
    config.routes = [{ match: { data: { hasOwnProperty: 'x' } }, mode: 'one', targets: ['waste'] }];
    const own = await createStack(config, { env });
    expect(matchRoutes(own, { type: 't', data: {} })).toBeUndefined();
  });
});

describe('loadAdapters', () => {
  /** Copies a fake package from the fixtures into a temp node_modules (node_modules is never committed). */
  function install(fixture: string, name: string): string {
    const target = join(dir, 'node_modules', ...name.split('/'));
    cpSync(join(FIXTURES, 'adapter-packages', fixture), target, { recursive: true });
    return dir;
  }

  it('loads @lgx/adapter-template by package name, one definition per instance id, without creating instances', async () => {
    const stack = await loadStack(join(dir, 'stack.yaml'), { env });
    const adapters = await loadAdapters(stack, { resolveFrom: REPO_ROOT });

    expect(Object.keys(adapters)).toEqual(['waste', 'waste-new', 'highways', 'crm']);
    expect(adapters.waste?.manifest.id).toBe('template');
    expect(adapters.waste?.kind).toBe('lgx.adapter');
    expect(adapters['waste-new']).toBe(adapters.waste);
  });

  it('refuses a package that does not exist, naming it and the stack key', async () => {
    const stack = await createStack({ ...minimal(), adapters: { ghost: { package: '@acme/lgx-adapter-missing' } }, routes: [] });
    const error = await rejection(loadAdapters(stack, { resolveFrom: REPO_ROOT }));
    expect(error.message).toContain('@acme/lgx-adapter-missing');
    expect(issuesOf(error)).toEqual([expect.objectContaining({ path: '/adapters/ghost/package', rule: 'packageInstalled' })]);
  });

  it('refuses an adapter whose sdk range does not include this core, naming both versions', async () => {
    const from = install('lgx-adapter-future', '@acme/lgx-adapter-future');
    const stack = await createStack({ ...minimal(), adapters: { future: { package: '@acme/lgx-adapter-future' } }, routes: [] });
    const error = await rejection(loadAdapters(stack, { resolveFrom: from }));
    expect(error.code).toBe('LGX_ERR_ADAPTER_INCOMPATIBLE');
    expect(error.message).toContain('^9.0.0');
    expect(error.message).toContain('0.1.0');
  });

  it('refuses a package that exports no adapter, naming the package', async () => {
    const from = install('lgx-not-an-adapter', 'lgx-not-an-adapter');
    const stack = await createStack({ ...minimal(), adapters: { odd: { package: 'lgx-not-an-adapter' } }, routes: [] });
    const error = await rejection(loadAdapters(stack, { resolveFrom: from }));
    expect(error.code).toBe('LGX_ERR_ADAPTER_DEFINITION_INVALID');
    expect(error.message).toContain("'lgx-not-an-adapter' exports no adapter");
  });
});

describe('a key at the wrong place', () => {
  const issues = (value: unknown) => {
    const result = validateStack(value);
    return result.ok ? [] : result.issues.map((i) => [i.path, i.rule, i.message]);
  };
  const waste = { waste: { package: '@lgx/adapter-template' } };

  it('says where a key nested too deep or too shallow belongs, instead of the errors it causes', () => {
    expect(issues({ council: 'E07000223', adapters: { ...waste, open311: { services: [] } }, routes: [] })).toEqual([
      [
        '/adapters/open311',
        'misplacedKey',
        "'open311' is nested under 'adapters', but it belongs at the top level, beside 'adapters': check its indentation and line it up with 'adapters'",
      ],
    ]);
    expect(issues({ council: 'E07000223', adapters: waste, config: { baseUrl: 'x' }, routes: [] })).toEqual([
      [
        '/config',
        'misplacedKey',
        "'config' is at the top level, but it belongs inside an adapter (under adapters): check its indentation and indent it under adapters › <adapter id>",
      ],
    ]);
    expect(
      issues({
        council: 'E07000223',
        adapters: waste,
        routes: [{ match: {}, data: { kind: 'pothole' }, mode: 'one', targets: ['waste'] }],
      }),
    ).toEqual([
      [
        '/routes/0/data',
        'misplacedKey',
        "'data' is inside a route (an item of routes), but it belongs inside a route's match: check its indentation and indent it under match",
      ],
    ]);
    expect(
      issues({ council: 'E07000223', adapters: waste, routes: [{ match: {}, mode: 'one', targets: ['waste'], package: 'x' }] }),
    ).toEqual([
      [
        '/routes/0/package',
        'misplacedKey',
        "'package' is not allowed inside a route (an item of routes); a stack file has 'package' only inside an adapter (under adapters)",
      ],
    ]);
  });

  it('leaves a misspelt key, and an adapter that happens to share a key’s name, to the schema’s own words', () => {
    expect(issues({ council: 'E07000223', adapters: { waste: { pakage: 'x' } }, routes: [] })).toEqual([
      ['/adapters/waste/package', 'required', 'is required'],
      ['/adapters/waste/pakage', 'additionalProperties', 'is not a property this schema allows (check the spelling)'],
    ]);
    expect(issues({ council: 'E07000223', adapters: { open311: { config: {} } }, routes: [] })).toEqual([
      ['/adapters/open311/package', 'required', 'is required'],
    ]);
  });
});
