import path from 'node:path';
import { loadStackOutline, previewRetention, purgeFinished, stackRetention, type RetentionPeriods } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStore } from '../context';
import { EXIT, json, table, type Io } from '../output';
import { int, parse, str, textOptions } from '../args';

export const retentionHelp = `lgx retention [--dry-run] [--retention-days <n>] [--stack <file>] [--data <dir>] [--database <postgres-url>]

Purges once, now, the payloads (envelopes, personal data included) of transactions that ended
(delivered, dead-lettered or discarded) longer ago than their type's period: the stack file's
retention.types, else retention.default, else --retention-days (default 90, as 'lgx serve'). The
transaction rows, their audit entries and the report counts stay. 'lgx serve' runs the same every hour.
--dry-run removes nothing and prints what would go: per type and state, how many and their oldest and
newest end times. No adapter is loaded and no secret is needed.`;

/** The periods as a line: the one for every type first, then each type's own. */
function periodsText(periods: RetentionPeriods): string {
  const own = Object.entries(periods.types ?? {}).map(([type, days]) => `${type} ${days}d`);
  return [`${periods.olderThanDays}d for every type`, ...own].join(', ');
}

export async function retentionCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    ...textOptions('stack', 'data', 'database', 'retention-days'),
    'dry-run': { type: 'boolean', default: false },
  });
  if (values.help) return (io.out(retentionHelp), EXIT.ok);
  const outline = await loadStackOutline(path.resolve(str(values, 'stack', DEFAULT_STACK)));
  const periods = stackRetention(outline.retention, int(values, 'retention-days', 90, 1, 36_500));
  const store = openStore(str(values, 'data', DEFAULT_DATA), str(values, 'database'), io);
  try {
    await store.migrate();
    if (values['dry-run']) {
      const rows = await previewRetention(store, periods);
      const total = rows.reduce((sum, r) => sum + r.count, 0);
      if (values.json) io.out(json({ dryRun: true, periods, total, rows }));
      else {
        if (rows.length > 0)
          io.out(
            table(
              ['type', 'state', 'count', 'oldest end', 'newest end'],
              rows.map((r) => [r.type, r.state, r.count, r.oldestEndedAt, r.newestEndedAt]),
            ),
          );
        io.out(`dry run: ${total} payload(s) would go, nothing was removed (periods: ${periodsText(periods)})`);
      }
      return EXIT.ok;
    }
    const purged = await purgeFinished(store, periods);
    io.out(values.json ? json({ purged, periods }) : `purged ${purged} payload(s) (periods: ${periodsText(periods)})`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
