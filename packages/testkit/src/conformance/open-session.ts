/* eslint-disable no-console -- the suite captures console output, to check that adapters print no secrets. */
import { createTransaction, schemaRegistry, type AdapterDefinition, type Capability } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger } from '../memory-logger';
import { observeInstance } from './observe-instance';
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
    console[m] = (...args: unknown[]) =>
      void consoleOutput.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  }
  // Written straight to the streams too (process.stdout.write), which console capture alone misses.
  // The text still goes out: the test runner's own output shares these streams.
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      consoleOutput.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  }
  const restoreConsole = () => {
    for (const [m, fn] of originals) console[m] = fn;
    streams.forEach((stream, i) => (stream.write = writes[i]!));
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
    const observed = { errors: [], mutations: [], receiptLog: [], personalData: new Set<string>() };
    return {
      ...observed,
      definition,
      options,
      simulator,
      config,
      instance: observeInstance(instance, observed),
      logs: memory.entries,
      console: consoleOutput,
      secrets,
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
