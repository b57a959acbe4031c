/**
 * The Example Waste simulator in a process of its own, for bench/backlog: its CPU then stays out of
 * the event loop being measured. Prints its URL on stdout; exits when stdin closes (the bench ended).
 *
 * usage: backlog-simulator.ts <latency ms>
 */
import { startExampleWasteSimulator } from '@lgx/adapter-template/testing';

async function main(): Promise<void> {
  const sim = await startExampleWasteSimulator();
  sim.faults.latency(Number(process.argv[2] ?? '20'));
  process.stdout.write(`${sim.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void sim.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
