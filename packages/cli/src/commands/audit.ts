import { verifyAuditChain } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStackReader } from '../context';
import { EXIT, json, UsageError, type Io } from '../output';
import { need, parse, str, textOptions } from '../args';

export const auditHelp = `lgx audit verify [--council <code>] [--stack <file>] [--data <dir>] [--database <postgres-url>] [--json]

Checks the council's audit chain (default: the stack's council): every entry's hash against its
content, and each entry's link to the one before, so a changed, removed or reordered entry is found.
Exit 0 when the chain is whole, 1 with the first broken entry's seq and why.`;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, textOptions('database', 'stack', 'data', 'council'));
  if (values.help) return (io.out(auditHelp), EXIT.ok);
  const action = need(positionals, 0, 'audit action (verify)');
  if (action !== 'verify') throw new UsageError(`unknown audit action '${action}' (verify)`);
  const { reader, outline } = await openStackReader(
    str(values, 'stack', DEFAULT_STACK),
    str(values, 'data', DEFAULT_DATA),
    str(values, 'database'),
    io,
  );
  try {
    const council = str(values, 'council', outline.council);
    if (council !== outline.council) throw new UsageError(`--council ${council} is not the stack's council (${outline.council})`);
    const entries = await reader.listAudit();
    const verdict = verifyAuditChain(entries);
    if (values.json) io.out(json({ council, entries: entries.length, ...verdict }));
    else if (verdict.ok) io.out(`the audit chain of council ${council} verifies: ${entries.length} entries`);
    else io.out(`the audit chain of council ${council} is broken at entry ${verdict.seq}: ${verdict.reason}`);
    return verdict.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await reader.close();
  }
}
