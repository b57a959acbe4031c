/**
 * A council whose cases go to Dynamics 365 and, when Dynamics refuses one for good, to Salesforce:
 * `lgx serve` with both simulators, cases submitted over the REST API, and status changes made in each
 * CRM coming back through polling.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { startDataverseSimulator, type DataverseSimulator } from '@lgx/adapter-dataverse/testing';
import { startSalesforceSimulator, type SalesforceSimulator } from '@lgx/adapter-salesforce/testing';
import { lgx, scratch, serveLgx, type Served } from './helpers';

const KNOWN_CONTACT = '0f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5';
const caseData = (name: string) => loadFixtures('crm.case', { kind: 'valid' }).find((f) => f.name === name)!.data;

let dynamics: DataverseSimulator;
let salesforce: SalesforceSimulator;
let dir: string;
let served: Served | undefined;

beforeAll(async () => {
  dynamics = await startDataverseSimulator({ contacts: [{ contactid: KNOWN_CONTACT, lastname: 'Example' }] });
  salesforce = await startSalesforceSimulator();
  dir = scratch();
});
afterAll(async () => {
  await served?.stop();
  await dynamics.close();
  await salesforce.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Detail {
  status?: string;
  deliveries: Array<{ target: string; state: string; receipt?: { externalRef: string } }>;
  statusHistory: Array<{ source: string; status: string; externalStatusCode?: string }>;
}

it('lgx serve routes crm.case to Dataverse with fallback to Salesforce, and each CRM’s status changes come back by polling', async () => {
  // No anonymous customer for Dynamics: a case without a contact is refused there for good, and falls back.
  const stack = path.join(dir, 'lgx.yaml');
  writeFileSync(
    stack,
    [
      'council: E07000223',
      'adapters:',
      '  dynamics:',
      "    package: '@lgx/adapter-dataverse'",
      '    config:',
      `      url: ${dynamics.url}`,
      `      authorityHost: ${dynamics.authorityHost}`,
      `      tenantId: ${dynamics.tenantId}`,
      `      clientId: ${dynamics.clientId}`,
      '      clientSecret: ${env:DATAVERSE_CLIENT_SECRET}',
      '  salesforce:',
      "    package: '@lgx/adapter-salesforce'",
      '    config:',
      '      flow: jwt-bearer',
      `      loginUrl: ${salesforce.loginUrl}`,
      `      clientId: ${salesforce.clientId}`,
      `      username: ${salesforce.username}`,
      '      privateKey: ${env:SALESFORCE_PRIVATE_KEY}',
      'routes:',
      '  - { match: { type: crm.case }, mode: fallback, targets: [dynamics, salesforce] }',
      '',
    ].join('\n'),
  );
  const env = { DATAVERSE_CLIENT_SECRET: dynamics.clientSecret, SALESFORCE_PRIVATE_KEY: salesforce.privateKey };
  const data = path.join(dir, 'data');
  const created = await lgx(['keys', 'create', '--stack', stack, '--data', data, '--council', 'E07000223', '--json'], { env });
  expect(created.code).toBe(0);
  const { key } = JSON.parse(created.stdout) as { key: string };

  served = await serveLgx([stack, '--data', data, '--poll', '1'], { env });
  const { url } = served;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const submit = async (name: string) => {
    const res = await fetch(`${url}/v1/transactions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'crm.case', data: caseData(name) }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const detail = async (id: string) => (await (await fetch(`${url}/v1/transactions/${id}`, { headers })).json()) as Detail;

  const known = await submit('complaint-from-known-contact');
  const anonymous = await submit('anonymous-staff-case');

  const toDynamics = await waitFor(
    async () => {
      const d = await detail(known);
      return d.deliveries[0]?.state === 'delivered' && d;
    },
    'the known contact’s case in Dynamics',
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(toDynamics.deliveries.map((d) => [d.target, d.state])).toEqual([
    ['dynamics', 'delivered'],
    ['salesforce', 'skipped'],
  ]);
  const toSalesforce = await waitFor(
    async () => {
      const d = await detail(anonymous);
      return d.deliveries[1]?.state === 'delivered' && d;
    },
    'the anonymous case in Salesforce',
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(toSalesforce.deliveries.map((d) => [d.target, d.state])).toEqual([
    ['dynamics', 'dead'],
    ['salesforce', 'delivered'],
  ]);
  const incident = toDynamics.deliveries[0]!.receipt!.externalRef;
  const sfCase = toSalesforce.deliveries[1]!.receipt!.externalRef;
  expect(dynamics.incident(incident)._customerid_value).toBe(KNOWN_CONTACT);
  expect(salesforce.case(sfCase).Subject).toBe('Crew concerned about resident at assisted collection');
  expect(dynamics.state.incidents.size).toBe(1);
  expect(salesforce.state.cases.size).toBe(1);

  // Officers work the cases in each CRM; the stack hears about it by polling.
  dynamics.resolve(incident);
  salesforce.setCaseStatus(sfCase, 'Closed');
  const fixed = await waitFor(
    async () => {
      const d = await detail(known);
      return d.status === 'fixed' && d;
    },
    'the Dynamics resolution',
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(fixed.statusHistory).toEqual([
    expect.objectContaining({ source: 'dataverse', status: 'fixed', externalStatusCode: '5', externalRef: incident }),
  ]);
  const closed = await waitFor(
    async () => {
      const d = await detail(anonymous);
      return d.status === 'closed' && d;
    },
    'the Salesforce closure',
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(closed.statusHistory).toEqual([
    expect.objectContaining({ source: 'salesforce', status: 'closed', externalStatusCode: 'Closed', externalRef: sfCase }),
  ]);

  // Nothing personal in the service's log lines, and no secret.
  expect(served.stderr()).not.toContain(dynamics.clientSecret);
  expect(served.stderr()).not.toContain('PRIVATE KEY');
  expect(served.stderr()).not.toContain('Crew concerned');
}, 90_000);
