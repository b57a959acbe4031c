import { waitFor } from '../src';

describe('waitFor', () => {
  it('resolves with the first truthy value the check returns, after as many looks as it takes', async () => {
    let looks = 0;
    const found = await waitFor(async () => (++looks === 3 ? { id: 'C-1' } : undefined), 'the third look', { intervalMs: 1 });
    expect([found, looks]).toEqual([{ id: 'C-1' }, 3]);
    await expect(waitFor(() => true, 'at once')).resolves.toBe(true);
  });

  it('rejects naming what it waited for once the deadline passes, having looked until then', async () => {
    let looks = 0;
    await expect(
      waitFor(
        () => {
          looks++;
          return false;
        },
        'a delivery that never comes',
        { timeoutMs: 100, intervalMs: 10 },
      ),
    ).rejects.toThrow('timed out after 100 ms waiting for a delivery that never comes');
    expect(looks).toBeGreaterThanOrEqual(2);
    // A number is the timeout.
    await expect(waitFor(() => 0, 'zero', 30)).rejects.toThrow('timed out after 30 ms waiting for zero');
  });

  it('rejects at once with what the check threw, without waiting out the deadline', async () => {
    let looks = 0;
    const failing = waitFor(
      () => {
        if (++looks === 2) throw new Error('the child process exited');
        return null;
      },
      'a line of output',
      { timeoutMs: 60_000, intervalMs: 1 },
    );
    await expect(failing).rejects.toThrow('the child process exited');
    expect(looks).toBe(2);
  });
});
