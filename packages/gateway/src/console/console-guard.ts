import type { FastifyReply, FastifyRequest } from 'fastify';
import { LgxError } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import { hasScope } from '../auth/api-keys';
import type { GatewayContext } from '../http/request-context';
import type { ApiKeyRecord } from '../types';
import { cookie, formFields, SESSION_COOKIE } from './console-http';
import { sameToken, type ConsoleSession, type ConsoleSessions } from './console-sessions';

/** Who is signed in: the session, its key as stored now, and the key's council's stack. */
export interface SignedIn {
  session: ConsoleSession;
  key: ApiKeyRecord;
  stack: RunningStack;
  /** Whether the key may see personal data (the `personal-data` scope, or `admin`). */
  personalData: boolean;
}

/** Whether a key may sign in to the console. */
export function mayUseConsole(key: ApiKeyRecord): boolean {
  return hasScope(key, 'operator');
}

/**
 * The signed-in user of a console request, or undefined after redirecting to the sign-in page. The
 * key is looked up again on every request, so revoking it (or taking its scope away) ends the session.
 */
export async function signedIn(
  context: GatewayContext,
  sessions: ConsoleSessions,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SignedIn | undefined> {
  const session = sessions.get(cookie(request, SESSION_COOKIE));
  const key = session ? await context.keys.find(session.keyId) : undefined;
  const stack = session ? context.stacks.get(session.council) : undefined;
  if (!session || !key || key.revokedAt !== undefined || !mayUseConsole(key) || key.council !== session.council || !stack) {
    sessions.end(session?.id);
    await reply.redirect('/console/sign-in', 303);
    return undefined;
  }
  return { session, key, stack, personalData: hasScope(key, 'personal-data') };
}

/** A posted form's fields, after checking its token against the session's (403 otherwise). */
export function postedForm(request: FastifyRequest, expectedToken: string | undefined): Record<string, string> {
  const fields = formFields(request);
  if (!fields || !sameToken(fields._csrf, expectedToken)) {
    throw new LgxError(
      'LGX_ERR_GATEWAY_CSRF',
      'this form has expired or did not come from the console: go back, reload the page and send it again',
    );
  }
  return fields;
}
