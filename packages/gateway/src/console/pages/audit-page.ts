import type { FastifyInstance } from 'fastify';
import type { ConsolePages } from '../console-pages';

/** Entries shown below the verdict: the first of the chain, where a council's history starts. */
const SHOWN_ENTRIES = 50;

/** The council's audit chain, verified on every visit: every entry's hash and link checked. */
export function auditPage(app: FastifyInstance, pages: ConsolePages): void {
  app.get('/audit', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const [verdict, entries] = await Promise.all([user.stack.verifyAudit(), user.stack.listAudit({ limit: SHOWN_ENTRIES })]);
    return pages.send(reply, user, 'audit.njk', {
      title: 'Audit trail',
      nav: 'audit',
      verdict,
      entries,
      checkedAt: new Date().toISOString(),
      shown: SHOWN_ENTRIES,
    });
  });
}
