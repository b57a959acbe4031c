import { loadFixtures, loadSchemas, parseId, type Json } from './schema-files';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function refLabel(ref: string): string {
  const m = /#\/\$defs\/(.+)$/.exec(ref);
  if (!m) return ref;
  return ref.includes('defs/v1.json') ? `[${m[1]}](defs.md#${m[1]!.toLowerCase()})` : m[1]!;
}

function typeLabel(schema: unknown): string {
  if (!isObj(schema)) return 'any';
  if (typeof schema.$ref === 'string') return refLabel(schema.$ref);
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (schema.type === 'array') return `array of ${typeLabel(schema.items)}`;
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const branches = ((schema.anyOf ?? schema.oneOf) as unknown[]).filter(
      (b) => isObj(b) && (b.type || b.$ref || b.enum || b.const !== undefined),
    );
    if (branches.length && !schema.type) return branches.map(typeLabel).join(' or ');
  }
  const t = schema.type;
  let label = typeof t === 'string' ? t : 'any';
  if (typeof schema.format === 'string') label += ` (${schema.format})`;
  return label;
}

function constraints(schema: Json): string {
  const bits: string[] = [];
  if (typeof schema.pattern === 'string') bits.push(`pattern \`${schema.pattern}\``);
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const)
    if (typeof schema[k] === 'number') bits.push(`${k} ${schema[k] as number}`);
  return bits.join('; ');
}

function rows(schema: Json, prefix: string, out: string[], depth: number): void {
  const props = isObj(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, raw] of Object.entries(props)) {
    const sub = isObj(raw) ? raw : {};
    const pii = sub['x-lgx-pii'] === true ? 'yes' : '';
    const desc = [typeof sub.description === 'string' ? sub.description : '', constraints(sub)].filter(Boolean).join(' ');
    out.push(`| \`${prefix}${name}\` | ${cell(typeLabel(sub))} | ${required.has(name) ? 'yes' : ''} | ${pii} | ${cell(desc)} |`);
    const nested = sub.type === 'array' && isObj(sub.items) ? sub.items : sub;
    if (depth < 3 && isObj(nested.properties) && !nested.$ref)
      rows(nested, `${prefix}${name}${nested === sub ? '' : '[]'}.`, out, depth + 1);
  }
}

function propertyTable(schema: Json): string {
  const out = ['| field | type | required | personal data | notes |', '|---|---|---|---|---|'];
  rows(schema, '', out, 0);
  return out.join('\n');
}

function schemaSection(schema: Json, heading: string): string {
  const id = String(schema.$id);
  const parsed = parseId(id)!;
  const parts: string[] = [
    `${heading} ${parsed.result ? 'Result' : 'Version'} ${parsed.major}${schema['x-lgx-deprecated'] === true ? ' (deprecated)' : ''}`,
    '',
  ];
  parts.push(`\`$id\`: \`${id}\``, '');
  if (!parsed.result) {
    const lgsl = Array.isArray(schema['x-lgx-lgsl']) ? (schema['x-lgx-lgsl'] as number[]) : [];
    const lgil = Array.isArray(schema['x-lgx-lgil']) ? (schema['x-lgx-lgil'] as number[]) : [];
    parts.push(`Kind: ${String(schema['x-lgx-kind'])}. LGSL: ${lgsl.join(', ') || 'none'}. LGIL: ${lgil.join(', ') || 'none'}.`, '');
  }
  if (typeof schema.description === 'string') parts.push(schema.description, '');
  parts.push(propertyTable(schema), '');
  const defs = isObj(schema.$defs) ? schema.$defs : {};
  for (const [name, def] of Object.entries(defs)) {
    if (!isObj(def)) continue;
    parts.push(`**\`${name}\`**${typeof def.description === 'string' ? `: ${def.description}` : ''}`, '');
    if (isObj(def.properties)) parts.push(propertyTable(def), '');
    else parts.push(`Type: ${typeLabel(def)}. ${constraints(def)}`.trim(), '');
  }
  const kind = parsed.result ? 'result' : 'valid';
  const valid = loadFixtures(parsed.type, parsed.major, kind);
  if (valid[0]) {
    parts.push(
      `Example (\`fixtures/${parsed.type}/v${parsed.major}/${parsed.result ? 'result/valid' : 'valid'}/${valid[0].file}\`): ${valid[0].description}`,
      '',
    );
    parts.push('```json', JSON.stringify(valid[0].data, null, 2), '```', '');
  }
  if (valid.length > 1) {
    parts.push('Other valid examples:', '');
    for (const f of valid.slice(1)) parts.push(`- \`${f.file}\`: ${f.description}`);
    parts.push('');
  }
  if (!parsed.result) {
    const invalid = loadFixtures(parsed.type, parsed.major, 'invalid');
    if (invalid.length) {
      parts.push('Refused examples (each breaks one rule):', '', '| fixture | path | rule | why |', '|---|---|---|---|');
      for (const f of invalid)
        parts.push(`| \`${f.file}\` | \`${f.expect?.path ?? ''}\` | \`${f.expect?.rule ?? ''}\` | ${cell(f.description)} |`);
      parts.push('');
    }
  }
  return parts.join('\n');
}

/** docs/schemas/*.md: one reference page per type, one for shared definitions, and an index. */
export function generateSchemaDocs(): Map<string, string> {
  const schemas = loadSchemas();
  const files = new Map<string, string>();
  const byType = new Map<string, Json[]>();
  for (const schema of schemas) {
    const parsed = parseId(String(schema.$id));
    if (!parsed) continue;
    byType.set(parsed.type, [...(byType.get(parsed.type) ?? []), schema]);
  }
  const header = '<!-- Generated by `npm run generate` from packages/core/schemas. Do not edit. -->';
  const index: string[] = [
    header,
    '',
    '# Schema reference',
    '',
    'Every canonical schema, generated from the JSON Schema files in `@lgx/core/schemas`.',
    '',
    '| type | kind | versions | LGSL | title |',
    '|---|---|---|---|---|',
  ];
  for (const [type, list] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const main = list
      .filter((s) => !parseId(String(s.$id))!.result)
      .sort((a, b) => parseId(String(b.$id))!.major - parseId(String(a.$id))!.major);
    const latest = main[0];
    if (!latest) continue;
    const title = String(latest.title ?? type);
    if (type === 'defs') {
      const defs = isObj(latest.$defs) ? latest.$defs : {};
      const page = [header, '', `# ${title}`, '', `\`$id\`: \`${String(latest.$id)}\``, '', String(latest.description ?? ''), ''];
      for (const [name, def] of Object.entries(defs)) {
        if (!isObj(def)) continue;
        page.push(`## ${name}`, '');
        if (typeof def.description === 'string') page.push(def.description, '');
        if (def['x-lgx-pii'] === true) page.push('Personal data: redacted in logs, errors and audit.', '');
        if (isObj(def.properties)) page.push(propertyTable(def), '');
        else page.push(`Type: ${typeLabel(def)}. ${constraints(def)}`.trim(), '');
      }
      files.set('defs.md', page.join('\n'));
      index.push(`| [defs](defs.md) | shared | v1 | | ${title} |`);
      continue;
    }
    const kind = String(latest['x-lgx-kind'] ?? 'contract');
    const page = [header, '', `# \`${type}\`: ${title}`, ''];
    for (const schema of main) page.push(schemaSection(schema, '##'));
    for (const schema of list.filter((s) => parseId(String(s.$id))!.result)) page.push(schemaSection(schema, '##'));
    files.set(`${type}.md`, `${page.join('\n').trimEnd()}\n`);
    const lgsl = Array.isArray(latest['x-lgx-lgsl']) ? (latest['x-lgx-lgsl'] as number[]).join(', ') : '';
    index.push(
      `| [${type}](${type}.md) | ${kind} | ${main.map((s) => `v${parseId(String(s.$id))!.major}`).join(', ')} | ${lgsl} | ${cell(title)} |`,
    );
  }
  files.set('README.md', `${index.join('\n')}\n`);
  return files;
}
