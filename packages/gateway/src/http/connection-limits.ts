import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { GatewayOptions } from '../types';
import { problem } from './problem';

/** Defaults that close a slow client's connection in seconds, not never. */
export const CONNECTION_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above the 60 s idle timeout of common load balancers, so they never reuse a connection the
  // gateway has just closed (which they would answer with a 502).
  keepAliveTimeoutMs: 72_000,
  maxConnections: 10_000,
} as const;

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`createGateway: ${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

export function connectionLimits(options: GatewayOptions): ConnectionLimits {
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs, CONNECTION_DEFAULTS.requestTimeoutMs);
  return {
    // Node refuses a headers timeout longer than the request timeout: the request includes its headers.
    headersTimeoutMs: Math.min(
      requestTimeoutMs,
      positive('headersTimeoutMs', options.headersTimeoutMs, CONNECTION_DEFAULTS.headersTimeoutMs),
    ),
    requestTimeoutMs,
    keepAliveTimeoutMs: positive('keepAliveTimeoutMs', options.keepAliveTimeoutMs, CONNECTION_DEFAULTS.keepAliveTimeoutMs),
    maxConnections: positive('maxConnections', options.maxConnections, CONNECTION_DEFAULTS.maxConnections),
  };
}

/**
 * The Fastify (and Node HTTP server) options that enforce the limits. Node looks for expired
 * requests on an interval (30 s by default, which would let a slow client stay twice as long as its
 * timeout): here a quarter of the shorter timeout, between 100 ms and 5 s.
 */
export function serverOptions(limits: ConnectionLimits): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout'> & {
  http: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
} {
  const interval = Math.min(5_000, Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: interval,
    },
  };
}

/** Above the cap, Node closes a new connection as soon as it is accepted. */
export function capConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
}

/**
 * What a client gets when its request breaks the connection rules before any route sees it: 408
 * for a request not received in time (slow headers or body), 431 for oversized headers, 400 for
 * bytes that are not HTTP. A problem+json body, then the connection is closed.
 */
export function clientErrorHandler(onRefused: (status: number) => void) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, detail] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'LGX_ERR_GATEWAY_REQUEST_TIMEOUT', 'the request was not received in time']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, undefined, 'the request headers are larger than the limit']
          : [400, undefined, 'the request is not well-formed HTTP'];
    onRefused(status);
    const body = JSON.stringify(problem(status, code, detail));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
