/**
 * An integrator's own Node.js app running LGX in its process: no CLI, no separate server to deploy.
 * It builds a stack in code (GOV.UK Pay for payments) and starts it as a service on a data folder:
 * the stack, its delivery worker, status polling, retention, and the LGX gateway, whose callback
 * endpoint is where GOV.UK Pay sends its signed webhooks. The app's checkout hands payments to the
 * stack directly, sends the citizen to GOV.UK Pay's next_url, and hears the outcome when GOV.UK Pay
 * calls the webhook. GOV.UK Pay is the adapter's own simulator here (@lgx/adapter-govuk-pay/testing),
 * so the example runs anywhere:
 *
 *   npx tsx examples/integrator-embed/index.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { startService } from '@lgx/gateway';
import { createStack } from '@lgx/runtime';
import { startGovukPaySimulator } from '@lgx/adapter-govuk-pay/testing';

const COUNCIL = 'E07000223';

async function main(): Promise<void> {
  const pay = await startGovukPaySimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-embed-'));

  // 1. The stack, in code. Secrets come from the environment, as they would in production.
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: {
        payments: {
          package: '@lgx/adapter-govuk-pay',
          config: { baseUrl: pay.url, apiKey: '${env:PAY_KEY}', webhookSigningSecret: '${env:PAY_WEBHOOK_SECRET}' },
        },
      },
      routes: [{ match: { type: 'payment' }, mode: 'one', targets: ['payments'] }],
    },
    { env: { PAY_KEY: pay.apiKey, PAY_WEBHOOK_SECRET: pay.webhookSigningSecret } },
  );
  // 2. Started as one service: the store is SQLite in the data folder; the gateway listens on a free
  //    port here (the app would choose one, behind its own proxy). Status polling is left on in
  //    production, as a safety net for a lost webhook; here the outcome comes by webhook alone.
  const service = await startService(definition, { dataDir: dir, worker: { pollIntervalMs: 50 }, polling: false });
  const { stack } = service;
  stack.onStatusUpdate((u) => console.log(`status update: ${u.update.status} (GOV.UK Pay: ${u.update.externalStatusCode})`));

  try {
    // 3. The app's checkout builds a canonical payment; the idempotency key is its own order id, so a
    //    double click or a retry never takes two payments.
    const payment = createTransaction(
      'payment',
      {
        amountPence: 2500,
        reference: 'BULKY-2026-0042',
        description: 'Bulky waste collection',
        returnUrl: 'https://www.example.gov.uk/bulky/done',
      },
      { council: COUNCIL, channel: 'web', idempotencyKey: 'order-0042' },
    );
    const { id } = await stack.submit(payment);
    console.log(`accepted ${id} (stored durably before this line)`);

    // 4. Wait for the delivery; the receipt carries GOV.UK Pay's payment id and the citizen's next_url.
    let receipt;
    for (let i = 0; i < 100 && !receipt; i += 1) {
      // The citizen's next_url is theirs (personal data): a masked read would show [REDACTED].
      receipt = (await stack.get(id, { personalData: true }))?.deliveries[0]?.receipt;
      if (!receipt) await new Promise((r) => setTimeout(r, 50));
    }
    if (!receipt) throw new Error('the payment was not delivered');
    console.log(`GOV.UK Pay payment ${receipt.externalRef}: send the citizen to ${receipt.nextUrl}`);

    // 5. The citizen pays; GOV.UK Pay calls the webhook URL the council registered with it: the
    //    gateway's callback endpoint for the adapter, which checks the Pay-Signature and records the
    //    canonical update.
    pay.complete(receipt.externalRef);
    const answer = await pay.sendWebhook(`${service.url}/v1/callbacks/payments`, receipt.externalRef, 'card_payment_succeeded');
    console.log(`webhook answered ${answer.status}`);

    const history = (await stack.get(id))!.statusUpdates.map((u) => u.update.status);
    console.log(`status history: ${history.join(' -> ')}`);
    if (!history.includes('closed')) throw new Error('the payment did not close');
  } finally {
    // 6. The one stop order: the gateway finishes its requests, polling stops, the delivery in flight
    //    finishes or is released, and the store closes last.
    await service.stop();
    await pay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
