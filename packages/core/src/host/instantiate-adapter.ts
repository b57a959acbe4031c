import { checkCompatibility, assertConfig } from '../adapter/define-adapter';
import { collectSecrets } from '../redaction/redact';
import { createHttpClient } from '../http/http-client';
import { createSoapClient } from '../soap/soap-client';
import { silentLogger, type Logger } from '../logging/logger';
import type { RetryPolicy } from '../retry/retry-policy';
import type { AdapterContext, AdapterDefinition, AdapterInstance, Capability, Clock } from '../adapter/adapter-types';

export interface HostOptions {
  /** Base logger; the adapter gets a child bound to its id that scrubs its config secrets. */
  logger?: Logger;
  /** Retry policy for transports the adapter creates (default: the transport's own default). */
  retry?: RetryPolicy | false;
  clock?: Clock;
  /** Aborted when the host shuts the adapter down. */
  signal?: AbortSignal;
  mappings?: AdapterContext['mappings'];
  council?: string;
  /** Adapter contract version to check the adapter against (default: the one this core implements). */
  contractVersion?: string;
  /** Skips the scrubbing child logger, so a test can see exactly what the adapter logged. */
  rawLogger?: boolean;
}

/** Builds the context an adapter's factory receives. */
export function createAdapterContext(adapterId: string, options: HostOptions & { secrets?: string[] } = {}): AdapterContext {
  const base = options.logger ?? silentLogger;
  const logger = options.rawLogger ? base : base.child({ adapter: adapterId }, options.secrets ?? []);
  const context: AdapterContext = {
    logger,
    clock: options.clock ?? { now: () => new Date() },
    signal: options.signal ?? new AbortController().signal,
    mappings: options.mappings ?? {},
    http: (http) => createHttpClient({ ...http, logger, ...(options.retry !== undefined ? { retry: options.retry } : {}) }),
    soap: (soap) => createSoapClient({ ...soap, logger }),
  };
  if (options.council !== undefined) context.council = options.council;
  return context;
}

/**
 * Checks an adapter against this core (LGX_ERR_ADAPTER_INCOMPATIBLE), validates its config
 * (LGX_ERR_ADAPTER_CONFIG_INVALID, naming fields, never values) and creates an instance with a
 * context whose logger scrubs the config's secrets.
 */
export async function instantiateAdapter<Caps extends readonly Capability[], Config>(
  definition: AdapterDefinition<Caps, Config>,
  config: unknown,
  options: HostOptions = {},
): Promise<{ instance: AdapterInstance<Caps>; context: AdapterContext; config: Config; secrets: string[] }> {
  checkCompatibility(definition, options.contractVersion);
  const valid = assertConfig(definition, config);
  const secrets = collectSecrets(valid, definition.configSchema);
  const context = createAdapterContext(definition.manifest.id, { ...options, secrets });
  const instance = await definition.create(context, valid);
  return { instance, context, config: valid, secrets };
}
