import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, UsageError, type Io } from '../output';
import { parse, str } from '../args';
import { REPOSITORY_URL } from '../version';

export const initHelp = `lgx init [dir] [--council <GSS code>] [--force]

Writes a starter stack file (lgx.yaml) in dir (default: the current folder): one adapter, one route,
an Open311 service and comments on every part. Refuses to overwrite an existing file without --force.`;

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
  const { values, positionals } = parse(argv, { council: { type: 'string' }, force: { type: 'boolean', default: false } });
  if (values.help) return io.out(initHelp), EXIT.ok;
  const dir = path.resolve(positionals[0] ?? '.');
  const council = str(values, 'council', 'E07000223');
  if (!/^(E0[6-9]|E10|W06|S12|N09)[0-9]{6}$/.test(council)) throw new UsageError('--council must be a GSS code of a council, e.g. E07000223');
  const file = path.join(dir, 'lgx.yaml');
  if (existsSync(file) && values.force !== true) {
    io.err(`error: ${file} exists (use --force to overwrite)`);
    return EXIT.failed;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, starterStack(council));
  if (values.json) io.out(JSON.stringify({ stack: file }));
  else io.out(`wrote ${file}\nnext: npm install @lgx/adapter-govuk-pay, then lgx validate ${path.relative(process.cwd(), file) || 'lgx.yaml'}`);
  return EXIT.ok;
}
