import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction } from '@lgx/core';
import { createSqliteStore } from '../src/store/sqlite-store';
import type { Store } from '../src/store/store-types';

const dir = mkdtempSync(join(tmpdir(), 'lgx-sqlite-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

async function writeOne(store: Store): Promise<void> {
  await store.migrate();
  const envelope = createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
    { council: 'E07000223' },
  );
  await store.insertTransaction({
    envelope,
    deliveries: [{ id: envelope.id, target: 'confirm', mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'test', action: 'transaction.accepted' },
    now: new Date(),
  });
}

describe('SQLite database files', () => {
  // The usual umask leaves new files readable by everyone: the store must not rely on it.
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => process.umask(umask));

  it('are created owner-only (0600): the database, its -wal and its -shm', async () => {
    const file = join(dir, 'new.db');
    const store = createSqliteStore({ file });
    try {
      await writeOne(store);
      expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['600', '600', '600']);
    } finally {
      await store.close();
    }
  });

  it('are tightened to 0600 when an existing database was readable by others, and keep their data', async () => {
    const file = join(dir, 'loose.db');
    const first = createSqliteStore({ file, fileMode: 0o644 });
    await writeOne(first);
    // Left open, so the -wal and -shm files are still there when the next process opens the database.
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['644', '644', '644']);
    const second = createSqliteStore({ file });
    try {
      expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['600', '600', '600']);
      expect(await second.listAudit('E07000223')).toHaveLength(1);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('keep a mode that is already tighter', async () => {
    const file = join(dir, 'owner-read.db');
    writeFileSync(file, '');
    chmodSync(file, 0o400);
    await createSqliteStore({ file }).close();
    expect(modeOf(file)).toBe('400');
  });
});
