import type { FastifyError, FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import { httpStatusOf, LgxError } from '@lgx/core';
import type { GatewayContext } from '../http/request-context';
import { createConsolePages } from './console-pages';
import { createConsoleViews } from './console-render';
import { ConsoleSessions, type ConsoleSessionOptions } from './console-sessions';
import { auditPage } from './pages/audit-page';
import { deadLettersPage } from './pages/dead-letters-page';
import { overviewPage } from './pages/overview-page';
import { reportsPage } from './pages/reports-page';
import { signInPage } from './pages/sign-in-page';
import { transactionsPage } from './pages/transactions-page';

/** The console's own settings (`GatewayOptions.console`). */
export type ConsoleOptions = ConsoleSessionOptions;

/**
 * Nothing runs in the page: no script at all, styles and images only from the console itself, forms
 * only to the console, never framed.
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

/**
 * The operator console under /console: server-rendered pages in the GOV.UK Design System's styles,
 * signed in with an API key that has the `operator` or `admin` scope. Every figure is read from the
 * store when the page is asked for, so nothing runs in the background.
 */
export function consoleRoutes(app: FastifyInstance, context: GatewayContext, options: ConsoleOptions = {}): void {
  const views = createConsoleViews();
  const pages = createConsolePages({ context, sessions: new ConsoleSessions(options), views });

  void app.register(
    async (scope) => {
      await scope.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: true, hsts: false });

      scope.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
        const css = views.assets.get(request.params.file);
        if (css === undefined) return pages.send(reply, undefined, 'not-found.njk', { title: 'Page not found', what: 'file' }, 404);
        return reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(css);
      });

      scope.setNotFoundHandler((request, reply) =>
        pages.send(reply, undefined, 'not-found.njk', { title: 'Page not found', what: 'page' }, 404),
      );
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const status = error instanceof LgxError ? httpStatusOf(error.code) : (error.statusCode ?? 500);
        if (status >= 500)
          context.logger.error('console request failed', { route: request.routeOptions.url, method: request.method, error });
        const message =
          status >= 500
            ? 'Something went wrong on the server. Try again later; the error is in the gateway log.'
            : error.message.slice(0, 300);
        return pages.send(
          reply,
          undefined,
          'error.njk',
          {
            title: status === 403 ? 'The form could not be sent' : 'There is a problem',
            message,
            code: error instanceof LgxError ? error.code : undefined,
          },
          status,
        );
      });

      signInPage(scope, pages);
      overviewPage(scope, pages);
      transactionsPage(scope, pages);
      deadLettersPage(scope, pages);
      reportsPage(scope, pages);
      auditPage(scope, pages);
    },
    { prefix: '/console' },
  );
}
