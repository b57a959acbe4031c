import path from 'node:path';
import { isAdapterDefinition } from '@lgx/core';
import { runConformance } from '@lgx/testkit';
import { EXIT, json, table, UsageError, type Io } from '../output';
import { need, parse, str } from '../args';
import { harnessFromFile, importFrom, packageHarness } from './conformance-harness';

export const conformanceHelp = `lgx conformance <package> [--harness <file>] [--from <dir>] [--json]

Runs the LGX conformance suite against an installed adapter package and its simulator: manifest and
config schema, health, delivery of every declared capability's fixtures, rejection of invalid input,
error classification, timeouts and abort, idempotency, status round trip, no secrets in logs. The
simulator, its config and the rest of the suite's options come from the package's own harness, the
'conformanceHarness' its '<package>/testing' export gives (as LGX's adapters and those made by 'lgx
new adapter' do), the one its own conformance test runs. For a package without one, --harness names
a module that exports 'conformanceHarness' or, as default, the suite's options ({ simulator, config,
countRecords?, changeStatus? }, see @lgx/testkit); --harness also overrides a package's own. Packages
and harness files resolve from --from (default: the current folder). Exit 0 when every check passes,
1 otherwise.`;

export async function conformanceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { harness: { type: 'string' }, from: { type: 'string' } });
  if (values.help) return (io.out(conformanceHelp), EXIT.ok);
  const name = need(positionals, 0, 'adapter package name');
  const from = path.resolve(str(values, 'from', '.'));
  const module = await importFrom(from, name);
  const harnessFile = str(values, 'harness');
  const harness = harnessFile ? await harnessFromFile(from, harnessFile) : await packageHarness(from, name);
  const definition = harness.adapter ?? [module.default, module.adapter].find(isAdapterDefinition);
  if (!definition) throw new UsageError(`${name} exports no adapter (defineAdapter() as default or as 'adapter')`);
  if (!values.json) io.err(`running the conformance suite on ${name} (${definition.manifest.id} ${definition.manifest.version})…`);
  const results = await runConformance(definition, harness.options);
  const failed = results.filter((r) => r.status === 'fail');
  if (values.json) io.out(json({ package: name, passed: failed.length === 0, results }));
  else {
    io.out(
      table(
        ['check', 'result', 'detail'],
        results.map((r) => [r.title, r.status === 'pass' ? 'pass' : r.status === 'skip' ? 'skipped' : 'FAIL', r.message ?? '']),
      ),
    );
    io.out(
      `\n${results.length - failed.length - results.filter((r) => r.status === 'skip').length} passed, ${failed.length} failed, ${results.filter((r) => r.status === 'skip').length} skipped`,
    );
  }
  return failed.length === 0 ? EXIT.ok : EXIT.failed;
}
