import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadStackEncryptionKey, openSubjectRequests, subjectExportCsv, SUBJECT_KINDS, type SubjectSelector } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStore } from '../context';
import { EXIT, json, table, UsageError, type Io } from '../output';
import { need, parse, str, textOptions } from '../args';
import { personalDataRead } from '../personal-data-option';

export const subjectHelp = `lgx subject find   (--email|--phone|--name|--uprn|--reference <value>) [--council <code>]
lgx subject export (--email|...) --out <dir> [--council <code>] [--actor <id>]
lgx subject erase  (--email|...) --yes [--council <code>] [--actor <id>]
  common: [--stack <file>] [--data <dir>] [--database <postgres-url>] [--json]

Subject access and erasure requests (UK GDPR Articles 15 and 17) for one person. The person is named
by exactly one value, matched as the subject index keeps it (emails in any case, phone numbers in
any spelling, names with any spacing): the search computes keyed hashes and decrypts nothing. It
needs the stack's encryption.key (the index is kept only with one) and --council defaults to the
stack's.

'find' lists the person's transactions (id, type, state, date), no personal data. 'export' writes
everything held about them, opened, to --out: subject.json, and transactions, deliveries, attempts,
status updates and audit entries as CSV (files 0600, folder 0700); it is recorded in the audit chain
as a personal-data read by --actor (default cli:<operating-system user>; a staff id, never a name).
'erase' replaces their personal data everywhere LGX holds it with [ERASED], dead-letters their queued
deliveries (reason 'erased'; never sent), removes their index entries and records 'subject.erased'
per transaction in the audit chain; it is final, so it needs --yes. Run it again after a crash: it
finishes what was left.`;

function selectorOf(values: Record<string, string | boolean | undefined>): SubjectSelector {
  const selector: SubjectSelector = {};
  for (const kind of SUBJECT_KINDS) {
    const value = str(values, kind);
    if (value !== undefined) selector[kind] = value;
  }
  return selector;
}

/** Writes a file only its owner can read, even when it was there before with a looser mode. */
function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export async function subjectCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...textOptions('database', 'stack', 'data', 'council', 'out', 'actor', ...SUBJECT_KINDS),
    yes: { type: 'boolean', default: false },
  });
  if (values.help) return (io.out(subjectHelp), EXIT.ok);
  const action = need(positionals, 0, 'subject action (find, export or erase)');
  if (!['find', 'export', 'erase'].includes(action)) throw new UsageError(`unknown subject action '${action}' (find, export, erase)`);
  const out = str(values, 'out');
  if (action === 'export' && out === undefined) throw new UsageError('subject export needs --out <dir> (where the files go)');
  const stack = await loadStackEncryptionKey(path.resolve(str(values, 'stack', DEFAULT_STACK)));
  const council = str(values, 'council', stack.council);
  const selector = selectorOf(values);
  const requester = { actor: personalDataRead(values).actor, via: 'cli' as const };
  const store = openStore(str(values, 'data', DEFAULT_DATA), str(values, 'database'), io);
  try {
    await store.migrate();
    const requests = await openSubjectRequests({ store, council, encryptionKey: stack.key });
    if (action === 'find') {
      const found = await requests.find(selector);
      if (values.json) io.out(json(found));
      else if (found.length === 0) io.out(`council ${council} holds no transactions of this subject`);
      else
        io.out(
          table(
            ['transaction', 'type', 'state', 'created', 'payload'],
            found.map((m) => [m.id, m.type, m.state, m.createdAt, m.purged ? 'removed by retention' : 'held']),
          ),
        );
      return EXIT.ok;
    }
    if (action === 'export') {
      const exported = await requests.export(selector, requester);
      const dir = path.resolve(out!);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      writePrivate(path.join(dir, 'subject.json'), `${JSON.stringify(exported, null, 2)}\n`);
      for (const [name, text] of Object.entries(subjectExportCsv(exported))) writePrivate(path.join(dir, name), text);
      const summary = { council, transactions: exported.transactions.length, auditEntries: exported.audit.length, out: dir };
      io.out(
        values.json
          ? json(summary)
          : `exported ${summary.transactions} transactions and ${summary.auditEntries} audit entries of council ${council} to ${dir}`,
      );
      return EXIT.ok;
    }
    const erased = await requests.erase(selector, { ...requester, confirmed: values.yes === true });
    if (values.json) io.out(json(erased));
    else {
      const dead = erased.transactions.reduce((n, t) => n + t.deadLettered.length, 0);
      io.out(`erased ${erased.transactions.length} transactions of council ${council} (${dead} queued deliveries dead-lettered as erased)`);
      io.out(erased.space.complete ? `on disk: ${erased.space.note}` : `note: ${erased.space.note}`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
