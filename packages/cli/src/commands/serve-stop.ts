import type { Service } from '@lgx/gateway';
import { int } from '../args';
import { EXIT, type Io } from '../output';

type Values = Record<string, string | boolean | undefined>;

/** The `lgx serve` option for stopping, as `parse` takes it. */
export const STOP_OPTIONS = { 'stop-timeout': { type: 'string' } } as const;

export const STOP_HELP = `On SIGINT or SIGTERM it stops within --stop-timeout seconds (default 10): no new connections; new
requests on open ones get 503 with Retry-After; requests in flight finish; then polling and
retention stop, deliveries in flight finish or are released, and the store closes. A second signal
stops at once.`;

export function stopTimeoutFrom(values: Values): number {
  return int(values, 'stop-timeout', 10, 0, 3600) * 1000;
}

/**
 * Resolves the exit code once SIGINT or SIGTERM has stopped the service: 0 when everything stopped in
 * order, 1 when a part failed to. A second signal exits at once.
 */
export function stopOnSignal(service: Pick<Service, 'stop'>, timeoutMs: number, io: Io): Promise<number> {
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
      service.stop(timeoutMs).then(
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
