import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyApiKey } from '../../auth/api-keys';
import { mayUseConsole } from '../console-guard';
import { clearCookie, cookie, formFields, overTls, setCookie, SESSION_COOKIE, SIGN_IN_COOKIE } from '../console-http';
import type { ConsolePages } from '../console-pages';
import { randomToken, sameToken } from '../console-sessions';

const MAX_KEY_CHARS = 200;
/** How long a sign-in form stays usable. */
const SIGN_IN_FORM_SECONDS = 3_600;

/** Sign-in with an API key (exchanged for a session cookie) and sign-out. */
export function signInPage(app: FastifyInstance, pages: ConsolePages): void {
  const secure = (request: FastifyRequest) => overTls(request, pages.context.options.publicUrl);

  app.get('/', async (request, reply) => reply.redirect('/console/overview', 303));

  app.get('/sign-in', async (request, reply) => {
    // Before there is a session, the form's token is paired with a cookie of its own (double submit).
    const token = randomToken();
    setCookie(reply, SIGN_IN_COOKIE, token, { secure: secure(request), maxAgeSeconds: SIGN_IN_FORM_SECONDS });
    return pages.send(reply, undefined, 'sign-in.njk', { title: 'Sign in', csrf: token, signedOut: request.url.includes('signed-out=1') });
  });

  app.post('/sign-in', async (request, reply) => {
    const fields = formFields(request);
    if (!fields || !sameToken(fields._csrf, cookie(request, SIGN_IN_COOKIE))) {
      const token = randomToken();
      setCookie(reply, SIGN_IN_COOKIE, token, { secure: secure(request), maxAgeSeconds: SIGN_IN_FORM_SECONDS });
      return pages.send(
        reply,
        undefined,
        'sign-in.njk',
        { title: 'Sign in', csrf: token, errors: [{ field: 'api-key', text: 'The sign-in form expired: enter your API key again' }] },
        403,
      );
    }
    const presented = (fields.apiKey ?? '').trim();
    let error: string | undefined;
    const key = presented.length > 0 && presented.length <= MAX_KEY_CHARS ? await verifyApiKey(pages.context.keys, presented) : undefined;
    if (presented.length === 0) error = 'Enter your API key';
    else if (!key) error = 'The API key is not valid: it is unknown, mistyped or revoked';
    else if (!mayUseConsole(key)) error = "This API key cannot sign in to the console: it needs the 'operator' or 'admin' scope";
    else if (!pages.context.stacks.has(key.council)) error = `This gateway serves no stack for council ${key.council}`;
    if (error || !key) {
      return pages.send(
        reply,
        undefined,
        'sign-in.njk',
        { title: 'Sign in', csrf: fields._csrf, errors: [{ field: 'api-key', text: error }] },
        401,
      );
    }
    const session = pages.sessions.create(key);
    clearCookie(reply, SIGN_IN_COOKIE, secure(request));
    setCookie(reply, SESSION_COOKIE, session.id, { secure: secure(request), maxAgeSeconds: pages.sessions.cookieMaxAgeSeconds });
    return reply.redirect('/console/overview', 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    pages.form(request, user);
    pages.sessions.end(user.session.id);
    clearCookie(reply, SESSION_COOKIE, secure(request));
    return reply.redirect('/console/sign-in?signed-out=1', 303);
  });
}
