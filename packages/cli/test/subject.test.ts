import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { lgx, useWasteStack } from './helpers';

const ctx = useWasteStack();
const env = { EXAMPLE_WASTE_KEY: API_KEY, LGX_KEK: randomBytes(32).toString('base64') };
const COUNCIL = 'E07000223';
const fixture = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as unknown as {
  requester: { person: Record<string, unknown> };
};

/** Sends one missed collection for `person` through `lgx send`, delivered or (with a fault first) a dead letter. */
async function send(person: { givenName: string; familyName: string; email: string }, refuse: boolean): Promise<string> {
  if (refuse) ctx.sim.faults.failNext(1, { status: 400, body: { error: { code: 'REJECTED', message: 'no round for this address' } } });
  const data = structuredClone(fixture);
  data.requester.person = { ...data.requester.person, ...person };
  const tx = createTransaction('waste.missedCollection', data as never, { council: COUNCIL, channel: 'web' });
  const file = path.join(ctx.dir, `${tx.id}.json`);
  writeFileSync(file, JSON.stringify(tx));
  const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data, '--wait', '10'], { env });
  expect(sent.code).toBe(refuse ? 1 : 0);
  return tx.id;
}

const A = { givenName: 'Ysolde', familyName: 'Farquharson-Lee', email: 'ysolde.fl@example.org' };
const B = { givenName: 'Tobias', familyName: 'Merriweather', email: 'tobias.m@example.net' };

describe('lgx subject', () => {
  it('finds, exports and erases one person, refuses bad requests naming the field, and the audit chain still verifies', async () => {
    appendFileSync(ctx.stackFile, 'encryption:\n  key: ${env:LGX_KEK}\n');
    const delivered = await send(A, false);
    const dead = await send(A, true);
    const other = await send(B, false);
    const at = ['--stack', ctx.stackFile, '--data', ctx.data];
    const run = (args: string[]) => lgx(['subject', ...args, ...at], { env });

    const found = await run(['find', '--email', 'YSOLDE.FL@example.org', '--json']);
    expect(found.code).toBe(0);
    const matches = JSON.parse(found.stdout) as Array<{ id: string; state: string }>;
    expect(matches.map((m) => [m.id, m.state]).sort()).toEqual(
      [
        [delivered, 'delivered'],
        [dead, 'dead'],
      ].sort(),
    );
    // No personal data in what find prints.
    expect((await run(['find', '--email', A.email])).stdout).not.toContain(A.familyName);

    for (const [args, code, field] of [
      [['find'], 'LGX_ERR_SUBJECT_SELECTOR', 'one of email'],
      [['find', '--email', A.email, '--name', 'Ysolde'], 'LGX_ERR_SUBJECT_SELECTOR', 'email and name'],
      [['find', '--email', 'ysolde-at-example'], 'LGX_ERR_SUBJECT_SELECTOR', 'email must be an email address'],
      [['find', '--email', A.email, '--council', 'E09999999'], 'LGX_ERR_SUBJECT_COUNCIL', 'council: E09999999'],
      [['erase', '--email', A.email], 'LGX_ERR_SUBJECT_CONFIRM', '--yes'],
    ] as const) {
      const ran = await run([...args]);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(code);
      expect(ran.stderr).toContain(field);
    }

    const out = path.join(ctx.dir, 'export');
    const exported = await run(['export', '--email', A.email, '--out', out, '--actor', 'staff-7']);
    expect(exported.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'attempts.csv',
      'audit.csv',
      'deliveries.csv',
      'status-updates.csv',
      'subject.json',
      'transactions.csv',
    ]);
    for (const name of readdirSync(out)) expect(statSync(path.join(out, name)).mode & 0o777).toBe(0o600);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(out, 'subject.json'), 'utf8')).toContain(A.email);
    expect(readFileSync(path.join(out, 'transactions.csv'), 'utf8')).toContain(A.familyName);
    expect(readFileSync(path.join(out, 'subject.json'), 'utf8')).not.toContain(B.email);

    const erased = await run(['erase', '--email', A.email, '--yes', '--actor', 'staff-7']);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('erased 2 transactions');
    expect((await run(['find', '--email', A.email])).stdout).toContain('holds no transactions');
    const status = await lgx(['status', dead, '--data', ctx.data, '--personal-data', '--json'], { env });
    expect(status.stdout).toContain('[ERASED]');
    expect(status.stdout).not.toContain(A.familyName);
    // The other person's data is untouched: it still opens, in full.
    const keptOut = path.join(ctx.dir, 'kept');
    expect((await run(['export', '--email', B.email, '--out', keptOut])).code).toBe(0);
    const kept = JSON.parse(readFileSync(path.join(keptOut, 'subject.json'), 'utf8')) as {
      transactions: Array<{ transaction: { id: string; envelope: { data: unknown } } }>;
    };
    expect(kept.transactions.map((v) => v.transaction.id)).toEqual([other]);
    expect(JSON.stringify(kept.transactions[0]!.transaction.envelope.data)).toContain(B.familyName);

    const verified = await lgx(['audit', 'verify', ...at], { env });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^the audit chain of council E07000223 verifies: \d+ entries/);
  }, 240_000);
});
