import { isLgxError } from '@lgx/core';
import { publishRecords, type PublishedRecord } from '../src/report/publish-records';
import { startBackdropReceiver, type BackdropReceiver } from './backdrop-receiver';

const TOKEN = 'pp-token-6f1d2c9a';
let receiver: BackdropReceiver;
let url: string;

beforeAll(async () => {
  receiver = await startBackdropReceiver(TOKEN);
  url = `${receiver.url}/data/council-e07000223/transactions-by-channel`;
});
beforeEach(() => receiver.reset());
afterAll(() => receiver.close());

/** Monthly records of one channel, one per month from January 2020, as the report gives them. */
function records(count: number, value = 1): PublishedRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.UTC(2020, i, 1)).toISOString();
    return {
      _id: Buffer.from(`${start}.month.digital`).toString('base64url'),
      _timestamp: start,
      end_at: new Date(Date.UTC(2020, i + 1, 1)).toISOString(),
      period: 'month',
      channel: 'digital',
      count: value,
    };
  });
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the publish to fail');
}

describe('publishRecords', () => {
  it('POSTs batches of at most 500 with the bearer token; publishing again overwrites by _id', async () => {
    const first = await publishRecords({ url, token: TOKEN, records: records(1203) });
    expect(first).toEqual({ records: 1203, requests: 3, retries: 0 });
    expect(receiver.state.batches).toEqual([500, 500, 203]);
    expect(
      receiver.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['content-type'] === 'application/json'),
    ).toBe(true);
    await publishRecords({ url, token: TOKEN, records: records(1203, 7), batchSize: 1000 });
    const stored = receiver.records('council-e07000223', 'transactions-by-channel');
    expect(stored.size).toBe(1203);
    expect([...stored.values()].every((r) => r.count === 7)).toBe(true);
    expect(receiver.state.batches.slice(3)).toEqual([1000, 203]);
  });

  it("sends _timestamp in Backdrop's form, whole seconds (a receiver refuses fractions)", async () => {
    await publishRecords({ url, token: TOKEN, records: records(2) });
    expect([...receiver.records('council-e07000223', 'transactions-by-channel').values()].map((r) => r._timestamp)).toEqual([
      '2020-01-01T00:00:00Z',
      '2020-02-01T00:00:00Z',
    ]);
  });

  it('tries a 503 and a 429 again, after Retry-After, and publishes everything', async () => {
    receiver.faults.failNext(1, { status: 503, body: { status: 'error', message: 'down for maintenance' } });
    const retries: string[] = [];
    const result = await publishRecords({
      url,
      token: TOKEN,
      records: records(3),
      baseDelayMs: 10,
      onRetry: (r) => retries.push(r.reason),
    });
    expect(result).toEqual({ records: 3, requests: 2, retries: 1 });
    expect(retries).toEqual(['the receiver answered 503: down for maintenance']);
    receiver.faults.failNext(1, { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '0' } });
    const delays: number[] = [];
    await publishRecords({ url, token: TOKEN, records: records(3), onRetry: (r) => delays.push(r.delayMs) });
    expect(delays).toEqual([0]);
    expect(receiver.records('council-e07000223', 'transactions-by-channel').size).toBe(3);
  });

  it('gives up after the attempts allowed, saying how far it got', async () => {
    receiver.faults.failNext(10, { status: 502, body: 'bad gateway' });
    const error = await failure(publishRecords({ url, token: TOKEN, records: records(4), batchSize: 2, maxAttempts: 3, baseDelayMs: 1 }));
    expect(error.code).toBe('LGX_ERR_REPORT_PUBLISH');
    expect(error.message).toBe(`the receiver answered 502: bad gateway, still after 3 attempts (0 of 4 records were published to ${url})`);
    expect(receiver.requests).toHaveLength(3);
  });

  it('tries again when the receiver cannot be reached, within the same bound', async () => {
    receiver.faults.down();
    try {
      const error = await failure(publishRecords({ url, token: TOKEN, records: records(1), maxAttempts: 2, baseDelayMs: 1 }));
      expect(error.message).toMatch(/^network error.*, still after 2 attempts/);
    } finally {
      receiver.faults.up();
    }
  });

  it("stops at once on a bad token with the receiver's message, the token taken out", async () => {
    const wrong = 'not-the-token-93b1';
    const error = await failure(publishRecords({ url, token: wrong, records: records(3) }));
    expect(isLgxError(error)).toBe(true);
    expect(error.message).toBe(
      `the receiver answered 401: Unauthorized: Invalid bearer token '[token]' for '/data/council-e07000223/transactions-by-channel' (0 of 3 records were published to ${url})`,
    );
    expect(error.message).not.toContain(wrong);
    expect(receiver.requests).toHaveLength(1);
  });

  it('stops at once on records the receiver refuses, with its messages', async () => {
    const error = await failure(publishRecords({ url, token: TOKEN, records: [{ _id: 'a', 'Bad-Key': 1 }] }));
    expect(error.message).toBe(`the receiver answered 400: record 0: Bad-Key is not a valid key (0 of 1 records were published to ${url})`);
  });

  it.each([
    ['http://performance.example.gov.uk/data/g/t', /must be an https:\/\/ URL/],
    ['https://officer:secret@performance.example.gov.uk/data/g/t', /must not carry a user name or password/],
    ['performance.example.gov.uk', /must be a full URL/],
  ])('refuses %s before sending anything', async (target, message) => {
    const error = await failure(publishRecords({ url: target, token: TOKEN, records: records(1) }));
    expect([error.code, error.message]).toEqual(['LGX_ERR_REPORT_PUBLISH', expect.stringMatching(message)]);
    expect(error.message).not.toContain('secret');
  });
});
