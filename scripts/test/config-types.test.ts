import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_TYPES, generateConfigTypes } from '../generators/config-types';
import { repoRoot } from '../generators/schema-files';

type Schema = { [keyword: string]: unknown };

const entry = (name: string) => CONFIG_TYPES.find((c) => c.name === name)!;
const onDisk = (name: string) => fs.readFileSync(path.join(repoRoot, entry(name).file), 'utf8');
/** The types generated from a changed copy of a configuration's schema. */
function generatedWith(name: string, change: (schema: Schema) => void): string {
  const schema = structuredClone(entry(name).schema) as Schema;
  change(schema);
  return generateConfigTypes({ ...entry(name), schema });
}
const at = (schema: Schema, ...keys: string[]): Schema => keys.reduce((node, k) => node[k] as Schema, schema);

// generated.test.ts checks every generated file is current; these show that a schema change changes the
// generated types, so a schema changed without regenerating its types fails that check.
describe('configuration types generated from their schemas', () => {
  it('cover the stack file and every adapter but the template', () => {
    const adapters = fs
      .readdirSync(path.join(repoRoot, 'packages', 'adapters'))
      .filter((dir) => dir !== 'template' && fs.existsSync(path.join(repoRoot, 'packages', 'adapters', dir, 'src', 'config.ts')));
    const files = CONFIG_TYPES.map((c) => c.file);
    expect(files).toContain('packages/runtime/src/generated/stack-config.ts');
    expect(adapters.filter((dir) => !files.includes(`packages/adapters/${dir}/src/generated/config-types.ts`))).toEqual([]);
  });

  it('follow a property added to the stack schema, so the checked-in StackConfig no longer passes the check', () => {
    const changed = generatedWith('StackConfig', (schema) => {
      at(schema, 'properties').retentionDays = { type: 'integer', minimum: 1, description: 'Days an envelope is kept.' };
    });
    expect(changed).not.toBe(onDisk('StackConfig'));
    expect(changed).toContain('  /** Days an envelope is kept. */\n  retentionDays?: number;\n');
  });

  it('follow required properties and enums of the stack schema', () => {
    const changed = generatedWith('StackConfig', (schema) => {
      (at(schema, 'required') as unknown as string[]).push('mappings');
      (at(schema, '$defs', 'route', 'properties', 'mode', 'enum') as unknown as string[]).push('broadcast');
    });
    expect(onDisk('StackConfig')).toContain('  mappings?: {');
    expect(changed).toContain('  mappings: {');
    expect(changed).toContain('export type RouteMode = "one" | "all" | "fallback" | "shadow" | "broadcast";');
  });

  it("follow an adapter's config schema", () => {
    const changed = generatedWith('GovukPayConfig', (schema) => {
      (at(schema, 'required') as unknown as string[]).push('webhookSigningSecret');
    });
    expect(onDisk('GovukPayConfig')).toMatch(/\n {2}webhookSigningSecret\?: string;/);
    expect(changed).toMatch(/\n {2}webhookSigningSecret: string;/);
  });

  it('type discriminated branches as unions of their shapes', () => {
    const soap = onDisk('SoapAdapterConfig');
    expect(soap).toMatch(/type: "wsSecurity";\n\s+username: string;\n\s+password: string;/);
    expect(soap).toMatch(/type: "session";\n\s+login: \{/);
    expect(onDisk('RestAdapterConfig')).toMatch(
      /\| \{\n\s+type: "apiKey";\n\s+in: "header" \| "query";\n\s+name: string;\n\s+value: string;\n\s*\}/,
    );
    expect(onDisk('StackConfig')).toContain('export type MappingSource = ({\n  file: string;\n} | {\n  [key: string]: string;\n});');
  });
});
