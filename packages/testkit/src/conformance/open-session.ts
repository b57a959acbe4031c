/* eslint-disable no-console -- the suite captures console output, to check that adapters print no secrets. */
import { createTransaction, schemaRegistry, type AdapterDefinition, type AdapterInstance, type Capability } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger } from '../memory-logger';
import type { Simulator } from '../simulators/simulator-server';
import type { ConformanceOptions, ConformanceSession } from './conformance-types';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Starts the simulator, creates the adapter as a host would (compatibility check, config validation)
 * but with transport retries off and an unscrubbed logger, and captures console output, so that the
 * checks see exactly what the adapter does.
 */
export async function openSession<Caps extends readonly Capability[], Config, Sim extends Simulator>(
  definition: AdapterDefinition<Caps, Config>,
  options: ConformanceOptions<Config, Sim>,
): Promise<ConformanceSession<Config, Sim>> {
  const simulator = await options.simulator();
  const memory = createMemoryLogger('debug');
  const consoleOutput: string[] = [];
  const originals = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) => void consoleOutput.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  }
  const restoreConsole = () => {
    for (const [m, fn] of originals) console[m] = fn;
  };
  const council = options.council ?? 'E07000223';
  try {
    const { instance, config, secrets } = await instantiateAdapter(definition, options.config(simulator), {
      logger: memory.logger,
      rawLogger: true,
      retry: false,
      council,
    });
    let counter = 0;
    return {
      definition: definition as unknown as AdapterDefinition<readonly Capability[], Config>,
      options,
      simulator,
      config,
      instance: instance as unknown as AdapterInstance,
      logs: memory.entries,
      console: consoleOutput,
      secrets,
      personalData: new Set(),
      receipts: new Map(),
      envelope: (type, data, opts = {}) =>
        createTransaction(type, data, {
          council,
          channel: 'web',
          idempotencyKey: opts.idempotencyKey ?? `conformance-${Date.now()}-${++counter}`,
          ...(opts.version !== undefined ? { version: opts.version } : { version: schemaRegistry().get(type).major }),
          ...(opts.validate === false ? { validate: false } : {}),
        }),
      close: async () => {
        restoreConsole();
        await instance.close?.();
        await simulator.close();
      },
    };
  } catch (error) {
    restoreConsole();
    await simulator.close();
    throw error;
  }
}
