import { readFileSync } from 'node:fs';
import { redactTransaction } from '@lgx/core';
import { maskDelivery, scrubberOf } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStackReader } from '../context';
import { EXIT, json, lastErrorText, table, UsageError, type Io } from '../output';
import { int, need, parse, str, textOptions } from '../args';
import { PERSONAL_DATA_HELP, PERSONAL_DATA_OPTIONS, personalDataRead, recordCliRead } from '../personal-data-option';

export const dlqHelp = `lgx dlq list [--target <adapter>] [--limit <n>]
lgx dlq show <delivery-id>            (--json --personal-data: with the envelope that replay --file takes)
lgx dlq replay <delivery-id> --reason <text> [--file <edited-envelope.json>]
lgx dlq discard <delivery-id> --reason <text>
  common: [--stack <file>] [--data <dir>] [--database <postgres-url>] [--actor <id>] [--personal-data] [--json]

The dead-letter queue: deliveries that failed for good (refused by the back office, or out of
retries). Replay delivers one again (with --file, an edited envelope, validated again; it keeps its
type, council and idempotency key); discard gives up on it. Every change is audited with --actor
(default "cli"; use a staff id, never a name) and --reason. A running 'lgx serve' on the same data
folder picks a replayed delivery up. Exit 3 when the delivery is not in the queue.

${PERSONAL_DATA_HELP}`;

function readEnvelope(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new UsageError(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
}

export async function dlqCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...textOptions('database', 'stack', 'data', 'target', 'limit', 'reason', 'file'),
    ...PERSONAL_DATA_OPTIONS,
  });
  const read = personalDataRead(values);
  if (values.help) return (io.out(dlqHelp), EXIT.ok);
  const action = need(positionals, 0, 'dlq action (list, show, replay or discard)');
  if (!['list', 'show', 'replay', 'discard'].includes(action))
    throw new UsageError(`unknown dlq action '${action}' (list, show, replay, discard)`);
  // Dead letters live in the store alone: no adapter is created and no secret is needed here.
  const { reader, outline } = await openStackReader(
    str(values, 'stack', DEFAULT_STACK),
    str(values, 'data', DEFAULT_DATA),
    str(values, 'database'),
    io,
  );
  const { dlq } = reader;
  try {
    if (action === 'list') {
      const target = str(values, 'target');
      const stored = await dlq.list({ limit: int(values, 'limit', 50, 1, 10_000), ...(target ? { target } : {}) });
      const ids = [...new Set(stored.map((d) => d.transactionId))];
      await recordCliRead(reader, read, outline.council, ids);
      // The transactions' envelopes in one page read, for their personal values to scrub from the errors.
      const transactions = read.show
        ? new Map()
        : new Map(
            (await reader.list({ personalData: true, ids, limit: Math.max(1, ids.length) })).map((s) => [s.transaction.id, s.transaction]),
          );
      const dead = read.show ? stored : stored.map((d) => maskDelivery(d, scrubberOf(transactions.get(d.transactionId))));
      if (values.json) io.out(json(dead));
      else if (dead.length === 0) io.out('the dead-letter queue is empty');
      else
        io.out(
          table(
            ['delivery', 'transaction', 'target', 'attempts', 'died', 'error'],
            dead.map((d) => [d.id, d.transactionId, d.target, d.attempts, d.updatedAt, lastErrorText(d.lastError)]),
          ),
        );
      return EXIT.ok;
    }
    const id = need(positionals, 1, 'delivery id');
    const found = await dlq.show(id);
    if (!found) {
      io.err(`error: delivery ${id} is not in the dead-letter queue`);
      return EXIT.notFound;
    }
    if (action === 'show') {
      const transaction = (await reader.get(found.transactionId, { personalData: true }))?.transaction;
      await recordCliRead(reader, read, outline.council, [found.transactionId]);
      const dead = read.show ? found : maskDelivery(found, scrubberOf(transaction));
      // With --personal-data, the envelope as stored: exactly what 'replay --file' takes, once edited (null once purged).
      const stored = transaction?.envelope;
      const envelope = stored === undefined ? null : read.show ? stored : redactTransaction(stored);
      if (values.json) io.out(json({ ...dead, envelope }));
      else {
        io.out(`delivery ${dead.id} of transaction ${dead.transactionId} to ${dead.target}: dead after ${dead.attempts} attempt(s)`);
        io.out(
          table(
            ['attempt', 'started', 'outcome', 'class', 'message'],
            dead.attemptLog.map((a) => [a.attempt, a.startedAt, a.outcome, a.classification, a.message]),
          ),
        );
        io.out(
          envelope
            ? `\nto edit and replay it: lgx dlq show ${dead.id} --json --personal-data | jq .envelope > envelope.json, edit the file, then lgx dlq replay ${dead.id} --file envelope.json --reason "..."`
            : `\nits envelope was purged by retention: replay it with --file <envelope.json> (a full envelope of the same type and council), or discard it`,
        );
      }
      return EXIT.ok;
    }
    const reason = str(values, 'reason');
    if (!reason) throw new UsageError(`dlq ${action} needs --reason <text> (it goes in the audit trail)`);
    const actor = str(values, 'actor', 'cli');
    if (action === 'replay') {
      const file = str(values, 'file');
      const envelope = file ? readEnvelope(file) : undefined;
      const done = await dlq.replay(id, { actor, reason, ...(envelope !== undefined ? { envelope } : {}) });
      io.out(values.json ? json({ id, replayed: done }) : done ? `replayed ${id}: pending again` : `${id} was not replayed`);
      return done ? EXIT.ok : EXIT.failed;
    }
    const done = await dlq.discard(id, { actor, reason });
    io.out(values.json ? json({ id, discarded: done }) : done ? `discarded ${id}` : `${id} was not discarded`);
    return done ? EXIT.ok : EXIT.failed;
  } finally {
    await reader.close();
  }
}
