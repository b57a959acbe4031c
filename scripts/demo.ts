/**
 * `npm run demo`: validates every canonical fixture shipped in @lgx/core and prints a table per
 * transaction type: valid examples accepted, invalid ones refused with the rule they break.
 * `--once` (how scripts run it) prints a final summary line; the exit code is 0 only if every
 * expectation held.
 */
import fs from 'node:fs';
import path from 'node:path';
import { schemaRegistry, validateData, validateQueryResult, type QueryType } from '@lgx/core';

interface Fixture {
  description: string;
  expect?: { path: string; rule: string };
  data: unknown;
}

const fixturesRoot = path.resolve(__dirname, '..', 'packages', 'core', 'fixtures');
const once = process.argv.includes('--once');
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const ok = paint(32, 'ok  ');
const bad = paint(31, 'FAIL');

function read(dir: string): Array<[string, Fixture]> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Fixture]);
}

const registry = schemaRegistry();
let held = 0;
let failed = 0;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

for (const type of registry.types()) {
  for (const major of registry.versions(type)) {
    const entry = registry.get(type, major);
    const codes = [entry.lgsl.length ? `LGSL ${entry.lgsl.join(', ')}` : '', entry.lgil.length ? `LGIL ${entry.lgil.join(', ')}` : ''].filter(Boolean).join(' / ');
    console.log(`\n${paint(1, `${type} v${major}`)}  ${entry.title}${entry.deprecated ? ' (deprecated)' : ''}${codes ? `  [${codes}]` : ''}`);
    const dir = path.join(fixturesRoot, type, `v${major}`);
    for (const [name, fixture] of read(path.join(dir, 'valid'))) {
      const result = validateData(type, fixture.data, { version: major });
      const pass = result.ok;
      if (pass) held++;
      else failed++;
      const why = result.ok ? 'accepted' : `REFUSED: ${result.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
      console.log(`  ${pass ? ok : bad} valid    ${pad(name, 44)} ${why}`);
    }
    for (const [name, fixture] of read(path.join(dir, 'invalid'))) {
      const result = validateData(type, fixture.data, { version: major });
      const issue = result.ok ? undefined : result.issues.find((i) => i.path === fixture.expect?.path && i.rule === fixture.expect?.rule);
      const pass = issue !== undefined;
      if (pass) held++;
      else failed++;
      const why = issue ? `refused: ${issue.path} [${issue.rule}] ${issue.message}` : result.ok ? 'ACCEPTED (expected a refusal)' : `refused, but not for ${fixture.expect?.path} [${fixture.expect?.rule}]`;
      console.log(`  ${pass ? ok : bad} invalid  ${pad(name, 44)} ${why}`);
    }
    if (entry.kind === 'query') {
      for (const [name, fixture] of read(path.join(dir, 'result', 'valid'))) {
        const result = validateQueryResult(type as QueryType, fixture.data, { version: major });
        if (result.ok) held++;
        else failed++;
        console.log(`  ${result.ok ? ok : bad} result   ${pad(name, 44)} ${result.ok ? 'accepted' : 'REFUSED'}`);
      }
    }
  }
}

const summary = `${held} expectations held, ${failed} failed, across ${registry.types().length} types`;
console.log(`\n${failed ? paint(31, summary) : paint(32, summary)}`);
if (once) console.log(failed ? 'demo: FAILED' : 'demo: OK');
process.exitCode = failed ? 1 : 0;
