import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '../src/testing';

// The simulator is what every test of the adapter stands on: here it is checked on its own.
const call = async (sim: ExampleWasteSimulator, method: string, url: string, body?: unknown) => {
  const res = await fetch(`${sim.url}${url}`, {
    method,
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('Example Waste simulator with a state folder', () => {
  it('continues case numbers and the change feed after a restart, and still answers for earlier cases', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'example-waste-state-'));
    try {
      const first = await startExampleWasteSimulator({ stateDir: dir });
      expect((await call(first, 'POST', '/v1/missed-collections', { uprn: '100090215480' })).body).toMatchObject({
        id: 'MC-000001',
        status: 'logged',
      });
      progressCase(first, 'MC-000001', 'scheduled', 'Crew returning Thursday');
      await first.close();

      const second = await startExampleWasteSimulator({ stateDir: dir });
      try {
        expect((await call(second, 'GET', '/v1/cases/MC-000001')).body).toMatchObject({
          id: 'MC-000001',
          status: 'scheduled',
          note: 'Crew returning Thursday',
        });
        expect((await call(second, 'POST', '/v1/container-requests', { uprn: '100090215480' })).body).toMatchObject({ id: 'CR-000002' });
        const feed = (await call(second, 'GET', '/v1/changes?since=0')).body as {
          changes: Array<{ change_id: number; case_id: string; status: string }>;
        };
        expect(feed.changes.map((c) => [c.change_id, c.case_id, c.status])).toEqual([
          [1, 'MC-000001', 'logged'],
          [2, 'MC-000001', 'scheduled'],
          [3, 'CR-000002', 'logged'],
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
