import type { AdapterDefinition, AdapterInstance, Capability, Envelope, LogEntry } from '@lgx/core';
import type { Simulator } from '../simulators/simulator-server';

/**
 * How the suite exercises an adapter against its simulator. The callbacks are methods, so options
 * written for one adapter and simulator are also `ConformanceOptions` with no type arguments.
 */
export interface ConformanceOptions<Config = unknown, Sim extends Simulator = Simulator> {
  /** Starts the simulator of the vendor API the adapter talks to. */
  simulator(): Promise<Sim>;
  /** The adapter's configuration for a running simulator. */
  config(simulator: Sim): Config;
  /** How many records the vendor holds (for the idempotency check). Without it that check is skipped. */
  countRecords?(simulator: Sim): number | Promise<number>;
  /** Makes the vendor change a record's status (for the status round trip through pollUpdates). */
  changeStatus?(simulator: Sim, externalRef: string): void | Promise<void>;
  /** Council GSS code used in test envelopes (default E07000223). */
  council?: string;
  /** Per-type fixture overrides; default: the valid and invalid fixtures shipped with @lgx/core. */
  fixtures?: Record<string, { valid?: Array<{ name: string; data: unknown }>; invalid?: Array<{ name: string; data: unknown }> }>;
  /** Checks to skip, each with the reason (printed in the test title). */
  skip?: Partial<Record<CheckId, string>>;
  /** Deadline given to an operation in the timeout check (default 300 ms). */
  timeoutMs?: number;
}

export type CheckId =
  | 'manifest'
  | 'config-schema'
  | 'health'
  | 'submit'
  | 'rejects-invalid'
  | 'classifies-500'
  | 'retries-left-to-runtime'
  | 'classifies-429'
  | 'classifies-400'
  | 'classifies-401'
  | 'honours-timeout'
  | 'honours-abort'
  | 'get-status-honours-abort'
  | 'poll-updates-honours-abort'
  | 'get-status-not-found'
  | 'input-not-mutated'
  | 'no-personal-data-in-errors'
  | 'no-personal-data-in-receipt'
  | 'idempotency'
  | 'get-status'
  | 'poll-updates'
  | 'query'
  | 'query-rejects-invalid'
  | 'no-secrets-or-personal-data-logged'
  | 'erase'
  | 'close';

/** Everything a check needs while it runs. */
export interface ConformanceSession<Config = unknown, Sim extends Simulator = Simulator> {
  definition: AdapterDefinition<readonly Capability[], Config>;
  options: ConformanceOptions<Config, Sim>;
  simulator: Sim;
  config: Config;
  instance: AdapterInstance;
  /** Every entry the adapter logged, unscrubbed. */
  logs: LogEntry[];
  /** Anything written to the console, stdout or stderr while checks ran. */
  console: string[];
  /** Every error an operation threw while checks ran. */
  errors: Array<{ operation: string; error: unknown }>;
  /** Transactions a submit changed in place: where, and the first path that changed. */
  mutations: Array<{ label: string; path: string }>;
  /** Secret values from the config. */
  secrets: string[];
  /** Personal-data values from the fixtures submitted. */
  personalData: Set<string>;
  /** Receipts from successful submits, by type. */
  receipts: Map<string, string[]>;
  /** Every receipt a submit returned, with the personal-data values of the transaction it was for. */
  receiptLog: Array<{ label: string; receipt: unknown; personalData: readonly string[] }>;
  envelope(type: string, data: unknown, options?: { version?: number; idempotencyKey?: string; validate?: boolean }): Envelope;
  close(): Promise<void>;
}

/** One conformance check. */
export interface ConformanceCheck {
  id: CheckId;
  /** Shown as the test name: names the check, the capability and the fixture. */
  title: string;
  capability?: string;
  fixture?: string;
  /** Why it is skipped, if it is. */
  skip?: string;
  run(session: ConformanceSession): Promise<void>;
}

export interface CheckResult {
  id: CheckId;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  message?: string;
}

/** Thrown by a check that fails; the message names the check, capability and fixture. */
export class ConformanceFailure extends Error {
  constructor(
    readonly check: CheckId,
    message: string,
  ) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}
