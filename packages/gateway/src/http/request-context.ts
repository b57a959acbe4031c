import type { FastifyReply, FastifyRequest } from 'fastify';
import { LgxError, type Logger } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import { hasScope, verifyApiKey } from '../auth/api-keys';
import type { AdapterHealthMonitor } from '../health/adapter-health-monitor';
import type { Metrics } from '../metrics/metrics';
import type { LoadShedder } from './load-shedding';
import type { CouncilQuotas } from './council-quotas';
import type { ApiKeyRecord, GatewayOptions, KeyStore, Scope } from '../types';
import { problem, type Problem } from './problem';
import { requestBaseUrl } from './public-url';

/** What every route handler reaches: the stacks by council, the keys, the metrics. */
export interface GatewayContext {
  stacks: ReadonlyMap<string, RunningStack>;
  keys: KeyStore;
  metrics: Metrics;
  logger: Logger;
  options: GatewayOptions;
  /** The adapters' last health check results. */
  health: AdapterHealthMonitor;
  /** Where the gateway listens (set by `listen`; unset while it listens on every interface). */
  listenUrl?: string;
  /** Refuses submissions above the high-water marks (absent when load shedding is off). */
  shedder: LoadShedder | undefined;
  /** Refuses a council's submissions over its stack's quotas. */
  quotas: CouncilQuotas;
}

/** The key presented: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

/**
 * Authenticates a request and checks its scope. Resolves the key and its council's stack; throws a
 * coded LgxError (401 or 403) otherwise. The key itself is never logged or echoed.
 */
export async function authenticate(
  context: GatewayContext,
  request: FastifyRequest,
  scope: Scope,
): Promise<{ key: ApiKeyRecord; stack: RunningStack }> {
  const presented = presentedKey(request);
  if (!presented) throw new LgxError('LGX_ERR_GATEWAY_UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
  const key = await verifyApiKey(context.keys, presented);
  if (!key) throw new LgxError('LGX_ERR_GATEWAY_UNAUTHENTICATED', 'the API key is not valid (unknown, malformed or revoked)');
  if (!hasScope(key, scope))
    throw new LgxError('LGX_ERR_GATEWAY_FORBIDDEN', `this API key lacks the '${scope}' scope`, { details: { scope } });
  const stack = context.stacks.get(key.council);
  if (!stack)
    throw new LgxError('LGX_ERR_GATEWAY_FORBIDDEN', `this gateway serves no stack for council ${key.council}`, {
      details: { council: key.council },
    });
  return { key, stack };
}

/** Sends an RFC 9457 problem. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** Whether a content type is JSON (`application/json`, `application/*+json`). */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The request body as bytes, refusing a non-JSON content type with 415. */
export function jsonBody(request: FastifyRequest): Buffer {
  if (!isJsonContentType(request.headers['content-type'])) {
    throw new LgxError('LGX_ERR_GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', {
      details: { contentType: request.headers['content-type'] ?? null },
    });
  }
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** The base of links in answers: absolute from the public URL or a trusted host, else '' (relative links). */
export function baseUrl(context: GatewayContext, request: FastifyRequest): string {
  return requestBaseUrl(context.options, request);
}

/**
 * An absolute base URL even without a public URL or trusted host (the Open311 discovery document
 * must give one): the address the gateway listens on, when that is a specific address.
 */
export function absoluteBaseUrl(context: GatewayContext, request: FastifyRequest): string {
  return baseUrl(context, request) || (context.listenUrl ?? '');
}

export function notFound(what: string): LgxError {
  return new LgxError('LGX_ERR_GATEWAY_NOT_FOUND', `no ${what} here`);
}

export { problem };
