import type { Gateway } from '@lgx/gateway';
import type { RetentionJob, RunningStack, StatusPolling } from '@lgx/runtime';
import { int } from '../args';
import { EXIT, type Io } from '../output';

type Values = Record<string, string | boolean | undefined>;

/** The `lgx serve` option for stopping, as `parse` takes it. */
export const STOP_OPTIONS = { 'stop-timeout': { type: 'string' } } as const;

export const STOP_HELP = `On SIGINT or SIGTERM it stops within --stop-timeout seconds (default 10): no new connections; new
requests on open ones get 503 with Retry-After; requests in flight finish; then deliveries in
flight finish or are released, and polling, retention and the store stop. A second signal stops at
once.`;

export function stopTimeoutFrom(values: Values): number {
  return int(values, 'stop-timeout', 10, 0, 3600) * 1000;
}

export interface Service {
  gateway: Gateway;
  stack: RunningStack;
  poller: StatusPolling;
  retention: RetentionJob;
}

/**
 * Stops a running service in the one order that loses nothing: the gateway first (requests in flight
 * finish and commit), then the delivery workers (attempts in flight finish or give their leases back),
 * then polling and retention, and the store last, once nothing can write to it. One deadline covers
 * it all: what the gateway does not use, the workers get.
 */
export async function stopService(service: Service, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  await service.gateway.close({ deadlineMs: timeoutMs });
  await service.stack.worker.stop(Math.max(0, until - Date.now()));
  await service.poller.stop();
  await service.retention.stop();
  await service.stack.close({ deadlineMs: 0 });
}

/**
 * Resolves the exit code once SIGINT or SIGTERM has stopped the service: 0 when everything stopped in
 * order, 1 when a part failed to. A second signal exits at once.
 */
export function stopOnSignal(service: Service, timeoutMs: number, io: Io): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // An operator who signals twice wants it gone: what is committed stays committed.
        io.err(`${signal} again: stopping at once`);
        process.exit(EXIT.failed);
      }
      stopping = true;
      io.err(`${signal}: stopping (within ${timeoutMs / 1000} s)`);
      const done = (code: number) => {
        // Everything is closed; a back office call that ignores its abort signal must not keep
        // the process alive (the timer is unref'd: it fires only if something else would).
        setTimeout(() => process.exit(code), 1000).unref();
        resolve(code);
      };
      stopService(service, timeoutMs).then(
        () => {
          io.err('stopped');
          done(EXIT.ok);
        },
        (error: unknown) => {
          io.err(`stop failed: ${(error as Error).message}`);
          done(EXIT.failed);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
