import {
  configuredSubmit,
  adapterError,
  defineAdapter,
  MappingResults,
  notConfigured,
  PermanentError,
  plainJson,
  SERVABLE_TYPES,
  servableCapabilities,
  type AdapterContext,
  type AdapterInstance,
  type MappingBindings,
  type Receipt,
  type ServableType,
} from '@lgx/core';
import type { SoapClient } from '@lgx/core/soap';
import { configSchema, type SoapAdapterConfig } from './config';
import { planFromConfig, type CallPlan, type Plan } from './plan';

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (Array.isArray(value)) return value.some(truthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function isArgs(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function createInstance(
  context: AdapterContext,
  config: SoapAdapterConfig,
  declared: readonly string[],
  required: readonly string[],
): AdapterInstance {
  const plan: Plan = planFromConfig(config, new Set(declared), required);
  const soap: SoapClient = context.soap(plan.soap);
  const results = new MappingResults({ statusMap: plan.statusMap, logger: context.logger, now: () => context.clock.now(), source: 'soap' });
  const bindings: MappingBindings = { mappings: context.mappings, ...(context.council !== undefined ? { council: context.council } : {}) };

  /** Calls one configured operation: request mapping, SOAP call, result rules; returns the parsed result. */
  async function invoke(call: CallPlan, input: unknown, signal: AbortSignal): Promise<unknown> {
    const args = await call.request.evaluate(input, bindings);
    if (!isArgs(args))
      throw new PermanentError(`the mapping at ${call.request.path} must give an object (the arguments of ${call.operation})`);
    const result = plainJson(await soap.call(call.operation, args, { signal })) ?? {};
    for (const rule of plan.resultRules) {
      if (rule.operations !== undefined && !rule.operations.includes(call.operation)) continue;
      if (!truthy(await rule.when.evaluate(result, bindings))) continue;
      const code = rule.vendorCode ? await rule.vendorCode.evaluate(result, bindings) : undefined;
      const vendorCode = typeof code === 'string' && code !== '' ? code.slice(0, 100) : typeof code === 'number' ? String(code) : undefined;
      throw adapterError(
        rule.classification,
        `SOAP ${call.operation} answered with a result that fault rule ${rule.path} classifies ${rule.classification}${vendorCode ? ` (${vendorCode})` : ''}`,
        vendorCode !== undefined ? { vendorCode } : {},
      );
    }
    return result;
  }

  return {
    async check({ signal }) {
      const started = Date.now();
      try {
        await soap.ready({ signal });
        if (plan.check) {
          const args = plan.check.request ? await plan.check.request.evaluate({}, bindings) : {};
          await soap.call(plan.check.operation, isArgs(args) ? args : {}, { signal });
        }
        return { ok: true, latencyMs: Date.now() - started };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },

    async submit(tx, { signal }) {
      const call = configuredSubmit(plan.submit, tx);
      const result = await invoke(call, plainJson(tx), signal);
      const receipt: Receipt = results.receipt(await call.response.evaluate(result, bindings), call.response.path, tx);
      context.logger.info('record created', {
        type: tx.type,
        operation: call.operation,
        externalRef: receipt.externalRef,
        transaction: tx.id,
      });
      return receipt;
    },

    async getStatus(externalRef, { signal }) {
      if (!plan.status) throw notConfigured('getStatus', 'status');
      const result = await invoke(plan.status, { externalRef }, signal);
      return results.statusUpdate(await plan.status.response.evaluate(result, bindings), plan.status.response.path, externalRef);
    },

    async pollUpdates(cursor, { signal }) {
      if (!plan.poll) throw notConfigured('pollUpdates', 'poll');
      const result = await invoke(plan.poll, cursor === undefined ? {} : { cursor }, signal);
      return results.pollResult(await plan.poll.response.evaluate(result, bindings), plan.poll.response.path, cursor);
    },
  };
}

const manifest = {
  id: 'soap',
  vendor: 'LGX',
  product: 'Declarative SOAP adapter (any WSDL)',
  version: '0.1.0',
  sdk: '^1.0.0',
  domains: ['street', 'highways', 'waste', 'revenues', 'benefits', 'council_tax', 'parking', 'crm', 'other'] as const,
  description:
    'Connects a SOAP back office with a WSDL and no adapter of its own: operations, JSONata request/response mappings, fault rules and auth, all in configuration.',
  specification: {
    name: 'SOAP 1.1/1.2 with WSDL 1.1 (W3C), WS-Security UsernameToken Profile 1.1 (OASIS), JSONata 2.x',
    version: 'WSDL 1.1; SOAP 1.1; UsernameToken Profile 1.1; JSONata 2.2',
  },
};

/**
 * A SOAP adapter declaring only `types` (each must then have a submit mapping in the config), for a
 * host or test that wants the declared capabilities to be exactly what one back office's mapping does.
 */
export function defineSoapAdapter<const T extends readonly ServableType[]>(types: T) {
  return defineAdapter({
    manifest: { ...manifest, domains: [...manifest.domains] },
    configSchema,
    capabilities: servableCapabilities(types),
    create: (context, config: SoapAdapterConfig) => createInstance(context, config, types, types),
  });
}

/**
 * The declarative SOAP adapter: it can serve every type in SERVABLE_TYPES, and does serve those its
 * configuration maps; the others are refused as unsupported (LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED).
 */
export const adapter = defineAdapter({
  manifest: { ...manifest, domains: [...manifest.domains] },
  configSchema,
  capabilities: servableCapabilities(SERVABLE_TYPES),
  create: (context, config: SoapAdapterConfig) => createInstance(context, config, SERVABLE_TYPES, []),
});

export default adapter;
