import type { FastifyInstance } from 'fastify';
import type { ConsolePages } from '../console-pages';

/** Retrying, dead and delivered counts stop here (each is one read of a partial index); past it, "or more". */
const ACTIVITY_CAP = 10_000;

/** How long ago `at` was, in words an operator reads at a glance ("3 minutes", "2 hours"). */
export function ageOf(at: string | undefined, now: number): string | undefined {
  if (at === undefined) return undefined;
  const seconds = Math.max(0, Math.floor((now - Date.parse(at)) / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(seconds, 'second');
  if (seconds < 3_600) return unit(Math.floor(seconds / 60), 'minute');
  if (seconds < 172_800) return unit(Math.floor(seconds / 3_600), 'hour');
  return unit(Math.floor(seconds / 86_400), 'day');
}

/**
 * Per back office: health as the gateway's checks see it, its circuit in this process, and from the
 * store (so every process's work counts) the queue, its oldest delivery, retries, dead letters and
 * deliveries in the last hour.
 */
export function overviewPage(app: FastifyInstance, pages: ConsolePages): void {
  app.get('/overview', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const council = user.stack.definition.council;
    const targets = [...user.stack.adapters.keys()].filter((id) => !id.startsWith('webhook:'));
    const now = new Date();
    const [depth, activity] = await Promise.all([user.stack.queueDepth(), user.stack.targetActivity(targets, { now, cap: ACTIVITY_CAP })]);
    const health = pages.context.health.report(council);
    const circuits = user.stack.circuits();
    const rows = targets.map((target) => {
      const h = health[target];
      const a = activity[target];
      return {
        target,
        health: h?.stale ? 'stale' : (h?.status ?? 'unknown'),
        checkedAt: h?.checkedAt,
        healthError: h?.error,
        circuit: circuits[target] ?? 'closed',
        queued: depth.byTarget[target] ?? 0,
        oldestQueuedAt: a?.oldestQueuedAt,
        oldestQueuedAge: ageOf(a?.oldestQueuedAt, now.getTime()),
        retrying: a?.retrying ?? 0,
        dead: a?.dead ?? 0,
        deliveredLastHour: a?.deliveredSince ?? 0,
      };
    });
    return pages.send(reply, user, 'overview.njk', {
      title: 'Overview',
      nav: 'overview',
      rows,
      activityCap: ACTIVITY_CAP,
      queuedTotal: depth.total,
      deadTotal: rows.reduce((sum, row) => sum + row.dead, 0),
      deadCapped: rows.some((row) => row.dead >= ACTIVITY_CAP),
    });
  });
}
