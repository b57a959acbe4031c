import { CircuitBreaker } from '../src/engine/circuit-breaker';
import { DEFAULT_RETRY_POLICY, nextStep } from '../src/engine/retry-schedule';

const created = new Date('2026-11-23T09:00:00Z');
const at = (ms: number) => new Date(created.getTime() + ms);

describe('nextStep', () => {
  it('retries retryable failures with full-jitter exponential backoff', () => {
    expect(nextStep({ classification: 'retryable', attempt: 1, createdAt: created, now: created }, DEFAULT_RETRY_POLICY, () => 0.5)).toEqual({ retryAt: at(1000) });
    expect(nextStep({ classification: 'retryable', attempt: 4, createdAt: created, now: created }, DEFAULT_RETRY_POLICY, () => 0.999)).toEqual({ retryAt: at(15_984) });
    expect(nextStep({ classification: 'retryable', attempt: 20, createdAt: created, now: created }, { ...DEFAULT_RETRY_POLICY, maxAttempts: 50 }, () => 0.999)).toEqual({ retryAt: at(899_100) });
  });

  it('honours Retry-After for rate limits, never sooner', () => {
    expect(nextStep({ classification: 'rateLimited', attempt: 1, retryAfterMs: 120_000, createdAt: created, now: created }, DEFAULT_RETRY_POLICY, () => 0.5)).toEqual({ retryAt: at(120_000) });
  });

  it('dead-letters permanent, auth, not-found and unsupported failures at once', () => {
    for (const classification of ['permanent', 'auth', 'notFound', 'unsupported'] as const) {
      expect(nextStep({ classification, attempt: 1, createdAt: created, now: created }, DEFAULT_RETRY_POLICY)).toEqual({ dead: `${classification} failure` });
    }
  });

  it('dead-letters at the attempt cap and the age cap', () => {
    expect(nextStep({ classification: 'retryable', attempt: 8, createdAt: created, now: created }, DEFAULT_RETRY_POLICY)).toEqual({ dead: 'gave up after 8 attempts' });
    expect(nextStep({ classification: 'retryable', attempt: 2, createdAt: created, now: at(DEFAULT_RETRY_POLICY.maxAgeMs) }, DEFAULT_RETRY_POLICY, () => 0.5)).toMatchObject({ dead: expect.stringMatching(/^older than/) });
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cooldown, and closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker(3, 1000, () => now);
    b.failure();
    b.failure();
    expect(b.allowance(4)).toBe(4);
    b.failure();
    expect([b.state, b.allowance(4)]).toEqual(['open', 0]);
    now = 1000;
    expect([b.state, b.allowance(4)]).toEqual(['half-open', 1]);
    b.probe();
    expect(b.allowance(4)).toBe(0);
    b.success();
    expect([b.state, b.allowance(4)]).toEqual(['closed', 4]);
  });

  it('reopens when the probe fails', () => {
    let now = 0;
    const b = new CircuitBreaker(1, 1000, () => now);
    b.failure();
    now = 1500;
    b.probe();
    b.failure();
    expect(b.state).toBe('open');
    now = 2499;
    expect(b.state).toBe('open');
  });
});
