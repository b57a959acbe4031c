import type { DeliveryEvent } from '@lgx/runtime';
import type { GatewayMetrics } from '../types';

/** Latency buckets in seconds: from a fast local system to a slow SOAP back office. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;

export function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines;
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) entry.counts[i]! += 1;
    });
    entry.sum += seconds;
    entry.count += 1;
    this.series.set(key, entry);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      BUCKETS.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

/** Ends the HELP of each metric this process counts by itself. */
const PROCESS = ' Counted by this process only.';

/**
 * The gateway's metrics: what it accepted over HTTP and what the stacks' workers did with it, counted
 * by this process alone (each HELP says so); the lgx_store_* and lgx_queue_depth series beside them
 * are read from the store and count every process sharing it.
 */
export class Metrics implements GatewayMetrics {
  readonly accepted = new Counter(
    'lgx_transactions_accepted_total',
    'Transactions accepted (stored durably), by council and type.' + PROCESS,
  );
  readonly duplicates = new Counter(
    'lgx_transactions_duplicate_total',
    'Submissions answered with an earlier transaction (same idempotency key).' + PROCESS,
  );
  readonly rejected = new Counter('lgx_requests_rejected_total', 'Requests refused, by HTTP status.' + PROCESS);
  readonly quotaRefusals = new Counter(
    'lgx_quota_refusals_total',
    "Submissions refused over a council's quota, by council and quota (submitRate, maxQueued)." + PROCESS,
  );
  readonly delivered = new Counter('lgx_deliveries_delivered_total', 'Deliveries an adapter accepted, by council and adapter.' + PROCESS);
  readonly retries = new Counter(
    'lgx_delivery_retries_total',
    'Failed attempts that will be retried, by council, adapter and error class.' + PROCESS,
  );
  readonly dead = new Counter(
    'lgx_dead_letters_total',
    'Deliveries moved to the dead-letter queue, by council, adapter and error class.' + PROCESS,
  );
  readonly latency = new Histogram(
    'lgx_delivery_attempt_duration_seconds',
    'How long each delivery attempt took in the adapter, by council and adapter.' + PROCESS,
  );

  /** Records one worker event of `council`'s stack. */
  record(council: string, event: DeliveryEvent): void {
    const labels = { council, adapter: event.target };
    this.latency.observe(labels, event.durationMs / 1000);
    if (event.kind === 'delivered') this.delivered.inc(labels);
    else if (event.kind === 'retry') this.retries.inc({ ...labels, class: event.classification });
    else this.dead.inc({ ...labels, class: event.classification });
  }

  render(): string {
    return (
      [this.accepted, this.duplicates, this.rejected, this.quotaRefusals, this.delivered, this.retries, this.dead, this.latency]
        .flatMap((m) => m.render())
        .join('\n') + '\n'
    );
  }
}
