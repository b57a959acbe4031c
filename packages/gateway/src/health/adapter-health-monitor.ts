import type { AdapterInstance, Logger } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';

/** One adapter's health as `/v1/health` reports it. */
export interface AdapterHealth {
  /** True when the last check passed and is recent. */
  ok: boolean;
  /** `unknown` until the first check finishes; then `ok` or `failing`. */
  status: 'unknown' | 'ok' | 'failing';
  /** When the last check finished (or was given up at its timeout). */
  checkedAt?: string;
  /** How old that result is, in milliseconds. */
  ageMs?: number;
  latencyMs?: number;
  /** Why the last check failed: the back office said so, the check threw, or it did not answer in time. */
  error?: 'reported' | 'thrown' | 'timeout';
  /** True when no check has finished for longer than two intervals and a timeout (one is stuck). */
  stale?: boolean;
}

interface Result {
  ok: boolean;
  at: number;
  latencyMs?: number;
  error?: AdapterHealth['error'];
}

interface Watched {
  council: string;
  id: string;
  instance: AdapterInstance;
  /** A check in flight: the next round skips this adapter until it settles, so checks never pile up. */
  running?: AbortController | undefined;
  last?: Result;
}

export interface AdapterHealthMonitorOptions {
  stacks: ReadonlyMap<string, RunningStack>;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Runs every adapter's health check in the background, on an interval and with its own timeout, and
 * keeps the last result. `/v1/health` reads the results, so it answers at once whatever the back
 * offices do: a back office that hangs makes its adapter `failing` (timeout), and then `stale` if
 * even the abandoned check never returns, but never makes a load balancer wait.
 */
export class AdapterHealthMonitor {
  private watched: Watched[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AdapterHealthMonitorOptions) {
    for (const [council, stack] of options.stacks) this.watch(council, stack);
  }

  /** Watches `stack`'s adapters for `council` in place of those watched before (none: stops watching the council). */
  watch(council: string, stack: RunningStack | undefined): void {
    for (const w of this.watched) if (w.council === council) w.running?.abort(new Error('stack replaced'));
    this.watched = this.watched.filter((w) => w.council !== council);
    if (!stack) return;
    const added: Watched[] = [];
    for (const [id, instance] of stack.adapters) {
      // Webhook subscribers are delivery targets of the runtime's own making, not back offices.
      if (!id.startsWith('webhook:')) added.push({ council, id, instance });
    }
    this.watched.push(...added);
    if (this.timer) for (const w of added) if (w.instance.check) void this.checkOne(w);
  }

  /** Checks every adapter now, then every interval. */
  start(): void {
    if (this.timer) return;
    this.round();
    this.timer = setInterval(() => this.round(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops checking, and aborts the checks in flight. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.watched) w.running?.abort(new Error('gateway stopping'));
  }

  /** The last result of each of a council's adapters. */
  report(council: string, now = Date.now()): Record<string, AdapterHealth> {
    const staleAfter = 2 * this.options.intervalMs + this.options.timeoutMs;
    const out: Record<string, AdapterHealth> = {};
    for (const w of this.watched) {
      if (w.council !== council) continue;
      if (!w.instance.check) {
        out[w.id] = { ok: true, status: 'ok' };
        continue;
      }
      if (!w.last) {
        out[w.id] = { ok: false, status: 'unknown' };
        continue;
      }
      const ageMs = Math.max(0, now - w.last.at);
      const stale = ageMs > staleAfter;
      out[w.id] = {
        ok: w.last.ok && !stale,
        status: w.last.ok ? 'ok' : 'failing',
        checkedAt: new Date(w.last.at).toISOString(),
        ageMs,
        ...(w.last.latencyMs !== undefined ? { latencyMs: w.last.latencyMs } : {}),
        ...(w.last.error ? { error: w.last.error } : {}),
        ...(stale ? { stale: true } : {}),
      };
    }
    return out;
  }

  private round(): void {
    for (const w of this.watched) if (w.instance.check && !w.running) void this.checkOne(w);
  }

  private async checkOne(w: Watched): Promise<void> {
    const controller = new AbortController();
    w.running = controller;
    let timer: NodeJS.Timeout | undefined;
    // The timeout settles the result even for a check that ignores its signal; `running` stays set
    // until that check really returns.
    const timedOut = new Promise<Result>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error('health check timed out'));
        resolve({ ok: false, at: Date.now(), error: 'timeout' });
      }, this.options.timeoutMs);
      timer.unref();
    });
    const checked = (async (): Promise<Result> => {
      const started = Date.now();
      try {
        const report = await w.instance.check!({ signal: controller.signal });
        const latencyMs = report.latencyMs ?? Date.now() - started;
        return report.ok ? { ok: true, at: Date.now(), latencyMs } : { ok: false, at: Date.now(), latencyMs, error: 'reported' };
      } catch {
        return { ok: false, at: Date.now(), error: 'thrown' };
      }
    })();
    const result = await Promise.race([checked, timedOut]);
    clearTimeout(timer);
    this.record(w, result);
    await checked;
    w.running = undefined;
  }

  private record(w: Watched, result: Result): void {
    const was = w.last?.ok;
    w.last = result;
    if (was !== false && !result.ok)
      this.options.logger.warn('adapter health check failing', { council: w.council, adapter: w.id, error: result.error });
    else if (was === false && result.ok)
      this.options.logger.info('adapter health check passing again', { council: w.council, adapter: w.id });
  }
}
