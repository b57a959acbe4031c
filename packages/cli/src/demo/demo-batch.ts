import { setOpen311Status } from '@lgx/adapter-open311/testing';
import type { StoredDelivery } from '@lgx/runtime';
import { DEMO_KNOWN_CONTACT, type DemoWorld } from './demo-world';

/** One transaction of the batch and what the demo expects of it. */
export interface DemoItem {
  label: string;
  type: string;
  channel: 'web' | 'open311' | 'contact centre';
  id: string;
  expect: 'delivered' | 'dead';
  /** The back office fails it first (scripted): it must be retried. */
  retried?: boolean;
  /** A status update must come back from the back office. */
  statusBack?: boolean;
  /** The first back office refuses it for good and the route's fallback takes it: one dead letter, and delivered. */
  fallsBack?: boolean;
}

export interface DemoOutcome {
  item: DemoItem;
  state: string;
  attempts: number;
  reference?: string;
  status?: string;
}

type Say = (line: string) => void;

const yesterday = (): string => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function post(world: DemoWorld, body: unknown, idempotencyKey: string): Promise<string> {
  const res = await fetch(`${world.url}/v1/transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string; detail?: string };
  if (res.status !== 202 && res.status !== 200)
    throw new Error(`the gateway refused a demo transaction: ${res.status} ${json.detail ?? ''}`);
  return json.id!;
}

/** Waits (at most 10 s) until a transaction's first delivery attempt is recorded. */
async function attempted(world: DemoWorld, id: string): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    if ((await world.stack.get(id, { personalData: true }))?.deliveries.some((d) => d.attempts > 0)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An Open311 POST as FixMyStreet sends it (form encoded, XML answer). */
async function postOpen311(world: DemoWorld, fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${world.url}/open311/v2/requests.xml`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: world.key, jurisdiction_id: 'demo.example.gov.uk', ...fields }).toString(),
  });
  const xml = await res.text();
  const id = /<service_request_id>([^<]+)<\/service_request_id>/.exec(xml)?.[1];
  if (res.status !== 200 || !id) throw new Error(`the Open311 facade refused a demo report: ${res.status} ${xml.slice(0, 200)}`);
  return id;
}

/**
 * Submits the demo council's mixed batch the way its channels would: the web forms through the REST
 * API, FixMyStreet through the Open311 facade. Some back offices are told to fail first.
 */
export async function submitBatch(world: DemoWorld, say: Say, onItem: (item: DemoItem) => void = () => undefined): Promise<DemoItem[]> {
  const b = world.backOffices;
  const items: DemoItem[] = [];
  const add = (item: DemoItem) => {
    items.push(item);
    onItem(item);
    say(`  → ${item.label.padEnd(38)} ${item.type.padEnd(28)} via ${item.channel}`);
  };

  b.waste.faults.failNext(1, { status: 503, body: 'contractor system busy' });
  const firstBin = await post(
    world,
    { type: 'waste.missedCollection', channel: 'web', data: { uprn: '100062345671', service: 'refuse', scheduledDate: yesterday() } },
    'web-bin-1',
  );
  add({
    label: 'missed bin, 14 Elm Road',
    type: 'waste.missedCollection',
    channel: 'web',
    expect: 'delivered',
    retried: true,
    statusBack: true,
    id: firstBin,
  });
  // The scripted 503 is for this bin: let its first attempt happen before the next bin can take it.
  await attempted(world, firstBin);
  add({
    label: 'missed recycling, 3 Mill Lane',
    type: 'waste.missedCollection',
    channel: 'web',
    expect: 'delivered',
    id: await post(
      world,
      { type: 'waste.missedCollection', channel: 'web', data: { uprn: '100062345688', service: 'recycling', scheduledDate: yesterday() } },
      'web-bin-2',
    ),
  });
  // Garden waste is another contractor's: this one answers that it offers no such service, for good.
  add({
    label: 'missed garden bin (not this contractor)',
    type: 'waste.missedCollection',
    channel: 'contact centre',
    expect: 'dead',
    id: await post(
      world,
      { type: 'waste.missedCollection', channel: 'phone', data: { uprn: '100062345695', service: 'garden', scheduledDate: yesterday() } },
      'cc-bin-3',
    ),
  });

  add({
    label: 'pothole, High Street (FixMyStreet)',
    type: 'street.report',
    channel: 'open311',
    expect: 'delivered',
    statusBack: true,
    id: await postOpen311(world, {
      service_code: 'POT',
      lat: '50.8345',
      long: '-0.2711',
      description: 'Deep pothole by the bus stop',
      'attribute[depth]': 'deep',
      'attribute[fixmystreet_id]': '40001',
    }),
  });
  add({
    label: 'street light out (FixMyStreet)',
    type: 'street.report',
    channel: 'open311',
    expect: 'delivered',
    id: await postOpen311(world, {
      service_code: 'LIGHT',
      lat: '50.8361',
      long: '-0.2689',
      description: 'Light flickers all night',
      'attribute[column]': 'SL-0412',
    }),
  });
  add({
    label: 'pothole on a private road',
    type: 'street.report',
    channel: 'web',
    expect: 'dead',
    id: await post(
      world,
      {
        type: 'street.report',
        channel: 'web',
        data: { kind: 'pothole', description: 'Pothole in the retail park', location: { usrn: '99001234' } },
      },
      'web-pothole-private',
    ),
  });

  b.revenues.faults.failNext(1, { timeout: true });
  add({
    label: 'council tax move within the district',
    type: 'councilTax.changeOfAddress',
    channel: 'web',
    expect: 'delivered',
    retried: true,
    id: await post(
      world,
      {
        type: 'councilTax.changeOfAddress',
        channel: 'web',
        data: {
          moveType: 'move_within',
          accountRef: 'CT-40011111',
          liableParties: [{ person: { givenName: 'Sam', familyName: 'Example' } }],
          moveOut: { uprn: '100090111222', date: yesterday(), tenure: 'private_tenant', propertyAfterMove: 'empty_unfurnished' },
          moveIn: { uprn: '100090333444', date: yesterday(), tenure: 'private_tenant', tenancyStartDate: yesterday() },
          declaration: { accepted: true, acceptedAt: new Date().toISOString() },
        },
      },
      'web-ctax-1',
    ),
  });
  add({
    label: 'parking permit payment',
    type: 'payment',
    channel: 'web',
    expect: 'delivered',
    statusBack: true,
    id: await post(
      world,
      {
        type: 'payment',
        channel: 'web',
        data: {
          amountPence: 6400,
          description: 'Resident parking permit, zone C, 12 months',
          reference: 'PP-2026-004512',
          returnUrl: 'https://www.example.gov.uk/parking/permits/return',
        },
      },
      'web-pay-1',
    ),
  });
  add({
    label: 'permit confirmation email',
    type: 'notification',
    channel: 'web',
    expect: 'delivered',
    statusBack: true,
    id: await post(
      world,
      {
        type: 'notification',
        channel: 'web',
        data: {
          channel: 'email',
          templateId: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
          emailAddress: 'sam.example@example.com',
          personalisation: { firstName: 'Sam', permitZone: 'C', applicationRef: 'PP-2026-004512', nextSteps: ['Upload your V5C'] },
          reference: 'PP-2026-004512',
        },
      },
      'web-notify-1',
    ),
  });
  // The contact centre raises cases in the CRM: one for a resident Dynamics holds as a contact, and a
  // crew's concern with no contact, which Dynamics cannot file (it files every case under a customer).
  const contactCentreCase = async (label: string, key: string, data: Record<string, unknown>, fallsBack: boolean) =>
    add({
      label,
      type: 'crm.case',
      channel: 'contact centre',
      expect: 'delivered',
      statusBack: true,
      ...(fallsBack ? { fallsBack } : {}),
      id: await post(world, { type: 'crm.case', channel: 'phone', data: { ...data, channel: 'phone' } }, key),
    });
  await contactCentreCase(
    'complaint from a known resident',
    'cc-case-1',
    {
      caseType: 'complaint',
      subject: 'Bins missed three weeks running',
      description: 'Recycling missed three weeks in a row despite reporting it each time.',
      status: 'open',
      priority: 'normal',
      contact: { contactRef: DEMO_KNOWN_CONTACT },
      location: { uprn: '100062345688' },
      lgsl: 524,
    },
    false,
  );
  await contactCentreCase(
    'welfare concern from a bin crew',
    'cc-case-2',
    {
      caseType: 'welfare_concern',
      subject: 'Crew concerned about resident at assisted collection',
      description: 'Post piling up and no answer at an assisted collection property.',
      status: 'for_triage',
      priority: 'urgent',
      location: { wgs84: { lat: 50.8352, lon: -0.2702 }, description: 'Assisted collection round 4, stop 17' },
    },
    true,
  );
  return items;
}

function receiptOf(deliveries: StoredDelivery[]): string | undefined {
  return deliveries.find((d) => d.receipt)?.receipt?.externalRef;
}

/** The back offices move some cases on, as their staff would: the demo then sees the updates come back. */
export async function actInBackOffices(world: DemoWorld, items: DemoItem[], done: Set<string>): Promise<void> {
  const b = world.backOffices;
  for (const item of items) {
    if (!item.statusBack || done.has(item.id)) continue;
    const view = await world.stack.get(item.id, { personalData: true });
    const ref = view && receiptOf(view.deliveries);
    if (!ref) continue;
    done.add(item.id);
    if (item.type === 'street.report') b.streetworks.setStatus(ref, 'SCHEDULED', 'Repair gang booked');
    else if (item.type === 'waste.missedCollection')
      setOpen311Status(b.waste, ref, 'action_scheduled', { description: 'Crew returning today' });
    else if (item.type === 'crm.case' && item.fallsBack) b.crmFallback.setCaseStatus(ref, 'Closed');
    else if (item.type === 'crm.case') b.crm.resolve(ref);
    else if (item.type === 'payment') {
      b.pay.complete(ref);
      await b.pay.sendWebhook(`${world.url}/v1/callbacks/payments`, ref, 'card_payment_succeeded');
    }
    // Notify moves its own messages on (the simulator delivers test-key messages after a delay).
  }
}

export async function outcomes(world: DemoWorld, items: DemoItem[]): Promise<DemoOutcome[]> {
  return Promise.all(
    items.map(async (item) => {
      const view = (await world.stack.get(item.id, { personalData: true }))!;
      const latest = view.statusUpdates[view.statusUpdates.length - 1];
      const reference = receiptOf(view.deliveries);
      return {
        item,
        state: view.state,
        attempts: view.deliveries.reduce((n, d) => n + d.attempts, 0),
        ...(reference ? { reference } : {}),
        ...(latest ? { status: latest.update.status } : {}),
      };
    }),
  );
}

/** Whether the batch is settled: every item in its final state and every expected update back. */
export function settled(results: DemoOutcome[]): boolean {
  return results.every((r) => r.state !== 'pending' && (!r.item.statusBack || r.state !== 'delivered' || r.status !== undefined));
}

/** Every expectation of the batch, checked; each failure is a sentence. */
export async function checkExpectations(world: DemoWorld, results: DemoOutcome[]): Promise<string[]> {
  const failures: string[] = [];
  for (const r of results) {
    if (r.state !== r.item.expect) failures.push(`${r.item.label}: expected ${r.item.expect}, is ${r.state}`);
    if (r.item.retried && r.attempts < 2)
      failures.push(`${r.item.label}: the scripted failure should have caused a retry (attempts: ${r.attempts})`);
    if (r.item.statusBack && r.item.expect === 'delivered' && !r.status) failures.push(`${r.item.label}: no status update came back`);
  }
  const dead = await world.stack.dlq.list();
  const expectedDead = results.filter((r) => r.item.expect === 'dead' || r.item.fallsBack).length;
  if (dead.length !== expectedDead) failures.push(`the dead-letter queue holds ${dead.length}, expected ${expectedDead}`);
  const pothole = results.find((r) => r.item.channel === 'open311' && r.item.statusBack);
  if (pothole) {
    const xml = await (await fetch(`${world.url}/open311/v2/servicerequestupdates.xml?jurisdiction_id=demo.example.gov.uk`)).text();
    if (!xml.includes(`<service_request_id>${pothole.item.id}</service_request_id>`))
      failures.push("the Open311 facade does not list the pothole's update");
  }
  const chain = await world.stack.verifyAudit();
  if (!chain.ok) failures.push(`the audit chain does not verify: ${JSON.stringify(chain)}`);
  return failures;
}
