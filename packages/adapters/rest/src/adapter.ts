import {
  configuredSubmit,
  defineAdapter,
  maskPersonalData,
  MappingResults,
  notConfigured,
  PermanentError,
  plainJson,
  SERVABLE_TYPES,
  servableCapabilities,
  type AdapterContext,
  type AdapterInstance,
  type Envelope,
  type MappingBindings,
  type Receipt,
  type ServableType,
} from '@lgx/core';
import { authStrategy } from './auth';
import { Caller, type Answer } from './caller';
import { configSchema, type RestAdapterConfig } from './config';
import { checkAgainstOpenApi, readOpenApi } from './openapi-check';
import { planFromConfig, type IdempotencyKind, type SubmitPlan } from './plan';
import type { RequestPlan } from './request-plan';

/** A header value from data: one line, so it cannot add headers of its own. */
function oneLine(value: unknown, path: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text === '' || /[\r\n\0]/.test(text) || text.length > 1000) {
    throw new PermanentError(`the idempotency key at ${path} is not a one-line text of at most 1000 characters`, {
      details: { mapping: path },
    });
  }
  return text;
}

async function createInstance(
  context: AdapterContext,
  config: RestAdapterConfig,
  declared: ReadonlyMap<string, IdempotencyKind>,
  required: readonly string[],
  exact: boolean,
): Promise<AdapterInstance> {
  const plan = planFromConfig(config, declared, required, exact);
  const timeoutMs = config.timeoutMs ?? 30_000;
  if (config.openapi !== undefined) {
    const fetcher = context.http({
      baseUrl: config.baseUrl,
      timeoutMs,
      ...(config.maxResponseBytes !== undefined ? { maxResponseBytes: config.maxResponseBytes } : {}),
    });
    const operations = await readOpenApi(
      config.openapi,
      async (url) => (await fetcher.get<string>(url, { responseType: 'text', signal: AbortSignal.timeout(timeoutMs) })).data,
    );
    checkAgainstOpenApi(plan.requests, operations);
  }
  const auth = authStrategy(config.auth, timeoutMs);
  const http = context.http({
    baseUrl: config.baseUrl,
    timeoutMs,
    ...(config.maxResponseBytes !== undefined ? { maxResponseBytes: config.maxResponseBytes } : {}),
    ...(config.headers ? { headers: config.headers } : {}),
    ...(auth ? { auth } : {}),
  });
  const caller = new Caller(http, plan.rules, plan.vendorCode);
  const results = new MappingResults({ statusMap: plan.statusMap, logger: context.logger, now: () => context.clock.now(), source: 'rest' });
  const bindings: MappingBindings = { mappings: context.mappings, ...(context.council !== undefined ? { council: context.council } : {}) };
  /** A request's response expression over its answer, with the answer's status and headers and the request's input bound. */
  const readAnswer = (request: RequestPlan, answer: Answer, input: unknown, extra: MappingBindings = {}): Promise<unknown> =>
    request.response!.evaluate(answer.body, { ...bindings, status: answer.status, headers: answer.headers, request: input, ...extra });

  /** The record an earlier attempt made, by the configured look-up; undefined when there is none. */
  async function lookUp(submit: SubmitPlan, tx: Envelope, input: unknown, signal: AbortSignal): Promise<Receipt | undefined> {
    if (submit.idempotency?.kind !== 'lookup') return undefined;
    const request = submit.idempotency.request;
    const answer = await caller.send(request, input, bindings, signal, { accept: [404] });
    if (answer.status === 404) return undefined;
    const mapped = await readAnswer(request, answer, input);
    if (mapped === undefined || mapped === null || mapped === false || (typeof mapped === 'object' && Object.keys(mapped).length === 0))
      return undefined;
    return results.receipt(mapped, request.response!.path, tx);
  }

  const instance: AdapterInstance = {
    async submit(tx, { signal }) {
      const submit = configuredSubmit(plan.submit, tx);
      // The mappings read a copy: nothing they do can change the transaction.
      const input = plainJson(tx);
      try {
        const found = await lookUp(submit, tx, input, signal);
        if (found) {
          context.logger.info('record already in the back office for this transaction', {
            type: tx.type,
            externalRef: found.externalRef,
            transaction: tx.id,
          });
          return found;
        }
        const headers: Record<string, string> = {};
        if (submit.idempotency?.kind === 'header') {
          const value = submit.idempotency.value ? await submit.idempotency.value.evaluate(input, bindings) : tx.idempotencykey;
          headers[submit.idempotency.header] = oneLine(value, submit.idempotency.value?.path ?? `${submit.request.path}/idempotency`);
        }
        const answer = await caller.send(submit.request, input, bindings, signal, { headers });
        const mapped = await readAnswer(submit.request, answer, input);
        const receipt = results.receipt(mapped, submit.request.response!.path, tx);
        context.logger.info('record created', { type: tx.type, externalRef: receipt.externalRef, transaction: tx.id });
        return receipt;
      } catch (error) {
        // Back offices quote what they were sent: none of the citizen's data goes on in the error.
        throw maskPersonalData(error, tx.type, tx.data);
      }
    },

    async getStatus(externalRef, { signal }) {
      if (!plan.status) throw notConfigured('getStatus', 'status');
      const input = { externalRef };
      const answer = await caller.send(plan.status, input, bindings, signal);
      const mapped = await readAnswer(plan.status, answer, input);
      return results.statusUpdate(mapped, plan.status.response!.path, externalRef);
    },

    async pollUpdates(cursor, { signal }) {
      if (!plan.poll) throw notConfigured('pollUpdates', 'poll');
      const input = cursor === undefined ? {} : { cursor };
      const answer = await caller.send(plan.poll, input, bindings, signal);
      const mapped = await readAnswer(plan.poll, answer, input, cursor !== undefined ? { cursor } : {});
      return results.pollResult(mapped, plan.poll.response!.path, cursor);
    },
  };
  if (plan.check) {
    const check = plan.check;
    instance.check = async ({ signal }) => {
      const started = Date.now();
      try {
        await caller.send(check, {}, bindings, signal);
        return { ok: true, latencyMs: Date.now() - started };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    };
  }
  return instance;
}

const manifest = {
  id: 'rest',
  vendor: 'LGX',
  product: 'Declarative REST adapter (any REST API)',
  version: '0.1.0',
  sdk: '^1.0.0',
  domains: ['street', 'highways', 'waste', 'revenues', 'benefits', 'council_tax', 'parking', 'crm', 'other'] as const,
  description:
    'Connects a REST back office with no adapter of its own: requests per operation with JSONata bodies and mappings, auth, error rules, idempotency by header or look-up, status and change polling, optionally checked against an OpenAPI 3 document, all in configuration.',
  specification: {
    name: 'HTTP semantics (RFC 9110), OAuth 2.0 client credentials (RFC 6749 section 4.4), OpenAPI 3.0/3.1, JSONata 2.x',
    version: 'RFC 9110; RFC 6749; OpenAPI 3.x; JSONata 2.2',
  },
};

/**
 * A REST adapter declaring exactly `types` (each must then be configured), with each type's
 * idempotency as given (default 'key': a header the back office dedupes on; 'lookup': a look-up
 * before creating; 'none': neither, accepted knowingly). The configuration must use the method each
 * type declares. For a host or test that wants the capabilities to be what one back office's mapping does.
 */
export function defineRestAdapter<const T extends readonly ServableType[]>(
  types: T,
  idempotency: Partial<Record<T[number], IdempotencyKind>> = {},
) {
  const declared = new Map<string, IdempotencyKind>(
    types.map((t) => [t, (idempotency as Partial<Record<ServableType, IdempotencyKind>>)[t] ?? 'key']),
  );
  return defineAdapter({
    manifest: { ...manifest, domains: [...manifest.domains] },
    configSchema,
    capabilities: servableCapabilities(types, idempotency),
    create: (context, config: RestAdapterConfig) => createInstance(context, config, declared, types, true),
  });
}

/**
 * The declarative REST adapter: it can serve every type in SERVABLE_TYPES, and does serve those its
 * configuration maps, each of which must say how repeats are kept safe (a header or a look-up);
 * other types are refused as unsupported (LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED).
 */
export const adapter = defineAdapter({
  manifest: { ...manifest, domains: [...manifest.domains] },
  configSchema,
  capabilities: servableCapabilities(SERVABLE_TYPES),
  create: (context, config: RestAdapterConfig) =>
    createInstance(context, config, new Map(SERVABLE_TYPES.map((t) => [t, 'key' as const])), [], false),
});

export default adapter;
