import type { RunningStack } from '@lgx/runtime';

/**
 * Whether a council's store answers, within `timeoutMs`. One query at a time per store: while one is
 * pending, callers wait for it (for what is left of its deadline) instead of sending another, so a
 * database that hangs gets one query from the health endpoint, not one per load balancer probe.
 */
export function createStoreProbe(timeoutMs: number): (council: string, stack: RunningStack) => Promise<boolean> {
  const pending = new Map<string, { query: Promise<boolean>; startedAt: number }>();
  return async (council, stack) => {
    let probe = pending.get(council);
    if (!probe) {
      const query = stack.pingStore().then(
        () => true,
        () => false,
      );
      probe = { query, startedAt: Date.now() };
      pending.set(council, probe);
      void query.finally(() => pending.delete(council));
    }
    const left = timeoutMs - (Date.now() - probe.startedAt);
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), left);
      timer.unref();
    });
    try {
      return await Promise.race([probe.query, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}
