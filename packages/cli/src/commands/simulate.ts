import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Simulator } from '@lgx/testkit';
import { EXIT, UsageError, type Io } from '../output';
import { int, parse, str } from '../args';
import { writeAddresses } from '../simulate/addresses';
import { exportLines, stackFor, stackYaml, type PlacedSystem } from '../simulate/stack-entries';
import { DEFAULT_BASE_PORT, DEFAULT_SIMULATOR_DATA, isSystemName, loadSystem, SYSTEMS, type SystemName } from '../simulate/systems';

const NAMES = SYSTEMS.map((s) => s.name);

export const simulateHelp = `lgx simulate [name...] [--port <base>] [--host <addr>] [--data <dir>] [--json]

Starts simulated back offices, to try a stack without the real ones: ${NAMES.join(', ')},
or all of them (no name, or 'all'). Each listens on --host (default 127.0.0.1) at the base port
(--port, default ${DEFAULT_BASE_PORT}) plus its place in that list (open311 ${DEFAULT_BASE_PORT} ... fieldbook
${DEFAULT_BASE_PORT + SYSTEMS.length - 1}; --port 0 picks free ports) and keeps its state in --data (default ${DEFAULT_SIMULATOR_DATA}), so a
restart continues its numbering and still knows what it was sent. Prints what lgx.yaml needs for
each: the adapter package, its address, its keys and secrets as \${env:NAME} with the values to
export, and the service codes and template ids it knows (--json: one line of JSON). 'lgx init
--simulators' writes a stack wired to them. Runs until SIGINT or SIGTERM, then stops them and
exits 0. Exit 2 for an unknown name or a bad port, 1 when one cannot start (a port in use).`;

/** The names asked for, in the order they start; none or 'all' is every one. */
function selected(positionals: string[]): SystemName[] {
  const unknown = positionals.filter((n) => n !== 'all' && !isSystemName(n));
  if (unknown.length)
    throw new UsageError(`no simulator called ${unknown.map((n) => `'${n}'`).join(', ')} (simulators: ${NAMES.join(', ')}, all)`);
  if (positionals.length === 0 || positionals.includes('all')) return [...NAMES];
  return NAMES.filter((n) => positionals.includes(n));
}

/** A start failure in words that say what to do. */
function startError(error: unknown, name: SystemName, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new Error(
      `port ${port} on ${host} is in use, so ${name} cannot start: stop what holds it, or choose another base with --port (--port 0 picks free ports)`,
      { cause: error },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new Error(`--host ${host} is not an address of this machine (${code})`, { cause: error });
  if (code === 'EACCES')
    return new Error(`port ${port} on ${host} needs privileges this user does not have: choose a base above 1023 with --port`, {
      cause: error,
    });
  return new Error(`${name} did not start: ${(error as Error).message}`, { cause: error });
}

export async function simulateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } });
  if (values.help) return (io.out(simulateHelp), EXIT.ok);
  const names = selected(positionals);
  const base = int(values, 'port', DEFAULT_BASE_PORT, 0, 65535);
  const offsets = new Map(SYSTEMS.map((s) => [s.name as SystemName, s.offset as number]));
  const highest = Math.max(...names.map((n) => offsets.get(n)!));
  if (base !== 0 && base + highest > 65535)
    throw new UsageError(`--port ${base} leaves no room for ${names.length} simulator(s): use a base from 1 to ${65535 - highest}`);
  const host = str(values, 'host', '127.0.0.1');
  const dataDir = path.resolve(str(values, 'data', DEFAULT_SIMULATOR_DATA));
  const systems = names.map((name) => ({ name, system: loadSystem(name) }));

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const running: Array<PlacedSystem & { simulator: Simulator }> = [];
  for (const { name, system } of systems) {
    const port = base === 0 ? 0 : base + offsets.get(name)!;
    try {
      const simulator = await system.start({ port, host, stateDir: dataDir });
      running.push({ name, system, simulator, url: simulator.url });
    } catch (error) {
      for (const r of running) await r.simulator.close().catch(() => undefined);
      throw startError(error, name, host, port);
    }
  }
  writeAddresses(dataDir, running);
  const stack = stackFor(running);

  if (values.json) {
    const simulators = running.map(({ name, system, url }) => ({
      name,
      title: system.title,
      url,
      address: system.address(url),
      ...system.stack(url),
    }));
    io.out(JSON.stringify({ data: dataDir, simulators, stack: { adapters: stack.adapters, routes: stack.routes }, env: stack.env }));
  } else {
    io.out(`lgx simulate: ${running.length} simulated back office(s) on ${host}, state in ${dataDir}\n`);
    const width = Math.max(...running.map((r) => r.name.length));
    const addressWidth = Math.max(...running.map((r) => r.system.address(r.url).length));
    for (const r of running) io.out(`  ${r.name.padEnd(width)}  ${r.system.address(r.url).padEnd(addressWidth)}  ${r.system.title}`);
    io.out(`\nFor lgx.yaml (or run 'lgx init --simulators' in this folder to write a stack wired to them):\n`);
    io.out(stackYaml(stack));
    io.out('Then, in each terminal where you run lgx validate, keys, serve and send:\n');
    io.out(
      exportLines(stack.env)
        .map((line) => `  ${line}`)
        .join('\n'),
    );
    io.out('\nGood to know:');
    for (const r of running) for (const note of stack.notes[r.name] ?? []) io.out(`  ${r.name}: ${note}`);
    io.out(`\nready: Ctrl-C (or SIGTERM) stops them; they keep their state in ${dataDir} for next time`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.err(`${signal}: stopping the simulators`);
      void (async () => {
        let failed = false;
        for (const r of running) {
          try {
            await r.simulator.close();
          } catch (error) {
            failed = true;
            io.err(`error: ${r.name} could not save its state: ${(error as Error).message}`);
          }
        }
        resolve(failed ? EXIT.failed : EXIT.ok);
      })();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
