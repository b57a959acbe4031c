/**
 * bench/adapters: each reference adapter's overhead against a raw HTTP client making the same calls to
 * the same simulator, in the same process and at the same concurrency (best of alternating rounds).
 *   npx tsx bench/adapters.ts            every adapter
 *   npx tsx bench/adapters.ts soap       one of govuk-pay, govuk-notify, open311, soap, dataverse, salesforce, rest, alloy,
 *                                        dataverse-poll, salesforce-poll, alloy-poll (status polling over 100,000 rows)
 */
import { benchAdapter as govukPay } from './adapters/govuk-pay';
import { benchAdapter as govukNotify } from './adapters/govuk-notify';
import { benchAdapter as open311 } from './adapters/open311';
import { benchAdapter as soap } from './adapters/soap';
import { benchAdapter as dataverse } from './adapters/dataverse';
import { benchAdapter as salesforce } from './adapters/salesforce';
import { benchAdapter as dataversePoll } from './adapters/dataverse-poll';
import { benchAdapter as salesforcePoll } from './adapters/salesforce-poll';
import { benchAdapter as rest } from './adapters/rest';
import { benchAlloyPoll, benchAlloySubmit } from './adapters/alloy';

export interface AdapterBenchResult {
  adapter: string;
  /** What one operation is (default: submits). */
  unit?: string;
  operations: number;
  concurrency: number;
  adapterPerSecond: number;
  rawPerSecond: number;
  ratio: number;
}

const BENCHES: Record<string, () => Promise<AdapterBenchResult>> = {
  'govuk-pay': () => govukPay(),
  'govuk-notify': () => govukNotify(),
  open311: () => open311(),
  soap: () => soap(),
  dataverse: () => dataverse(),
  salesforce: () => salesforce(),
  'dataverse-poll': () => dataversePoll(),
  'salesforce-poll': () => salesforcePoll(),
  rest: () => rest(),
  alloy: () => benchAlloySubmit(),
  'alloy-poll': () => benchAlloyPoll(),
};

/** Runs the named adapter benches (default all) one after another; one line per adapter. */
export async function benchAdapters(names: string[] = Object.keys(BENCHES)): Promise<string[]> {
  const rows: string[] = [];
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`no adapter bench '${name}' (have: ${Object.keys(BENCHES).join(', ')})`);
    const r = await bench();
    rows.push(
      `${r.adapter.padEnd(14)} ${String(Math.round(r.adapterPerSecond)).padStart(7)}/s through the adapter, ${String(Math.round(r.rawPerSecond)).padStart(7)}/s raw` +
        ` (${r.operations} ${r.unit ?? 'submits'} at concurrency ${r.concurrency}): ratio ${r.ratio.toFixed(2)}`,
    );
  }
  return rows;
}

if (require.main === module) {
  const names = process.argv.slice(2);
  benchAdapters(names.length ? names : undefined)
    .then((rows) =>
      console.log(
        `bench/adapters: operations per second, adapter vs raw client on the same simulator (aim: ratio 0.90 or more)\n\n${rows.join('\n')}`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
