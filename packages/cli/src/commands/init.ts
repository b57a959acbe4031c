import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, UsageError, type Io } from '../output';
import { parse, str } from '../args';
import { REPOSITORY_URL } from '../version';
import { simulatedStarter } from '../simulate/simulated-starter';

export const initHelp = `lgx init [dir] [--council <GSS code>] [--simulators] [--force]

Writes a starter stack file (lgx.yaml) in dir (default: the current folder): one adapter, one route,
an Open311 service and comments on every part. Refuses to overwrite an existing file without --force.

--simulators: a stack wired to simulated back offices instead, to try LGX with nothing else: the
systems 'lgx simulate' last started from this folder (.lgx-simulators), at their addresses, or all
of them at their default ports; one adapter each, a route for every type they take, and an example
transaction of each type in transactions/ (existing ones are kept) for 'lgx send'.`;

function starterStack(council: string): string {
  return `# An LGX stack: which back-office adapters this council runs, and which transactions go where.
# Reference: ${REPOSITORY_URL}/blob/main/docs/guides/compose-a-stack.md
council: ${council}            # the council's GSS code

adapters:
  # Each instance names an npm package (install it beside this file) and its configuration.
  # Secrets come from the environment or files, never from this file: \${env:NAME}, \${file:path}.
  payments:
    package: '@lgx/adapter-govuk-pay'
    config:
      apiKey: \${env:GOVUK_PAY_API_KEY}
      webhookSigningSecret: \${env:GOVUK_PAY_WEBHOOK_SECRET}

routes:
  # Routes are tried in order; the first whose match fits takes the transaction.
  # mode: one | all | fallback | shadow
  - match: { type: payment }
    mode: one
    targets: [payments]

# mappings:            # council code -> vendor code tables, inline or from CSV files
#   service: { refuse: REF, recycling: REC }

# open311:             # the gateway's Open311 facade for FixMyStreet and other clients
#   services:
#     - { code: POT, name: Pothole, type: street.report, kind: pothole, group: Roads }
`;
}

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    council: { type: 'string' },
    force: { type: 'boolean', default: false },
    simulators: { type: 'boolean', default: false },
  });
  if (values.help) return (io.out(initHelp), EXIT.ok);
  const dir = path.resolve(positionals[0] ?? '.');
  const council = str(values, 'council', 'E07000223');
  if (!/^(E0[6-9]|E10|W06|S12|N09)[0-9]{6}$/.test(council))
    throw new UsageError('--council must be a GSS code of a council, e.g. E07000223');
  const file = path.join(dir, 'lgx.yaml');
  if (existsSync(file) && values.force !== true) {
    io.err(`error: ${file} exists (use --force to overwrite)`);
    return EXIT.failed;
  }
  mkdirSync(dir, { recursive: true });
  const shown = path.relative(process.cwd(), file) || 'lgx.yaml';
  if (values.simulators === true) {
    const starter = simulatedStarter(council);
    writeFileSync(file, starter.stack);
    const folder = path.join(dir, 'transactions');
    mkdirSync(folder, { recursive: true });
    const transactions = starter.samples.map((sample) => path.join(folder, sample.file));
    // An example the user has edited is theirs: only missing ones are written.
    for (const [i, sample] of starter.samples.entries())
      if (!existsSync(transactions[i]!)) writeFileSync(transactions[i]!, `${JSON.stringify(sample.body, null, 2)}\n`);
    if (values.json) io.out(JSON.stringify({ stack: file, simulators: starter.systems, transactions, env: starter.env }));
    else {
      io.out(
        `wrote ${file}: ${starter.systems.length} simulated back office(s)${starter.fromFile ? ', where lgx simulate started them' : ' at their default ports'} (${starter.systems.map((s) => s.name).join(', ')})`,
      );
      if (transactions.length)
        io.out(`example transactions in ${path.relative(process.cwd(), folder) || '.'}: ${starter.samples.map((t) => t.file).join(', ')}`);
      io.out(
        `next: start them with lgx simulate (if they are not running), then, where you run lgx:\n${starter.exports.map((line) => `  ${line}`).join('\n')}\n  lgx validate ${shown}`,
      );
    }
    return EXIT.ok;
  }
  writeFileSync(file, starterStack(council));
  if (values.json) io.out(JSON.stringify({ stack: file }));
  else io.out(`wrote ${file}\nnext: npm install @lgx/adapter-govuk-pay, then lgx validate ${shown}`);
  return EXIT.ok;
}
