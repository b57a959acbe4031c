import type { FastifyInstance } from 'fastify';
import { LgxValidationError, schemaRegistry } from '@lgx/core';
import { authenticate, notFound, type GatewayContext } from '../http/request-context';

export function schemaRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.get('/v1/schemas', async (request) => {
    await authenticate(context, request, 'read');
    const registry = schemaRegistry();
    const describe = (kind: 'transaction' | 'query') =>
      registry.types(kind).map((type) => {
        const latest = registry.get(type);
        return { type, kind, versions: registry.versions(type), latest: latest.$id, title: latest.title, deprecated: latest.deprecated };
      });
    return { items: [...describe('transaction'), ...describe('query')] };
  });

  app.get('/v1/schemas/:type', async (request) => {
    await authenticate(context, request, 'read');
    const { type } = request.params as { type: string };
    const { version } = request.query as { version?: string };
    const registry = schemaRegistry();
    if (!registry.has(type)) throw notFound(`schema for '${type.slice(0, 100)}'`);
    let major: number | undefined;
    if (version !== undefined) {
      major = Number(version);
      if (!Number.isInteger(major) || !registry.versions(type).includes(major)) {
        throw new LgxValidationError(
          [{ path: '/version', rule: 'enum', message: `must be one of ${registry.versions(type).join(', ')}` }],
          { subject: 'query string' },
        );
      }
    }
    return registry.get(type, major).schema;
  });
}
