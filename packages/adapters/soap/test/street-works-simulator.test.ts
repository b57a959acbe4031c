import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as soap from 'soap';
import {
  hostileXmlFault,
  startStreetWorksSimulator,
  STREET_WORKS_NAMESPACE,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  startRevenuesSimulator,
  REVENUES_PASSWORD,
  REVENUES_USERNAME,
  type StreetWorksSimulator,
} from '../src/testing';

type Client = soap.Client & Record<string, (args: unknown) => Promise<[Record<string, unknown>]>>;

async function client(sim: StreetWorksSimulator, login = true): Promise<Client> {
  const c = (await soap.createClientAsync(sim.wsdlUrl, { disableCache: true })) as Client;
  if (login) {
    const [answer] = await c.LoginAsync!({ Username: STREET_WORKS_USERNAME, Password: STREET_WORKS_PASSWORD });
    c.addSoapHeader({ SessionToken: (answer.Session as { Token: string }).Token }, 'SessionToken', 'tns', STREET_WORKS_NAMESPACE);
  }
  return c;
}

const defect = (ref: string, extra: Record<string, unknown> = {}) => ({
  ClientReference: ref,
  DefectType: 'POTHOLE',
  Description: 'Deep pothole by the bus stop',
  Location: { Usrn: '8400709' },
  ...extra,
});

/** The fault a soap client call was refused with. */
async function faultOf(call: Promise<unknown>): Promise<{ faultcode: string; faultstring: string }> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { root?: { Envelope?: { Body?: { Fault?: { faultcode: string; faultstring: string } } } } } | undefined;
  const fault = error?.root?.Envelope?.Body?.Fault;
  if (!fault) throw new Error('expected a SOAP fault');
  return fault;
}

let sim: StreetWorksSimulator;
beforeAll(async () => {
  sim = await startStreetWorksSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('Streetworks Exchange simulator (fictional)', () => {
  it('serves its WSDL pointing at itself', () => {
    expect(sim.wsdlUrl).toBe(`${sim.url}/streetworks/v2?wsdl`);
  });

  it('raises a defect once per ClientReference and answers its status', async () => {
    const c = await client(sim);
    const [first] = await c.RaiseDefectAsync!(defect('form-1'));
    const [again] = await c.RaiseDefectAsync!(defect('form-1', { Description: 'sent twice' }));
    expect(first).toMatchObject({ Accepted: true, DefectReference: 'DEF-000001', StatusCode: 'RAISED' });
    expect(again.DefectReference).toBe('DEF-000001');
    expect(sim.state.defects.size).toBe(1);
    sim.setStatus('DEF-000001', 'SCHEDULED', 'Gang booked');
    const [status] = await c.GetWorkOrderStatusAsync!({ DefectReference: 'DEF-000001' });
    expect(status).toMatchObject({ DefectReference: 'DEF-000001', StatusCode: 'SCHEDULED', PublicNote: 'Gang booked' });
  });

  it('lists changes after a sequence number, oldest first, a page at a time', async () => {
    const c = await client(sim);
    await c.RaiseDefectAsync!(defect('a'));
    await c.RaiseDefectAsync!(defect('b'));
    sim.setStatus('DEF-000001', 'COMPLETED');
    const [page] = await c.ListChangedWorkOrdersAsync!({ SinceSequence: 1, MaxResults: 1 });
    expect(page).toMatchObject({
      Changes: { Change: [expect.objectContaining({ Sequence: 2, DefectReference: 'DEF-000002', StatusCode: 'RAISED' })] },
      LastSequence: 2,
    });
    const [rest] = await c.ListChangedWorkOrdersAsync!({ SinceSequence: 2 });
    expect(rest).toMatchObject({
      Changes: { Change: [expect.objectContaining({ Sequence: 3, StatusCode: 'COMPLETED' })] },
      LastSequence: 3,
    });
    const [none] = await c.ListChangedWorkOrdersAsync!({ SinceSequence: 3 });
    expect(none).toEqual({ LastSequence: 3 });
  });

  it('refuses bad input with documented faults, and rejects streets outside its area in the result', async () => {
    const c = await client(sim);
    await expect(faultOf(c.RaiseDefectAsync!(defect('x', { DefectType: 'VOLCANO' })))).resolves.toMatchObject({
      faultcode: 'sw:ValidationFailed',
    });
    await expect(faultOf(c.RaiseDefectAsync!(defect('y', { Description: 'z'.repeat(2001) })))).resolves.toMatchObject({
      faultcode: 'sw:ValidationFailed',
    });
    await expect(faultOf(c.RaiseDefectAsync!(defect('z', { Location: {} })))).resolves.toMatchObject({ faultcode: 'sw:ValidationFailed' });
    await expect(faultOf(c.GetWorkOrderStatusAsync!({ DefectReference: 'DEF-999999' }))).resolves.toMatchObject({
      faultcode: 'sw:UnknownDefect',
    });
    const [rejected] = await c.RaiseDefectAsync!(defect('w', { Location: { Usrn: '99000001' } }));
    expect(rejected).toMatchObject({ Accepted: false, RejectionCode: 'OUT_OF_AREA' });
    expect(sim.state.defects.size).toBe(0);
  });

  it('needs a session from Login, and ends it when told to', async () => {
    const anonymous = await client(sim, false);
    await expect(faultOf(anonymous.RaiseDefectAsync!(defect('a')))).resolves.toMatchObject({ faultcode: 'sw:InvalidSession' });
    await expect(faultOf(anonymous.LoginAsync!({ Username: STREET_WORKS_USERNAME, Password: 'wrong-password' }))).resolves.toMatchObject({
      faultcode: 'sw:InvalidCredentials',
    });
    const c = await client(sim);
    sim.expireSessions();
    await expect(faultOf(c.RaiseDefectAsync!(defect('a')))).resolves.toMatchObject({ faultcode: 'sw:SessionExpired' });
    expect(sim.state.logins).toBe(1);
  });

  it('checks a WS-Security UsernameToken on every call in wsSecurity mode', async () => {
    const ws = await startStreetWorksSimulator({ auth: 'wsSecurity' });
    try {
      const c = await client(ws, false);
      await expect(faultOf(c.PingAsync!({}))).resolves.toMatchObject({ faultcode: 'wsse:FailedAuthentication' });
      c.setSecurity(new soap.WSSecurity(STREET_WORKS_USERNAME, STREET_WORKS_PASSWORD, { passwordType: 'PasswordText' }));
      const [raised] = await c.RaiseDefectAsync!(defect('ws-1'));
      expect(raised.DefectReference).toBe('DEF-000001');
    } finally {
      await ws.close();
    }
  });

  it('answers a hostile XML body (DOCTYPE with an external entity) on demand', async () => {
    sim.faults.failNext(1, hostileXmlFault());
    const body = await new Promise<string>((resolve, reject) => {
      http
        .request(sim.endpoint, { method: 'POST', agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject)
        .end('<x/>');
    });
    expect(body).toMatch(/<!DOCTYPE/);
  });

  it('forgets defects, changes and sessions on reset', async () => {
    const c = await client(sim);
    await c.RaiseDefectAsync!(defect('a'));
    sim.reset();
    expect([sim.state.defects.size, sim.state.changes.length, sim.state.sessions.size, sim.requests.length]).toEqual([0, 0, 0, 0]);
    await expect(faultOf(c.RaiseDefectAsync!(defect('a')))).resolves.toMatchObject({ faultcode: 'sw:InvalidSession' });
  });
});

describe('a state folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-soap-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('Streetworks Exchange continues its references and change feed after a restart, and its sessions hold', async () => {
    const first = await startStreetWorksSimulator({ stateDir: dir });
    const c1 = await client(first);
    await c1.RaiseDefectAsync!(defect('form-1'));
    first.setStatus('DEF-000001', 'SCHEDULED', 'Gang booked');
    await first.close();

    const second = await startStreetWorksSimulator({ stateDir: dir });
    try {
      // The client logged in before the restart; its session token still works.
      const c2 = (await soap.createClientAsync(second.wsdlUrl, { disableCache: true })) as Client;
      c2.addSoapHeader(c1.getSoapHeaders()[0], 'SessionToken', 'tns', STREET_WORKS_NAMESPACE);
      const [status] = await c2.GetWorkOrderStatusAsync!({ DefectReference: 'DEF-000001' });
      expect(status).toMatchObject({ DefectReference: 'DEF-000001', StatusCode: 'SCHEDULED', PublicNote: 'Gang booked' });
      const [next] = await c2.RaiseDefectAsync!(defect('form-2'));
      expect(next.DefectReference).toBe('DEF-000002');
      const [again] = await c2.RaiseDefectAsync!(defect('form-1'));
      expect(again.DefectReference).toBe('DEF-000001');
      const [changes] = await c2.ListChangedWorkOrdersAsync!({ SinceSequence: 0 });
      expect(Number(changes.LastSequence)).toBe(3);
    } finally {
      await second.close();
    }
  });

  it('Acme Revenues continues its case references after a restart', async () => {
    const move = async (sim: Awaited<ReturnType<typeof startRevenuesSimulator>>, ref: string): Promise<string> => {
      const c = (await soap.createClientAsync(sim.wsdlUrl, { disableCache: true })) as Client;
      c.setSecurity(new soap.WSSecurity(REVENUES_USERNAME, REVENUES_PASSWORD, { passwordType: 'PasswordText' }));
      const [answer] = await c.RecordMoveAsync!({ ClientReference: ref, MoveType: 'within' });
      return answer.CaseReference as string;
    };
    const first = await startRevenuesSimulator({ stateDir: dir });
    expect(await move(first, 'move-1')).toBe('CTM-00001');
    await first.close();
    const second = await startRevenuesSimulator({ stateDir: dir });
    try {
      expect(await move(second, 'move-2')).toBe('CTM-00002');
      expect(await move(second, 'move-1')).toBe('CTM-00001');
      expect([...second.cases.keys()]).toEqual(['CTM-00001', 'CTM-00002']);
    } finally {
      await second.close();
    }
  });
});
