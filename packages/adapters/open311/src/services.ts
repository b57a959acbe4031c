import { createHttpClient } from '@lgx/core/http';
import { Open311Api, open311ErrorCode } from './open311-api';
import type { Open311Format } from './config';
import type { Open311Service } from './types';

export interface ListServicesOptions {
  /** The Open311 endpoint, e.g. https://council.example/open311/v2 */
  baseUrl: string;
  format?: Open311Format;
  jurisdictionId?: string;
  /** Also fetch each service's definition (GET services/{code}) when its metadata flag is true. */
  withDefinitions?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Lists an Open311 server's services (GET services.{format}), with their attributes when asked:
 * what a council needs to fill the adapter's `serviceCodes` (or the stack's `service` table) and to
 * see which `attribute[code]` answers each service expects. No api_key is needed (the spec's GET
 * calls are public).
 *
 * ```ts
 * const services = await listOpen311Services({ baseUrl: 'https://council.example/open311/v2', withDefinitions: true });
 * const table = services.map((s) => [s.serviceCode, s.serviceName, s.groups.join('/'), s.attributes?.map((a) => a.code)]);
 * ```
 */
export async function listOpen311Services(options: ListServicesOptions): Promise<Open311Service[]> {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 15_000,
    vendorCode: open311ErrorCode,
    retry: false,
  });
  const api = new Open311Api(http, { format: options.format ?? 'xml', jurisdictionId: options.jurisdictionId, apiKey: '' });
  const signal = options.signal ?? AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const services = await api.services(signal);
  if (!options.withDefinitions) return services;
  for (const service of services) {
    if (service.metadata) service.attributes = await api.serviceDefinition(service.serviceCode, signal);
  }
  return services;
}
