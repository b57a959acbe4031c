import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PROTOTYPE_KEYS, type ValidationIssue } from '@lgx/core';
import { parseCsv } from '../internal/csv';
import type { MappingSource } from './stack-types';

/** A loaded mapping table, or every problem found in it. */
export type MappingResult = { ok: true; table: Record<string, string> } | { ok: false; issues: ValidationIssue[] };

/**
 * Builds a table from CSV text: a header row, then council code, vendor code. Refuses rows without
 * exactly two columns, empty codes and a council code given twice, naming file and line.
 */
export function mappingFromCsv(text: string, file: string, path: string): MappingResult {
  const issues: ValidationIssue[] = [];
  const issue = (line: number, message: string): void => {
    issues.push({ path, rule: 'mappingTable', message: `${file} line ${line}: ${message}`, params: { file, line } });
  };
  const parsed = parseCsv(text);
  if (parsed.error) issue(parsed.error.line, parsed.error.message);
  const [header, ...rows] = parsed.rows;
  if (!header) issue(1, 'is empty: expected a header row, then council code, vendor code');
  else if (header.fields.length !== 2)
    issue(header.line, `the header has ${header.fields.length} columns; expected 2 (council code, vendor code)`);
  const table: Record<string, string> = {};
  const firstSeen = new Map<string, number>();
  for (const { line, fields } of rows) {
    if (fields.length !== 2) {
      issue(line, `has ${fields.length} columns; expected 2 (council code, vendor code)`);
      continue;
    }
    const [council = '', vendor = ''] = fields;
    if (council === '') issue(line, 'has an empty council code');
    if (vendor === '') issue(line, 'has an empty vendor code');
    if (council === '' || vendor === '') continue;
    if (PROTOTYPE_KEYS.has(council)) {
      issue(line, `uses the reserved code '${council}', which is refused to prevent prototype pollution`);
      continue;
    }
    const first = firstSeen.get(council);
    if (first !== undefined) {
      issue(line, `council code '${council}' appears twice (first at line ${first})`);
      continue;
    }
    firstSeen.set(council, line);
    table[council] = vendor;
  }
  return issues.length ? { ok: false, issues } : { ok: true, table };
}

/** Loads a mapping table written inline or as a CSV file relative to `cwd`. */
export function loadMappingTable(source: MappingSource, path: string, cwd: string): MappingResult {
  if (!('file' in source) || typeof source.file !== 'string') return { ok: true, table: { ...(source as Record<string, string>) } };
  const file = isAbsolute(source.file) ? source.file : resolve(cwd, source.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      ok: false,
      issues: [{ path: `${path}/file`, rule: 'mappingTable', message: `file ${file} cannot be read (${code})`, params: { file } }],
    };
  }
  return mappingFromCsv(text, file, path);
}
