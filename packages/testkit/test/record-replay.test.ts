import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHttpClient } from '@lgx/core/http';
import { record, replayFixture, simulateResetMidBody, simulateTlsFailure } from '../src/record-replay';
import { startRestSimulator } from '../src/simulators/rest-simulator';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-record-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('record and replay', () => {
  it('records real traffic without credentials, then replays it with the server gone', async () => {
    const sim = await startRestSimulator({
      name: 'vendor',
      state: () => ({}),
      routes: [{ method: 'POST', path: '/cases', handler: (req) => ({ status: 201, body: { id: 'C-1', echo: (req.json as { kind: string }).kind, token: 'server-token-999' } }) }],
    });
    const file = path.join(dir, 'cases.json');
    const client = createHttpClient({ baseUrl: sim.url, headers: { authorization: 'Bearer live-secret-123' }, retry: false });
    await record(async () => {
      await client.post('/cases', { json: { kind: 'pothole', password: 'p4ss-word-7' }, query: { api_key: 'query-key-5' } });
    }, { file });
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of ['live-secret-123', 'p4ss-word-7', 'query-key-5', 'server-token-999']) expect(text).not.toContain(secret);
    expect(text).toContain('pothole');
    await sim.close();

    const replay = replayFixture(file);
    try {
      const res = await createHttpClient({ baseUrl: sim.url, retry: false }).post<{ id: string }>('/cases', { json: { kind: 'pothole' }, query: { api_key: '[SCRUBBED]' } });
      expect(res).toMatchObject({ status: 201, data: { id: 'C-1' } });
      expect(() => replay.done()).not.toThrow();
    } finally {
      replay.restore();
    }
  });

  it('refuses a recording that still holds a credential', () => {
    expect(() =>
      replayFixture([{ scope: 'http://127.0.0.1:1', method: 'GET', path: '/x', status: 200, response: {}, rawHeaders: ['Authorization', 'Bearer leaked'] } as never]),
    ).toThrow(/unscrubbed credential at \[0\]\.rawHeaders\[1\]/);
    expect(() => replayFixture([{ scope: 'http://127.0.0.1:1', method: 'GET', path: '/x?api_key=abc', status: 200, response: {} } as never])).toThrow(/api_key/);
  });
});

describe('failures a simulator cannot produce', () => {
  it('an expired TLS certificate reaches the client as a TLS error', async () => {
    const tls = simulateTlsFailure('https://backoffice.invalid');
    try {
      await expect(createHttpClient({ baseUrl: 'https://backoffice.invalid', retry: false }).get('/anything')).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_TLS' });
    } finally {
      tls.restore();
    }
  });

  it('a connection reset in the middle of the body reaches the client as a retryable failure', async () => {
    const reset = simulateResetMidBody('https://backoffice.invalid/cases/1', { status: 200 });
    try {
      await expect(createHttpClient({ baseUrl: 'https://backoffice.invalid', retry: false }).get('/cases/1')).rejects.toMatchObject({
        classification: 'retryable',
        code: 'LGX_ERR_ADAPTER_RETRYABLE',
      });
    } finally {
      reset.restore();
    }
  });
});
