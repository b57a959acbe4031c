import { currentError, stateOf } from '@lgx/gateway';
import type { StoredDelivery } from '@lgx/runtime';
import { DEFAULT_DATA, openStore } from '../context';
import { EXIT, json, table, type Io } from '../output';
import { need, parse, str } from '../args';

export const statusHelp = `lgx status <id> [--data <dir>] [--database <postgres-url>] [--json]

Shows a transaction from the data folder: its deliveries (target, state, attempts, reference, last
error) and its status history. Exit 0 found, 3 not found.`;

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { database: { type: 'string' }, data: { type: 'string' } });
  if (values.help) return io.out(statusHelp), EXIT.ok;
  const id = need(positionals, 0, 'transaction id');
  const store = openStore(str(values, 'data', DEFAULT_DATA), str(values, 'database'), io);
  try {
    const transaction = await store.getTransaction(id);
    if (!transaction) {
      io.err(`error: no transaction ${id} in this data folder`);
      return EXIT.notFound;
    }
    // A delivery's last error is shown only while it stands (not once a later attempt delivered it).
    const deliveries: StoredDelivery[] = (await store.listDeliveries(id)).map((d) => {
      const { lastError: _stale, ...rest } = d;
      const lastError = currentError(d);
      return lastError ? { ...rest, lastError } : rest;
    });
    const updates = await store.listStatusUpdates(id);
    const state = stateOf(deliveries);
    if (values.json) {
      io.out(json({ id, type: transaction.type, council: transaction.council, createdAt: transaction.createdAt, state, deliveries, statusHistory: updates.map((u) => ({ source: u.target, receivedAt: u.receivedAt, ...u.update })) }));
      return EXIT.ok;
    }
    io.out(`${transaction.type} ${id}\ncouncil ${transaction.council} · accepted ${transaction.createdAt} · ${state}\n`);
    io.out(table(['delivery', 'target', 'state', 'attempts', 'reference', 'last error'], deliveries.map((d) => [d.id, d.target, d.state, d.attempts, d.receipt?.externalRef, d.lastError ? `${d.lastError.classification}: ${d.lastError.message}` : ''])));
    if (updates.length) {
      io.out('');
      io.out(table(['received', 'from', 'status', 'vendor status', 'reference'], updates.map((u) => [u.receivedAt, u.target, u.update.status, u.update.externalStatusCode, u.update.externalRef])));
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
