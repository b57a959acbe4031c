import { lgx } from './helpers';

describe('lgx demo --once', () => {
  it('runs the main job against simulated back offices and exits 0 when every expectation held', async () => {
    const result = await lgx(['demo', '--once'], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('all expectations held (11 transactions, 3 dead letters as expected)');
    expect(result.stdout).toMatch(/↻ retrying +missed bin, 14 Elm Road/);
    expect(result.stdout).toMatch(/✗ dead letter pothole on a private road/);
    expect(result.stdout).toMatch(/◆ status +pothole, High Street \(FixMyStreet\) +← streetworks: action_scheduled/);
    expect(result.stdout).toMatch(/✓ delivered +complaint from a known resident +→ dynamics/);
    expect(result.stdout).toMatch(/✓ delivered +welfare concern from a bin crew +→ salesforce/);
    expect(result.stdout).toMatch(/◆ status +complaint from a known resident +← dynamics: fixed/);
    expect(result.stdout).toMatch(/◆ status +welfare concern from a bin crew +← salesforce: closed/);
    expect(result.stdout.trim().endsWith('demo: OK')).toBe(true);
  }, 150_000);
});
