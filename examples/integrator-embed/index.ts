/**
 * An integrator's own Node.js app embedding LGX: no gateway, no CLI. It builds a stack in code (GOV.UK
 * Pay for payments), opens it on a SQLite file, takes a payment from its own checkout flow, sends the
 * citizen to GOV.UK Pay's next_url, and hears the outcome through a signed webhook it passes to the
 * stack. GOV.UK Pay is the adapter's own simulator here (@lgx/adapter-govuk-pay/testing), so the
 * example runs anywhere:
 *
 *   npx tsx examples/integrator-embed/index.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { createSqliteStore, createStack, openStack, StatusEvents } from '@lgx/runtime';
import { startGovukPaySimulator } from '@lgx/adapter-govuk-pay/testing';

const COUNCIL = 'E07000223';

async function main(): Promise<void> {
  const pay = await startGovukPaySimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-embed-'));

  // 1. The stack, in code. Secrets come from the environment, as they would in production.
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: { payments: { package: '@lgx/adapter-govuk-pay', config: { baseUrl: pay.url, apiKey: '${env:PAY_KEY}', webhookSigningSecret: '${env:PAY_WEBHOOK_SECRET}' } } },
      routes: [{ match: { type: 'payment' }, mode: 'one', targets: ['payments'] }],
    },
    { env: { PAY_KEY: pay.apiKey, PAY_WEBHOOK_SECRET: pay.webhookSigningSecret } },
  );
  const events = new StatusEvents();
  const stack = await openStack(definition, { store: createSqliteStore({ file: path.join(dir, 'lgx.db') }), events, worker: { pollIntervalMs: 50 } });
  events.on('statusUpdate', (u) => console.log(`status update: ${u.update.status} (GOV.UK Pay: ${u.update.externalStatusCode})`));

  try {
    // 2. The app's checkout builds a canonical payment; the idempotency key is its own order id, so a
    //    double click or a retry never takes two payments.
    const payment = createTransaction('payment', { amountPence: 2500, reference: 'BULKY-2026-0042', description: 'Bulky waste collection', returnUrl: 'https://www.example.gov.uk/bulky/done' }, { council: COUNCIL, channel: 'web', idempotencyKey: 'order-0042' });
    const { id } = await stack.submit(payment);
    console.log(`accepted ${id} (stored durably before this line)`);

    // 3. Wait for the delivery; the receipt carries GOV.UK Pay's payment id and the citizen's next_url.
    let receipt;
    for (let i = 0; i < 100 && !receipt; i += 1) {
      receipt = (await stack.get(id))?.deliveries[0]?.receipt;
      if (!receipt) await new Promise((r) => setTimeout(r, 50));
    }
    if (!receipt) throw new Error('the payment was not delivered');
    console.log(`GOV.UK Pay payment ${receipt.externalRef}: send the citizen to ${receipt.nextUrl}`);

    // 4. The citizen pays; GOV.UK Pay calls the app's webhook endpoint. The app hands the raw body and
    //    headers to the stack, which checks the Pay-Signature and records the canonical update.
    pay.complete(receipt.externalRef);
    const push = pay.webhook(receipt.externalRef, 'card_payment_succeeded');
    const outcome = await stack.handleCallback('payments', { headers: push.headers, body: new TextEncoder().encode(push.body) });
    console.log(`webhook answered ${outcome.status}`);

    const history = (await stack.get(id))!.statusUpdates.map((u) => u.update.status);
    console.log(`status history: ${history.join(' -> ')}`);
    if (!history.includes('closed')) throw new Error('the payment did not close');
  } finally {
    await stack.close();
    await pay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
