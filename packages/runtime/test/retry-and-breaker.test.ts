import { CircuitBreaker } from '../src/internal/circuit-breaker';
import { DEFAULT_RETRY_POLICY, nextStep } from '../src/engine/retry-schedule';

const created = new Date('2026-11-23T09:00:00Z');
const at = (ms: number) => new Date(created.getTime() + ms);

describe('nextStep', () => {
  it('retries retryable failures with full-jitter exponential backoff', () => {
    expect(
      nextStep({ classification: 'retryable', attempt: 1, createdAt: created, now: created }, DEFAULT_RETRY_POLICY, () => 0.5),
    ).toEqual({ retryAt: at(1000) });
    expect(
      nextStep({ classification: 'retryable', attempt: 4, createdAt: created, now: created }, DEFAULT_RETRY_POLICY, () => 0.999),
    ).toEqual({ retryAt: at(15_984) });
    expect(
      nextStep(
        { classification: 'retryable', attempt: 20, createdAt: created, now: created },
        { ...DEFAULT_RETRY_POLICY, maxAttempts: 50 },
        () => 0.999,
      ),
    ).toEqual({ retryAt: at(899_100) });
  });

  it('honours Retry-After for rate limits, never sooner', () => {
    expect(
      nextStep(
        { classification: 'rateLimited', attempt: 1, retryAfterMs: 120_000, createdAt: created, now: created },
        DEFAULT_RETRY_POLICY,
        () => 0.5,
      ),
    ).toEqual({ retryAt: at(120_000) });
  });

  it('dead-letters a rate limit that asks for a longer wait than maxRetryAfterMs', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 60_000 };
    expect(
      nextStep({ classification: 'rateLimited', attempt: 1, retryAfterMs: 60_000, createdAt: created, now: created }, policy, () => 0.5),
    ).toEqual({ retryAt: at(60_000) });
    expect(
      nextStep({ classification: 'rateLimited', attempt: 1, retryAfterMs: 120_000, createdAt: created, now: created }, policy, () => 0.5),
    ).toEqual({ dead: 'asked to wait 120 s, longer than maxRetryAfterMs' });
  });

  it('dead-letters permanent, auth, not-found and unsupported failures at once', () => {
    for (const classification of ['permanent', 'auth', 'notFound', 'unsupported'] as const) {
      expect(nextStep({ classification, attempt: 1, createdAt: created, now: created }, DEFAULT_RETRY_POLICY)).toEqual({
        dead: `${classification} failure`,
      });
    }
  });

  it('dead-letters at the attempt cap and the age cap', () => {
    expect(nextStep({ classification: 'retryable', attempt: 8, createdAt: created, now: created }, DEFAULT_RETRY_POLICY)).toEqual({
      dead: 'gave up after 8 attempts',
    });
    expect(
      nextStep(
        { classification: 'retryable', attempt: 2, createdAt: created, now: at(DEFAULT_RETRY_POLICY.maxAgeMs) },
        DEFAULT_RETRY_POLICY,
        () => 0.5,
      ),
    ).toMatchObject({ dead: expect.stringMatching(/^older than/) });
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cool-down, and closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker({ threshold: 3, cooldownMs: 1000, now: () => now });
    b.failure();
    b.failure();
    expect(b.allowance(4)).toBe(4);
    b.failure();
    expect([b.state, b.allowance(4), b.probeAt]).toEqual(['open', 0, 1000]);
    now = 1000;
    expect([b.state, b.allowance(4)]).toEqual(['half-open', 1]);
    b.probe();
    expect(b.allowance(4)).toBe(0);
    b.success();
    expect([b.state, b.allowance(4)]).toEqual(['closed', 4]);
  });

  it('doubles the cool-down each time a probe fails, up to the cap, and starts again after a success', () => {
    let now = 0;
    const b = new CircuitBreaker({ threshold: 1, cooldownMs: 1000, maxCooldownMs: 5000, now: () => now });
    const probeTimes: number[] = [];
    b.failure();
    for (let i = 0; i < 5; i++) {
      probeTimes.push(b.probeAt!);
      now = b.probeAt!;
      expect(b.state).toBe('half-open');
      b.probe();
      b.failure();
    }
    // Cool-downs 1, 2, 4, then the 5 s cap.
    expect(probeTimes).toEqual([1000, 3000, 7000, 12_000, 17_000]);
    now = b.probeAt!;
    b.probe();
    b.success();
    b.failure();
    expect(b.probeAt).toBe(now + 1000);
  });

  it('opens at once for a Retry-After and probes when it runs out, not after a fixed pause', () => {
    let now = 0;
    const b = new CircuitBreaker({ now: () => now });
    b.failure(3000);
    expect([b.state, b.probeAt]).toEqual(['open', 3000]);
    // Attempts sent before it opened come back late: a plain failure does not move the probe, a later Retry-After does.
    now = 500;
    b.failure();
    expect(b.probeAt).toBe(3000);
    b.failure(3000);
    expect(b.probeAt).toBe(3500);
    now = 3500;
    expect(b.allowance(8)).toBe(1);
    b.probe();
    b.success();
    expect(b.state).toBe('closed');
    // A vendor asking for an hour is probed at the cap.
    b.failure(3_600_000);
    expect(b.probeAt).toBe(3500 + 30_000);
  });

  it('follows a back office that flaps every 5 s: each time it is back, a delivery gets through within 4 s', () => {
    // A worker asking every 100 ms, a back office down for 5 s, up for 5 s, five times over.
    let now = 0;
    const b = new CircuitBreaker({ now: () => now });
    const up = (t: number) => Math.floor(t / 5000) % 2 === 1;
    // For each time it came back: how long until the first delivery got through.
    const lag = new Map<number, number>();
    for (now = 0; now < 50_000; now += 100) {
      if (b.allowance(4) === 0) continue;
      if (b.state === 'half-open') b.probe();
      if (up(now)) {
        b.success();
        const back = now - (now % 5000);
        if (!lag.has(back)) lag.set(back, now - back);
      } else {
        b.failure();
      }
    }
    expect([...lag.keys()]).toEqual([5000, 15_000, 25_000, 35_000, 45_000]);
    for (const ms of lag.values()) expect(ms).toBeLessThanOrEqual(4000);
  });

  it('reopens when the probe fails', () => {
    let now = 0;
    const b = new CircuitBreaker({ threshold: 1, cooldownMs: 1000, now: () => now });
    b.failure();
    now = 1500;
    b.probe();
    b.failure();
    expect(b.state).toBe('open');
    now = 3499;
    expect(b.state).toBe('open');
    now = 3500;
    expect(b.state).toBe('half-open');
  });
});
