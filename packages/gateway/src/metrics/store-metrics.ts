import type { RunningStack } from '@lgx/runtime';
import { labelText } from './metrics';

/**
 * Metrics read from each stack's store at scrape time, so they count every process that shares it
 * (another gateway, `lgx send`, a worker elsewhere): queue depth from the store's counters, dead
 * letters and deliveries from the reporting rollups. The per-process counters stay beside them.
 */
export async function renderStoreMetrics(stacks: readonly RunningStack[]): Promise<string> {
  const depth = [
    '# HELP lgx_queue_depth Deliveries pending in the store (waiting, retrying or in flight), by council and adapter.',
    '# TYPE lgx_queue_depth gauge',
  ];
  const dead = [
    '# HELP lgx_store_dead_letters Dead letters in the store now, by council and adapter.',
    '# TYPE lgx_store_dead_letters gauge',
  ];
  const inFlight = [
    '# HELP lgx_store_deliveries_in_flight Deliveries leased to a worker of any process now (part of lgx_queue_depth), by council and adapter.',
    '# TYPE lgx_store_deliveries_in_flight gauge',
  ];
  const delivered = [
    '# HELP lgx_store_deliveries_delivered_total Deliveries the store records as delivered by any process, by council and adapter.',
    '# TYPE lgx_store_deliveries_delivered_total counter',
  ];
  for (const stack of stacks) {
    const council = stack.definition.council;
    const [queue, totals, leased] = await Promise.all([stack.queueDepth(), stack.deliveryTotals(), stack.inFlight()]);
    for (const adapter of Object.keys(stack.definition.adapters).sort()) {
      const labels = labelText({ council, adapter });
      depth.push(`lgx_queue_depth${labels} ${queue.byTarget[adapter] ?? 0}`);
      inFlight.push(`lgx_store_deliveries_in_flight${labels} ${leased[adapter] ?? 0}`);
      dead.push(`lgx_store_dead_letters${labels} ${totals[adapter]?.dead ?? 0}`);
      delivered.push(`lgx_store_deliveries_delivered_total${labels} ${totals[adapter]?.delivered ?? 0}`);
    }
  }
  return [...depth, ...inFlight, ...dead, ...delivered].join('\n') + '\n';
}
