/**
 * What each call does with answers Alloy should not give: server errors, JSON of the wrong shape,
 * bodies that are not JSON. Each must be classified so the runtime retries what can succeed later,
 * and no retry may make a second item.
 */
import { startAlloySimulator, type AlloySimulator } from '../src/testing';
import { fixture, instance, rejection, signal, tx } from './helpers';

let sim: AlloySimulator;
beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const report = () => tx('street.report', fixture('street.report', 'street-light-by-asset'));
const alloyError = (errorCodeString: string, debugErrorMessage: string) => ({ errorCode: 5000, errorCodeString, debugErrorMessage });

describe('server errors', () => {
  it.each([500, 502, 503, 504])(
    '%i on submit is retryable with the vendor code, creates nothing, and the retry makes one item',
    async (status) => {
      const { a } = await instance(sim);
      const t = report();
      sim.faults.failNext(1, { status, body: alloyError('InternalServerError', 'Unexpected failure') });
      const error = await rejection(a.submit!(t as never, { signal: signal() }));
      expect(error).toMatchObject({ classification: 'retryable', status, vendorCode: 'InternalServerError' });
      expect(sim.state.items.size).toBe(0);
      const receipt = await a.submit!(t as never, { signal: signal() });
      await a.submit!(t as never, { signal: signal() });
      expect(sim.state.items.size).toBe(1);
      expect(sim.itemsOf()[0]!.itemId).toBe(receipt.externalRef);
    },
  );

  it('a 5xx on getStatus and pollUpdates is retryable, never a status', async () => {
    const { a } = await instance(sim);
    const { externalRef } = await a.submit!(report() as never, { signal: signal() });
    sim.faults.failNext(1, { status: 503, body: alloyError('ServiceUnavailable', 'Try later') });
    await expect(a.getStatus!(externalRef, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable', status: 503 });
    sim.faults.failNext(1, { status: 500, body: 'Internal Server Error' });
    await expect(a.pollUpdates!(undefined, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable', status: 500 });
  });

  it('a connection reset or a hung answer is retryable', async () => {
    const { a } = await instance(sim, (c) => ({ ...c, timeoutMs: 300 }));
    sim.faults.failNext(1, { reset: true });
    await expect(a.submit!(report() as never, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.failNext(1, { timeout: true });
    await expect(a.submit!(report() as never, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable' });
    expect(sim.state.items.size).toBe(0);
  });
});

describe('malformed answers', () => {
  it('JSON of the wrong shape from each call is retryable LGX_ERR_TRANSPORT_MALFORMED_RESPONSE naming the operation, and nothing of the body', async () => {
    const { a } = await instance(sim);
    const { externalRef } = await a.submit!(report() as never, { signal: signal() });
    const secretish = 'Jane.Citizen@example.org';
    const cases: Array<[string, object, () => Promise<unknown>]> = [
      ['POST aqs/query', { page: 1, rows: [secretish] }, () => a.submit!(report() as never, { signal: signal() })],
      ['GET item/{itemId}', { item: { designCode: 'x', note: secretish } }, () => a.getStatus!(externalRef, { signal: signal() })],
      [
        'POST aqs/statistics',
        { results: [{ value: { value: -1 } }], note: secretish },
        () => a.pollUpdates!(undefined, { signal: signal() }),
      ],
    ];
    for (const [operation, body, call] of cases) {
      sim.faults.failNext(1, { status: 200, body });
      const error = await rejection(call());
      expect(error).toMatchObject({ classification: 'retryable', code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
      expect(error.message).toContain(operation);
      expect(error.message).not.toContain(secretish);
    }
    expect(sim.state.items.size).toBe(1);
  });
});
