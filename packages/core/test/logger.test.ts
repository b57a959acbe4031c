import { REDACTED, RetryableError, createLogger, type LogEntry } from '@lgx/core';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const entries: LogEntry[] = [];
  const logger = createLogger({ ...options, sink: (e) => entries.push(e), now: () => new Date('2026-01-01T00:00:00Z') });
  return { logger, entries };
}

describe('createLogger', () => {
  it('writes structured entries at or above the level, with bindings', () => {
    const { logger, entries } = capture({ level: 'info', bindings: { component: 'test' } });
    logger.debug('hidden');
    logger.child({ adapter: 'acme' }).info('delivered', { attempt: 2 });
    expect(entries).toEqual([
      { level: 'info', time: '2026-01-01T00:00:00.000Z', msg: 'delivered', component: 'test', adapter: 'acme', attempt: 2 },
    ]);
  });

  it('scrubs known secret values wherever they appear, and secret-named fields', () => {
    const { logger, entries } = capture({ secrets: ['sk_live_abcdef123'] });
    const child = logger.child({}, ['child-secret-42']);
    child.error('call failed with key sk_live_abcdef123', {
      url: 'https://api.example.org/?key=sk_live_abcdef123',
      headers: { Authorization: 'Bearer xyz', accept: 'json' },
      nested: [{ apiKey: 'whatever', note: 'child-secret-42 leaked' }],
      error: new RetryableError('upstream said sk_live_abcdef123 is bad', { status: 503 }),
    });
    const text = JSON.stringify(entries);
    expect(text).not.toContain('sk_live_abcdef123');
    expect(text).not.toContain('Bearer xyz');
    expect(text).not.toContain('child-secret-42');
    expect(entries[0]).toMatchObject({
      msg: `call failed with key ${REDACTED}`,
      headers: { Authorization: REDACTED, accept: 'json' },
      error: { name: 'RetryableError', code: 'LGX_ERR_ADAPTER_RETRYABLE', classification: 'retryable', status: 503 },
    });
  });

  it('survives circular and deep values', () => {
    const { logger, entries } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    logger.info('x', { a });
    expect(entries[0]!.a).toEqual({ name: 'a', self: '[Circular]' });
  });
});
