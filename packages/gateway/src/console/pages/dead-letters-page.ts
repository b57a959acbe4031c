import type { FastifyInstance, FastifyReply } from 'fastify';
import { LgxValidationError } from '@lgx/core';
import type { ConsolePages } from '../console-pages';
import type { SignedIn } from '../console-guard';
import { recordPersonalRead } from '../personal-data';

/** The most dead letters one page lists (newest first). */
const LIST_LIMIT = 100;
const MAX_REASON = 500;
const MAX_ENVELOPE_CHARS = 200_000;

interface FieldError {
  field: string;
  text: string;
}

function reasonError(reason: string | undefined, action: string): FieldError | undefined {
  const text = (reason ?? '').trim();
  if (text.length === 0) return { field: `${action}-reason`, text: `Enter why you ${action} this dead letter` };
  if (text.length > MAX_REASON) return { field: `${action}-reason`, text: `The reason must be ${MAX_REASON} characters or fewer` };
  return undefined;
}

const validIdParam = (id: string) => id.length <= 100;
const actorOf = (user: SignedIn) => `key:${user.key.id}`;
const findDead = async (user: SignedIn, id: string) => (validIdParam(id) ? user.stack.dlq.show(id) : undefined);
type DeadLetter = NonNullable<Awaited<ReturnType<typeof findDead>>>;

/** What a page shows again after a rejected post: the errors and the values the user gave. */
interface Rejected {
  errors?: FieldError[];
  values?: Record<string, string>;
}

export function deadLettersPage(app: FastifyInstance, pages: ConsolePages): void {
  const notFound = (reply: FastifyReply, user: SignedIn) =>
    pages.send(reply, user, 'not-found.njk', { title: 'Page not found', what: 'dead letter' }, 404);

  /** Renders the dead letter `id` with `render`, or the not-found page when there is none. */
  async function withDead(
    reply: FastifyReply,
    user: SignedIn,
    id: string,
    render: (dead: DeadLetter) => Promise<FastifyReply> | FastifyReply,
  ) {
    const dead = await findDead(user, id);
    return dead ? render(dead) : notFound(reply, user);
  }

  const showPage = (reply: FastifyReply, user: SignedIn, id: string, extra: Rejected = {}, status = 200) =>
    withDead(reply, user, id, (dead) =>
      pages.send(
        reply,
        user,
        'dead-letter.njk',
        { title: `Dead letter ${dead.id}`, nav: 'dead-letters', dead, errors: extra.errors ?? [], values: extra.values ?? {} },
        status,
      ),
    );

  const editPage = (reply: FastifyReply, user: SignedIn, id: string, extra: Rejected = {}, status = 200) =>
    withDead(reply, user, id, async (dead) => {
      const transaction = (await user.stack.get(dead.transactionId, { personalData: true }))?.transaction;
      // Only a key with the personal-data scope reaches this page: it shows the envelope as stored.
      const envelope = transaction?.envelope;
      if (envelope) await recordPersonalRead(user, [dead.transactionId]);
      return pages.send(
        reply,
        user,
        'dead-letter-edit.njk',
        {
          title: `Edit and replay dead letter ${dead.id}`,
          nav: 'dead-letters',
          dead,
          errors: extra.errors ?? [],
          values: { envelope: envelope === undefined ? '' : JSON.stringify(envelope, null, 2), reason: '', ...extra.values },
          purged: envelope === undefined,
        },
        status,
      );
    });

  app.get('/dead-letters', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const items = await user.stack.dlq.list({ limit: LIST_LIMIT + 1 });
    return pages.send(reply, user, 'dead-letters.njk', {
      title: 'Dead letters',
      nav: 'dead-letters',
      items: items.slice(0, LIST_LIMIT),
      more: items.length > LIST_LIMIT,
      limit: LIST_LIMIT,
    });
  });

  app.get<{ Params: { id: string } }>('/dead-letters/:id', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    return showPage(reply, user, request.params.id);
  });

  // Replay and discard: the same form (a reason), the same checks, the same answer.
  for (const action of ['replay', 'discard'] as const) {
    app.post<{ Params: { id: string } }>(`/dead-letters/:id/${action}`, async (request, reply) => {
      const user = await pages.signedIn(request, reply);
      if (!user) return reply;
      const form = pages.form(request, user);
      const error = reasonError(form.reason, action);
      if (error)
        return showPage(reply, user, request.params.id, { errors: [error], values: { [`${action}Reason`]: form.reason ?? '' } }, 400);
      const dead = await findDead(user, request.params.id);
      const options = { actor: actorOf(user), reason: form.reason!.trim() };
      if (!dead || !(await (action === 'replay' ? user.stack.dlq.replay(dead.id, options) : user.stack.dlq.discard(dead.id, options))))
        return notFound(reply, user);
      return reply.redirect(
        `/console/transactions/${encodeURIComponent(dead.transactionId)}?done=${action === 'replay' ? 'replayed' : 'discarded'}`,
        303,
      );
    });
  }

  // Editing shows the transaction in full, so it needs the right to see personal data.
  app.get<{ Params: { id: string } }>('/dead-letters/:id/edit', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    if (!user.personalData)
      return pages.send(reply, user, 'forbidden.njk', { title: 'You cannot edit transactions', scope: 'personal-data' }, 403);
    return editPage(reply, user, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/dead-letters/:id/edit', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const form = pages.form(request, user);
    if (!user.personalData)
      return pages.send(reply, user, 'forbidden.njk', { title: 'You cannot edit transactions', scope: 'personal-data' }, 403);
    const values = { envelope: form.envelope ?? '', reason: form.reason ?? '' };
    const errors: FieldError[] = [];
    let envelope: unknown;
    if (values.envelope.length > MAX_ENVELOPE_CHARS)
      errors.push({ field: 'envelope', text: `The transaction must be ${MAX_ENVELOPE_CHARS.toLocaleString('en-GB')} characters or fewer` });
    else {
      try {
        envelope = JSON.parse(values.envelope);
      } catch (error) {
        errors.push({ field: 'envelope', text: `The transaction must be JSON: ${(error as Error).message.slice(0, 200)}` });
      }
    }
    const reason = reasonError(values.reason, 'replay');
    if (reason) errors.push({ ...reason, field: 'reason' });
    if (errors.length) return editPage(reply, user, request.params.id, { errors, values }, 400);
    const dead = await findDead(user, request.params.id);
    if (!dead) return notFound(reply, user);
    try {
      if (!(await user.stack.dlq.replay(dead.id, { actor: actorOf(user), reason: values.reason.trim(), envelope })))
        return notFound(reply, user);
    } catch (error) {
      if (!(error instanceof LgxValidationError)) throw error;
      const issues = error.issues.slice(0, 20).map((issue) => ({ field: 'envelope', text: `${issue.path || '/'}: ${issue.message}` }));
      return editPage(reply, user, request.params.id, { errors: issues, values }, 400);
    }
    return reply.redirect(`/console/transactions/${encodeURIComponent(dead.transactionId)}?done=replayed`, 303);
  });
}
