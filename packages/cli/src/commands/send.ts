import { readFileSync } from 'node:fs';
import { completeEnvelope } from '@lgx/core';
import { DEFAULT_DATA, DEFAULT_STACK, openStackFile } from '../context';
import { EXIT, json, UsageError, type Io } from '../output';
import { int, need, parse, str } from '../args';

export const sendHelp = `lgx send <stack> <file> [--data <dir>] [--database <postgres-url>] [--wait <seconds>] [--json]

Submits the transaction in <file> (a canonical envelope, or the short form {"type", "data"} whose
envelope is completed with the stack's council) through the stack, durably, then follows it: each
delivery attempt, back-office reference and status update recorded is printed until every delivery
is finished or --wait seconds (default 60) pass. Exit 0 delivered, 1 dead-lettered or still pending
at the deadline.`;

export async function sendCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { database: { type: 'string' }, data: { type: 'string' }, wait: { type: 'string' } });
  if (values.help) return (io.out(sendHelp), EXIT.ok);
  const stackFile = positionals.length >= 2 ? need(positionals, 0, 'stack file') : DEFAULT_STACK;
  const file = need(positionals, positionals.length >= 2 ? 1 : 0, 'transaction file (lgx send <stack> <file>)');
  const waitMs = int(values, 'wait', 60, 0, 3600) * 1000;
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  const stack = await openStackFile(
    stackFile,
    str(values, 'data', DEFAULT_DATA),
    { worker: { pollIntervalMs: 100 }, polling: false },
    str(values, 'database'),
  );
  try {
    const { id, duplicate } = await stack.submit(completeEnvelope(body, { council: stack.definition.council }), { actor: 'cli' });
    if (!values.json) io.out(`${duplicate ? 'already accepted' : 'accepted'}: ${id}`);
    const seen = new Set<string>();
    const until = Date.now() + waitMs;
    for (;;) {
      const view = (await stack.get(id, { personalData: true }))!;
      for (const d of view.deliveries) {
        for (const a of d.attemptLog) {
          const key = `${d.id}:${a.attempt}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const what =
            a.outcome === 'delivered'
              ? 'delivered'
              : a.outcome === 'unknown'
                ? 'outcome unknown (its worker stopped; sent again)'
                : `failed (${a.classification ?? 'error'}: ${a.message ?? ''})`;
          if (!values.json) io.out(`  ${d.target}: attempt ${a.attempt} ${what}`);
        }
        if (d.receipt && !seen.has(`${d.id}:receipt`)) {
          seen.add(`${d.id}:receipt`);
          if (!values.json) io.out(`  ${d.target}: reference ${d.receipt.externalRef}${d.receipt.status ? ` (${d.receipt.status})` : ''}`);
        }
      }
      for (const u of view.statusUpdates) {
        if (seen.has(`status:${u.id}`)) continue;
        seen.add(`status:${u.id}`);
        if (!values.json)
          io.out(`  ${u.target}: status ${u.update.status}${u.update.externalStatusCode ? ` (${u.update.externalStatusCode})` : ''}`);
      }
      const state = view.state;
      if (state !== 'pending' || Date.now() >= until) {
        if (values.json)
          io.out(
            json({
              id,
              duplicate,
              state,
              deliveries: view.deliveries.map((d) => ({
                target: d.target,
                state: d.state,
                attempts: d.attempts,
                receipt: d.receipt,
                lastError: d.lastError,
              })),
            }),
          );
        else io.out(`${state}${state === 'pending' ? ' (still retrying; see lgx status ' + id + ')' : ''}`);
        return state === 'delivered' ? EXIT.ok : EXIT.failed;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await stack.close({ deadlineMs: 5000 });
  }
}
