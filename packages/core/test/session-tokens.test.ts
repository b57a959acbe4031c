import { SessionTokens } from '../src/soap/session-auth';

/** A login that answers only when told to, and reports being abandoned. */
function controllableLogin() {
  const calls: Array<{ signal: AbortSignal; answer: (token: string) => void }> = [];
  const login = (signal: AbortSignal) =>
    new Promise<unknown>((resolve, reject) => {
      calls.push({ signal, answer: (token) => resolve({ Session: { Token: token } }) });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { calls, login };
}

describe('SessionTokens', () => {
  it('shares one login among waiting callers', async () => {
    const { calls, login } = controllableLogin();
    const tokens = new SessionTokens(login, 'Session.Token', undefined);
    const a = tokens.get(new AbortController().signal);
    const b = tokens.get(new AbortController().signal);
    expect(calls).toHaveLength(1);
    calls[0]!.answer('t-1');
    await expect(Promise.all([a, b])).resolves.toEqual(['t-1', 't-1']);
    await expect(tokens.get()).resolves.toBe('t-1');
  });

  it('abandons a login every waiter gave up on, so the next caller logs in afresh', async () => {
    const { calls, login } = controllableLogin();
    const tokens = new SessionTokens(login, 'Session.Token', undefined);
    const first = new AbortController();
    const waiting = tokens.get(first.signal);
    first.abort(new Error('caller deadline'));
    await expect(waiting).rejects.toThrow('caller deadline');
    expect(calls[0]!.signal.aborted).toBe(true);
    const next = tokens.get(new AbortController().signal);
    expect(calls).toHaveLength(2);
    calls[1]!.answer('t-2');
    await expect(next).resolves.toBe('t-2');
  });

  it('keeps a login while another caller still waits for it', async () => {
    const { calls, login } = controllableLogin();
    const tokens = new SessionTokens(login, 'Session.Token', undefined);
    const quitter = new AbortController();
    const a = tokens.get(quitter.signal);
    const b = tokens.get(new AbortController().signal);
    quitter.abort(new Error('gave up'));
    await expect(a).rejects.toThrow('gave up');
    expect(calls[0]!.signal.aborted).toBe(false);
    calls[0]!.answer('t-3');
    await expect(b).resolves.toBe('t-3');
  });
});
