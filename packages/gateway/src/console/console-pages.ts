import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from '../http/request-context';
import { postedForm, signedIn, type SignedIn } from './console-guard';
import type { ConsoleViews } from './console-render';
import type { ConsoleSessions } from './console-sessions';

/** What every console page reaches: the gateway, the sessions, the templates. */
export interface ConsolePages {
  readonly context: GatewayContext;
  readonly sessions: ConsoleSessions;
  readonly views: ConsoleViews;
  /** The signed-in user, or undefined after redirecting to the sign-in page. */
  signedIn(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
  /** A posted form of the user's session, its token checked (403 otherwise). */
  form(request: FastifyRequest, user: SignedIn): Record<string, string>;
  /** Renders a page for the signed-in user (with the navigation, the council and the form token). */
  send(reply: FastifyReply, user: SignedIn | undefined, template: string, model: Record<string, unknown>, status?: number): FastifyReply;
}

export function createConsolePages(parts: Pick<ConsolePages, 'context' | 'sessions' | 'views'>): ConsolePages {
  return {
    ...parts,
    signedIn: (request, reply) => signedIn(parts.context, parts.sessions, request, reply),
    form: (request, user) => postedForm(request, user.session.csrf),
    send(reply, user, template, model, status = 200) {
      const errors = model.errors as Array<{ field: string; text: string }> | undefined;
      const page = parts.views.render(template, {
        ...model,
        errors: errors ?? [],
        fieldErrors: Object.fromEntries((errors ?? []).map((e) => [e.field, e.text])),
        ...(errors?.length ? { errorList: errors.map((e) => ({ text: e.text, href: `#${e.field}` })) } : {}),
        ...(user
          ? {
              user: { keyId: user.key.id, label: user.key.label, council: user.key.council, personalData: user.personalData },
              csrf: user.session.csrf,
            }
          : {}),
      });
      return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
    },
  };
}
