import type { DeliveryEvent, RunningStack } from '@lgx/runtime';

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
/** Deliveries remembered as retrying, per target; past it the oldest is forgotten (bounded memory). */
const MAX_RETRYING_PER_TARGET = 100_000;

interface TargetActivity {
  /** Deliveries per minute over the last hour: [minute number, count]. */
  minutes: Array<[number, number]>;
  /** Deliveries whose last attempt failed and will be tried again. */
  retrying: Set<string>;
}

/** One back office's recent delivery activity as this gateway saw it. */
export interface ActivityView {
  deliveredLastHour: number;
  retryingNow: number;
}

/**
 * What the stacks' delivery workers in this process did lately: deliveries in the last hour and
 * deliveries waiting to be tried again, per back office, from the stacks' delivery events. It keeps
 * counts per minute, not events, so its memory is bounded however busy the stacks are.
 */
export class DeliveryActivity {
  private readonly byTarget = new Map<string, TargetActivity>();
  private readonly unsubscribe: Array<() => void>;

  constructor(
    stacks: Iterable<RunningStack>,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = [...stacks].map((stack) => stack.onDelivery((event) => this.record(stack.definition.council, event)));
  }

  private of(council: string, target: string): TargetActivity {
    const k = `${council}\u0000${target}`;
    let activity = this.byTarget.get(k);
    if (!activity) this.byTarget.set(k, (activity = { minutes: [], retrying: new Set() }));
    return activity;
  }

  private record(council: string, event: DeliveryEvent): void {
    const activity = this.of(council, event.target);
    if (event.kind === 'retry') {
      activity.retrying.add(event.deliveryId);
      if (activity.retrying.size > MAX_RETRYING_PER_TARGET) activity.retrying.delete(activity.retrying.values().next().value!);
      return;
    }
    activity.retrying.delete(event.deliveryId);
    if (event.kind !== 'delivered') return;
    const minute = Math.floor(this.now() / MINUTE_MS);
    const last = activity.minutes[activity.minutes.length - 1];
    if (last && last[0] === minute) last[1]++;
    else activity.minutes.push([minute, 1]);
    while (activity.minutes.length > 0 && activity.minutes[0]![0] <= minute - HOUR_MINUTES) activity.minutes.shift();
  }

  view(council: string, target: string): ActivityView {
    const activity = this.byTarget.get(`${council}\u0000${target}`);
    if (!activity) return { deliveredLastHour: 0, retryingNow: 0 };
    const since = Math.floor(this.now() / MINUTE_MS) - HOUR_MINUTES;
    return {
      deliveredLastHour: activity.minutes.reduce((sum, [minute, n]) => (minute > since ? sum + n : sum), 0),
      retryingNow: activity.retrying.size,
    };
  }

  stop(): void {
    for (const off of this.unsubscribe) off();
  }
}
