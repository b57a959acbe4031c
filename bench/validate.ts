/**
 * Validations per second for each canonical type through @lgx/core's `validateData`, against raw ajv
 * compiled with the same options on the same schema, in the same process. Rounds alternate between
 * the two so that machine noise hits both; the best round of each is compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { schemaRegistry, validateData } from '@lgx/core';

const coreDir = path.resolve(__dirname, '..', 'packages', 'core');
const requireFromCore = createRequire(path.join(coreDir, 'package.json'));
const Ajv2020 = requireFromCore('ajv/dist/2020').default;
const addFormats = requireFromCore('ajv-formats').default;

function rawAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false, verbose: true });
  addFormats(ajv);
  for (const k of ['x-lgx-pii', 'x-lgx-secret']) ajv.addKeyword({ keyword: k, schemaType: 'boolean' });
  for (const k of ['x-lgx-kind', 'x-lgx-lgsl', 'x-lgx-lgil', 'x-lgx-result', 'x-lgx-deprecated']) ajv.addKeyword({ keyword: k });
  for (const entry of schemaRegistry().entries()) ajv.addSchema(entry.schema);
  return ajv;
}

function opsPerSecond(fn: () => void, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
  }
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

export function benchValidate(options: { roundMs?: number; rounds?: number } = {}): { worst: number; rows: string[] } {
  const roundMs = options.roundMs ?? 200;
  const rounds = options.rounds ?? 7;
  const registry = schemaRegistry();
  const ajv = rawAjv();
  const rows: string[] = [];
  let worst = Infinity;
  rows.push(`${'type'.padEnd(34)} ${'lgx/s'.padStart(12)} ${'raw ajv/s'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const type of registry.types()) {
    const entry = registry.get(type);
    const dir = path.join(coreDir, 'fixtures', type, `v${entry.major}`, 'valid');
    const samples = fs.readdirSync(dir).map((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { data: unknown }).data);
    const raw = ajv.getSchema(entry.$id)!;
    let i = 0;
    let j = 0;
    const viaLgx = () => {
      if (!validateData(type, samples[i++ % samples.length]).ok) throw new Error('fixture invalid');
    };
    const viaRaw = () => {
      if (!raw(samples[j++ % samples.length])) throw new Error('fixture invalid');
    };
    let bestLgx = 0;
    let bestRaw = 0;
    for (let r = 0; r < rounds; r++) {
      bestRaw = Math.max(bestRaw, opsPerSecond(viaRaw, roundMs));
      bestLgx = Math.max(bestLgx, opsPerSecond(viaLgx, roundMs));
    }
    const ratio = bestLgx / bestRaw;
    worst = Math.min(worst, ratio);
    rows.push(
      `${`${type} v${entry.major}`.padEnd(34)} ${Math.round(bestLgx).toLocaleString('en-GB').padStart(12)} ${Math.round(bestRaw).toLocaleString('en-GB').padStart(12)} ${ratio.toFixed(2).padStart(7)}`,
    );
  }
  return { worst, rows };
}

if (require.main === module) {
  const { worst, rows } = benchValidate();
  console.log('bench/validate: validations per second, @lgx/core validateData vs raw ajv (same schema, same options, same run)\n');
  console.log(rows.join('\n'));
  console.log(`\nworst ratio ${worst.toFixed(2)} (aim: at least 0.90)`);
}
