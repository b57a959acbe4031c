import type { FastifyInstance } from 'fastify';
import type { ConsolePages } from '../console-pages';

/** Dead letters counted per back office; past it the page says "1,000 or more". */
const DEAD_LETTER_COUNT_CAP = 1_000;

/** Per back office: health as the gateway's checks see it, the queue, retries, dead letters, throughput. */
export function overviewPage(app: FastifyInstance, pages: ConsolePages): void {
  app.get('/overview', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const council = user.stack.definition.council;
    const [depth, dead] = await Promise.all([user.stack.queueDepth(), user.stack.dlq.list({ limit: DEAD_LETTER_COUNT_CAP })]);
    const health = pages.context.health.report(council);
    const deadByTarget = new Map<string, number>();
    for (const d of dead) deadByTarget.set(d.target, (deadByTarget.get(d.target) ?? 0) + 1);
    const targets = [...user.stack.adapters.keys()].filter((id) => !id.startsWith('webhook:'));
    const rows = targets.map((target) => {
      const h = health[target];
      const activity = pages.activity.view(council, target);
      return {
        target,
        health: h?.stale ? 'stale' : (h?.status ?? 'unknown'),
        checkedAt: h?.checkedAt,
        healthError: h?.error,
        queued: depth.byTarget[target] ?? 0,
        retrying: activity.retryingNow,
        dead: deadByTarget.get(target) ?? 0,
        deadCapped: dead.length >= DEAD_LETTER_COUNT_CAP,
        deliveredLastHour: activity.deliveredLastHour,
      };
    });
    return pages.send(reply, user, 'overview.njk', {
      title: 'Overview',
      nav: 'overview',
      rows,
      queuedTotal: depth.total,
      deadTotal: dead.length,
      deadCapped: dead.length >= DEAD_LETTER_COUNT_CAP,
    });
  });
}
