import { openReadModel } from '@lgx/runtime';
import { DEFAULT_DATA, openStore } from '../context';
import { EXIT, json, lastErrorText, table, type Io } from '../output';
import { need, parse, str } from '../args';
import { PERSONAL_DATA_HELP, PERSONAL_DATA_OPTIONS, personalDataRead, recordCliRead } from '../personal-data-option';

export const statusHelp = `lgx status <id> [--data <dir>] [--database <postgres-url>] [--personal-data [--actor <id>]] [--json]

Shows a transaction from the data folder: its deliveries (target, state, attempts, reference, last
error) and its status history. Exit 0 found, 3 not found.

${PERSONAL_DATA_HELP}`;

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { database: { type: 'string' }, data: { type: 'string' }, ...PERSONAL_DATA_OPTIONS });
  const read = personalDataRead(values);
  if (values.help) return (io.out(statusHelp), EXIT.ok);
  const id = need(positionals, 0, 'transaction id');
  // Read through the runtime's read model: no stack file, adapter or secret is needed.
  const reader = await openReadModel({ store: openStore(str(values, 'data', DEFAULT_DATA), str(values, 'database'), io) });
  try {
    // Masked by the read model unless personal data is asked for.
    const view = await reader.get(id, { personalData: read.show });
    if (!view) {
      io.err(`error: no transaction ${id} in this data folder`);
      return EXIT.notFound;
    }
    await recordCliRead(reader, read, view.transaction.council, [view.transaction.id]);
    const { transaction, state, statusUpdates: updates } = view;
    // The view keeps a delivery's last error only while it stands (not once a later attempt delivered it).
    const deliveries = view.deliveries.map(({ attemptLog: _log, ...d }) => d);
    if (values.json) {
      io.out(
        json({
          id,
          type: transaction.type,
          council: transaction.council,
          createdAt: transaction.createdAt,
          state,
          deliveries,
          statusHistory: updates.map((u) => ({ source: u.target, receivedAt: u.receivedAt, ...u.update })),
        }),
      );
      return EXIT.ok;
    }
    io.out(`${transaction.type} ${id}\ncouncil ${transaction.council} · accepted ${transaction.createdAt} · ${state}\n`);
    io.out(
      table(
        ['delivery', 'target', 'state', 'attempts', 'reference', 'last error'],
        deliveries.map((d) => [d.id, d.target, d.state, d.attempts, d.receipt?.externalRef, lastErrorText(d.lastError)]),
      ),
    );
    if (updates.length) {
      io.out('');
      io.out(
        table(
          ['received', 'from', 'status', 'vendor status', 'reference'],
          updates.map((u) => [u.receivedAt, u.target, u.update.status, u.update.externalStatusCode, u.update.externalRef]),
        ),
      );
    }
    return EXIT.ok;
  } finally {
    await reader.close();
  }
}
