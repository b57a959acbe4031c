import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '@lgx/core';
import {
  loadStack,
  openStack,
  stackRetention,
  startRetention,
  type RetentionJob,
  type RunningStack,
  type StackDefinition,
  type Store,
} from '@lgx/runtime';
import type { ServiceOptions, ServiceRole, ServiceStack } from '../types';

/** A stack as the service runs it, with its retention job and what it was loaded from. */
export interface ServiceEntry {
  stack: RunningStack;
  retention: RetentionJob | undefined;
  /** The stack file's absolute path, when it came from one. */
  file: string | undefined;
  /** Digest of the loaded definition: a reload that loads the same leaves the stack running. */
  digest: string;
}

export interface LoadedStack {
  definition: StackDefinition;
  resolveFrom: string | undefined;
  file: string | undefined;
  digest: string;
}

export async function loadServiceStack(stack: ServiceStack, resolveFrom: string | undefined): Promise<LoadedStack> {
  if (typeof stack !== 'string') return { definition: stack, resolveFrom, file: undefined, digest: digestOf(stack) };
  // A stack file's adapters are installed beside it.
  const file = path.resolve(stack);
  const definition = await loadStack(file);
  return { definition, resolveFrom: path.dirname(file), file, digest: digestOf(definition) };
}

function digestOf(definition: StackDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex');
}

const DEFAULT_RETENTION_DAYS = 90;

/**
 * Opens a loaded stack on its store as the node's role allows: a `gateway` node neither delivers,
 * nor polls, nor purges (it accepts and reads); `worker` and `all` nodes do all three.
 */
export async function openServiceStack(
  loaded: LoadedStack,
  store: Store,
  options: { [K in 'worker' | 'start' | 'webhooks' | 'polling' | 'retention']: ServiceOptions[K] | undefined } & {
    logger: Logger;
    role: ServiceRole;
  },
): Promise<ServiceEntry> {
  const { worker, start, webhooks, polling, retention, logger, role } = options;
  const delivers = role !== 'gateway';
  let stack: RunningStack;
  try {
    stack = await openStack(loaded.definition, {
      store,
      logger,
      ...(loaded.resolveFrom !== undefined ? { resolveFrom: loaded.resolveFrom } : {}),
      ...(worker ? { worker } : {}),
      ...(!delivers ? { start: false, polling: false as const } : {}),
      ...(delivers && start !== undefined ? { start } : {}),
      ...(webhooks ? { webhooks } : {}),
      ...(delivers && polling !== undefined ? { polling } : {}),
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  // The stack file's periods, over the service's days for the types it leaves out.
  const periods = retention === false ? undefined : stackRetention(loaded.definition.retention, retention?.days ?? DEFAULT_RETENTION_DAYS);
  const job =
    periods === undefined || !delivers
      ? undefined
      : startRetention({
          store,
          days: periods.olderThanDays,
          ...(periods.types ? { types: periods.types } : {}),
          logger,
          ...(retention && retention.intervalMs ? { intervalMs: retention.intervalMs } : {}),
        });
  return { stack, retention: job, file: loaded.file, digest: loaded.digest };
}

/** Stops a stack the service no longer serves: polling and retention, then its deliveries finish or are released, then it closes. */
export async function closeServiceStack(entry: ServiceEntry, deadlineMs: number): Promise<void> {
  await Promise.all([entry.stack.polling.stop(), entry.retention?.stop()]);
  await entry.stack.close({ deadlineMs });
}
