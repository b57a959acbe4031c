import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { lgx, serveLgx, useWasteStack } from './helpers';

/* `lgx keys import` (keys.json into the store), and nodes with roles on one store. */

jest.setTimeout(120_000);

const ctx = useWasteStack();
const env = { EXAMPLE_WASTE_KEY: API_KEY };
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;

async function createKey(): Promise<string> {
  const made = await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--json'], {
    env: { EXAMPLE_WASTE_KEY: '' },
  });
  return (JSON.parse(made.stdout) as { key: string }).key;
}

const submit = (url: string, key: string) =>
  fetch(`${url}/v1/transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'waste.missedCollection', data: missed }),
  });

describe('lgx keys import', () => {
  it("moves keys.json into the store once (a second run adds nothing), after which lgx keys and lgx serve use the store's keys", async () => {
    const key = await createKey();
    const keysFile = path.join(ctx.data, 'keys.json');
    expect(existsSync(keysFile)).toBe(true);
    const first = await lgx(['keys', 'import', '--data', ctx.data, '--json']);
    expect([first.code, JSON.parse(first.stdout)]).toEqual([0, { imported: 1, alreadyThere: 0, into: 'sqlite' }]);
    expect([existsSync(keysFile), existsSync(`${keysFile}.imported`)]).toEqual([false, true]);
    const again = await lgx(['keys', 'import', '--data', ctx.data, '--json']);
    expect([again.code, JSON.parse(again.stdout)]).toEqual([0, { imported: 0, alreadyThere: 1, into: 'sqlite' }]);

    // A key made now goes to the store too (no keys.json comes back), and both work on a served stack.
    const second = await createKey();
    expect(existsSync(keysFile)).toBe(false);
    const listed = await lgx(['keys', 'list', '--data', ctx.data, '--json']);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(2);
    const served = await serveLgx([ctx.stackFile, '--data', ctx.data], { env });
    try {
      expect((await submit(served.url, key)).status).toBe(202);
      expect((await submit(served.url, second)).status).toBe(202);
      const id = /^lgx_([0-9a-f]{12})\./.exec(second)![1]!;
      expect((await lgx(['keys', 'revoke', id, '--data', ctx.data])).code).toBe(0);
      const started = Date.now();
      while ((await submit(served.url, second)).status !== 401) {
        expect(Date.now() - started).toBeLessThan(1000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});

describe('lgx serve --role', () => {
  it('a gateway node accepts but never delivers; a worker node on the same store delivers and answers only health and metrics', async () => {
    const key = await createKey();
    const gateway = await serveLgx([ctx.stackFile, '--data', ctx.data, '--role', 'gateway'], { env });
    try {
      expect(gateway.stdout()).toMatch(/lgx gateway for council/);
      expect((await submit(gateway.url, key)).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(ctx.sim.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

      const worker = await serveLgx([ctx.stackFile, '--data', ctx.data, '--role', 'worker'], { env });
      try {
        expect(worker.stdout()).toMatch(/lgx worker for council/);
        const started = Date.now();
        while (ctx.sim.requests.filter((r) => r.method === 'POST').length === 0) {
          expect(Date.now() - started).toBeLessThan(15_000);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect((await submit(worker.url, key)).status).toBe(404);
        expect((await fetch(`${worker.url}/v1/health`)).status).toBe(200);
        expect((await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
      } finally {
        expect(await worker.stop()).toBe(0);
      }
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
