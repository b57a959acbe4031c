import { renameSync } from 'node:fs';
import { createFileKeyStore } from '@lgx/gateway';
import { dataPaths, openStore } from '../context';
import { keyFileToImport } from '../key-source';
import { EXIT, type Io } from '../output';

/**
 * `lgx keys import`: copies every key of `<data>/keys.json` (hashes only, revoked ones as revoked)
 * into the store (`--database`, else `<data>/lgx.db`), then renames the file keys.json.imported so
 * every later command uses the store. Idempotent: a key already in the store is left as it is, and a
 * second run reads keys.json.imported and adds nothing.
 */
export async function importKeysCommand(dataDir: string, database: string | undefined, json: boolean, io: Io): Promise<number> {
  const file = keyFileToImport(dataDir);
  if (file === undefined) {
    io.err(`no ${dataPaths(dataDir).keys} to import`);
    return EXIT.notFound;
  }
  const records = await createFileKeyStore(file).list();
  const store = openStore(dataDir, database, io);
  let added = 0;
  try {
    await store.migrate();
    for (const record of records) {
      const { hash, scopes, ...rest } = record;
      if (await store.addApiKey({ ...rest, hash, scopes: [...scopes] })) added += 1;
    }
  } finally {
    await store.close();
  }
  // Renamed only once every key is in: a run cut short is simply run again.
  if (file === dataPaths(dataDir).keys) renameSync(file, `${file}.imported`);
  const where = database !== undefined ? 'the PostgreSQL store' : dataPaths(dataDir).db;
  if (json)
    io.out(JSON.stringify({ imported: added, alreadyThere: records.length - added, into: database !== undefined ? 'postgres' : 'sqlite' }));
  else
    io.out(
      `imported ${added} key(s) into ${where}; ${records.length - added} already there. ${file === dataPaths(dataDir).keys ? `${file} is now ${file}.imported.` : ''}`.trim(),
    );
  return EXIT.ok;
}
