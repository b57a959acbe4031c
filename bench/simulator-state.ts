/**
 * What a simulator's state file costs: POSTs per second to the Open311 simulator keeping its state in
 * a folder (saved before each answer) against the same simulator in memory, with 100 and with 100,000
 * requests already held, in the same process at the same concurrency (best of alternating rounds).
 * Also the time of one save and the file's size. Run:
 *   npx tsx bench/simulator-state.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { startOpen311Simulator, type Open311Simulator } from '../packages/adapters/open311/src/testing';
import { compareRates } from './rate';

const FORM =
  'api_key=open311-test-api-key-0001&service_code=pothole&lat=52.2&long=0.12&description=Deep+hole+by+the+bus+stop&attribute%5BdepthCm%5D=12';

/** Fills the simulator with `count` requests and their first update, as POSTs would have. */
function preload(sim: Open311Simulator, count: number): void {
  const now = new Date().toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
  for (let i = 0; i < count; i++) {
    const id = String(++sim.state.nextRequest + 1000);
    sim.state.requests.set(id, {
      service_request_id: id,
      status: 'open',
      service_name: 'Pothole',
      service_code: 'pothole',
      description: 'Deep hole by the bus stop',
      agency_responsible: 'Simulated Council',
      requested_datetime: now,
      updated_datetime: now,
      lat: '52.2',
      long: '0.12',
      attributes: { depthCm: '12' },
      contact: {},
    });
    sim.state.updates.push({
      update_id: `u${++sim.state.nextUpdate}`,
      service_request_id: id,
      status: 'open',
      updated_datetime: now,
      description: 'Report received',
      external_status_code: 'RECEIVED',
    });
  }
}

export async function benchSimulatorState(options: { concurrency?: number; rounds?: number } = {}): Promise<string[]> {
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 3;
  const rows = [
    `${'held'.padEnd(9)} ${'file/s'.padStart(9)} ${'memory/s'.padStart(9)} ${'ratio'.padStart(7)} ${'one save'.padStart(10)} ${'file size'.padStart(10)}`,
  ];
  for (const held of [100, 100_000]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-state-'));
    const memory = await startOpen311Simulator();
    const filed = await startOpen311Simulator({ stateDir: dir });
    preload(memory, held);
    preload(filed, held);
    const started = process.hrtime.bigint();
    await filed.saveState();
    const saveMs = Number(process.hrtime.bigint() - started) / 1e6;
    const agent = new http.Agent({ keepAlive: true });
    const post = (sim: Open311Simulator) =>
      axios.create({
        baseURL: `${sim.endpoint}/`,
        httpAgent: agent,
        responseType: 'text',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const toMemory = post(memory);
    const toFile = post(filed);
    // Fewer calls where each costs a whole-file write, so the run stays short.
    const total = held > 1000 ? 16 : 400;
    const best = await compareRates({
      adapter: () => toFile.post('requests.xml', FORM),
      raw: () => toMemory.post('requests.xml', FORM),
      total,
      concurrency,
      rounds: held > 1000 ? 1 : rounds,
    });
    rows.push(
      `${held.toLocaleString('en-GB').padEnd(9)} ${best.adapterPerSecond.toLocaleString('en-GB').padStart(9)} ${best.rawPerSecond.toLocaleString('en-GB').padStart(9)} ${best.ratio.toFixed(3).padStart(7)} ${`${saveMs.toFixed(0)} ms`.padStart(10)} ${`${(statSync(filed.stateFile!).size / 1e6).toFixed(1)} MB`.padStart(10)}`,
    );
    agent.destroy();
    await memory.close();
    await filed.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (require.main === module) {
  void benchSimulatorState().then((rows) => {
    console.log(
      `bench/simulator-state: POSTs per second to the Open311 simulator, state file vs memory only (same run, concurrency 8)\n\n${rows.join('\n')}`,
    );
  });
}
