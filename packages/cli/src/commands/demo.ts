import type { DeliveryEvent, StoredStatusUpdate } from '@lgx/runtime';
import { actInBackOffices, checkExpectations, outcomes, settled, submitBatch, type DemoItem } from '../demo/demo-batch';
import { startDemoWorld } from '../demo/demo-world';
import { EXIT, table, type Io } from '../output';
import { int, parse, str, textOptions } from '../args';

export const demoHelp = `lgx demo [--once] [--port <n>] [--data <dir>] [--timeout <seconds>]

LGX's main job on embedded defaults, with nothing to install or start: simulated back offices of a
demo council (a SOAP street-works system, a SOAP revenues system, an Open311 waste contractor,
GOV.UK Pay, GOV.UK Notify, Dynamics 365 for cases with Salesforce as its fallback), the gateway on a
fresh SQLite store, and a mixed batch from its channels (missed bins and a council tax move from web
forms, potholes through the Open311 facade as FixMyStreet sends them, a payment, an email, cases from
the contact centre), some of which the back offices first refuse or time out. It shows deliveries, retries and dead letters as they happen and the status updates that come
back, checks every expectation, then keeps serving with URLs and curl commands to explore.
--once exits after the batch: 0 if every expectation held, 1 if not.`;

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { once: { type: 'boolean', default: false }, ...textOptions('port', 'data', 'timeout') });
  if (values.help) return (io.out(demoHelp), EXIT.ok);
  const once = values.once === true;
  const timeoutMs = int(values, 'timeout', 60, 5, 600) * 1000;
  const dataDir = str(values, 'data');
  io.out('LGX demo: starting simulated back offices and the gateway…');
  const world = await startDemoWorld({ port: int(values, 'port', once ? 0 : 8080, 0, 65535), ...(dataDir ? { dataDir } : {}) });
  const labels = new Map<string, DemoItem>();
  const say = (line: string) => io.out(line);
  const onDelivery = (e: DeliveryEvent) => {
    const item = labels.get(e.transactionId);
    const what = `${(item?.label ?? e.transactionId).padEnd(38)} → ${e.target}`;
    if (e.kind === 'delivered') say(`  ✓ delivered  ${what} (reference ${e.externalRef}, attempt ${e.attempt})`);
    else if (e.kind === 'retry')
      say(
        `  ↻ retrying   ${what} (${e.classification} on attempt ${e.attempt}; again in ${Math.max(0, Math.round((e.retryAt.getTime() - Date.now()) / 100) / 10)} s)`,
      );
    else say(`  ✗ dead letter ${what} (${e.classification}: ${e.reason.slice(0, 80)})`);
  };
  const onStatus = (u: StoredStatusUpdate) => {
    const item = u.transactionId ? labels.get(u.transactionId) : undefined;
    if (u.target.startsWith('webhook:')) return;
    // Only the status and the vendor's code: an officer's note can hold personal data.
    say(
      `  ◆ status     ${(item?.label ?? u.update.externalRef).padEnd(38)} ← ${u.target}: ${u.update.status}${u.update.externalStatusCode ? ` (${u.update.externalStatusCode})` : ''}`,
    );
  };
  const off = world.stack.onDelivery(onDelivery);
  const offStatus = world.stack.onStatusUpdate(onStatus);
  let failures: string[] = [];
  try {
    say(`\ngateway ${world.url} · council E07000223 · data in ${world.dataDir}`);
    // The gateway checks every adapter in the background as it starts (which loads the SOAP WSDLs):
    // wait for those first results, so no check meets a fault the batch scripts for a delivery.
    type Health = { councils: Record<string, { adapters: Record<string, { ok: boolean; status: string }> }> };
    const checked = Date.now() + 30_000;
    let adapters: Array<[string, { ok: boolean; status: string }]> = [];
    do {
      if (adapters.length > 0) await new Promise((r) => setTimeout(r, 50));
      adapters = Object.entries(((await (await fetch(`${world.url}/v1/health`)).json()) as Health).councils['E07000223']?.adapters ?? {});
    } while (adapters.some(([, a]) => a.status === 'unknown') && Date.now() < checked);
    say(`back offices: ${adapters.map(([id, a]) => `${id} ${a.ok ? 'ok' : 'FAILING'}`).join(' · ')}`);
    say('\nthe channels submit:');
    const items = await submitBatch(world, say, (item) => labels.set(item.id, item));
    world.stack.polling.start();
    say('\nthe stack delivers (live):');
    const acted = new Set<string>();
    const until = Date.now() + timeoutMs;
    let results = await outcomes(world, items);
    while (!settled(results) && Date.now() < until) {
      await actInBackOffices(world, items, acted);
      await new Promise((r) => setTimeout(r, 200));
      results = await outcomes(world, items);
    }
    say('\nwhere everything stands:');
    say(
      table(
        ['transaction', 'type', 'channel', 'state', 'attempts', 'back-office ref', 'status'],
        results.map((r) => [r.item.label, r.item.type, r.item.channel, r.state, r.attempts, r.reference, r.status]),
      ),
    );
    failures = await checkExpectations(world, results);
    say(
      failures.length === 0
        ? `\nall expectations held (${results.length} transactions, ${results.filter((r) => r.state === 'dead' || r.item.fallsBack).length} dead letters as expected)`
        : `\n${failures.length} expectation(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
    );
  } catch (error) {
    failures = [(error as Error).message];
    io.err(`demo failed: ${(error as Error).message}`);
  }
  if (once) {
    off();
    offStatus();
    await world.close();
    say(failures.length === 0 ? 'demo: OK' : 'demo: FAILED');
    return failures.length === 0 ? EXIT.ok : EXIT.failed;
  }
  const k = world.key;
  say(`
the gateway keeps serving; try (Ctrl-C to stop):
  curl -s ${world.url}/v1/health
  curl -s -H 'Authorization: Bearer ${k}' '${world.url}/v1/transactions?limit=5'
  curl -s -X POST ${world.url}/v1/transactions -H 'Authorization: Bearer ${k}' -H 'Content-Type: application/json' \\
       -d '{"type":"street.report","data":{"kind":"graffiti","description":"Tag on the bus shelter","location":{"usrn":"8400709"}}}'
  curl -s ${world.url}/open311/v2/services.xml
  curl -s ${world.url}/open311/v2/servicerequestupdates.xml
  curl -s -H 'Authorization: Bearer ${k}' ${world.url}/metrics
  ${world.url}/openapi.json
(the key above is a throwaway demo key with every scope)`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      void world.close().then(() => resolve(failures.length === 0 ? EXIT.ok : EXIT.failed));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
