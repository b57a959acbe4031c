import { CHANNELS, type Channel } from '@lgx/core';
import { createApiKey, scopeNamed, SCOPES, type KeyStore } from '@lgx/gateway';
import { councilsServed } from '../stack-folder';
import { DEFAULT_DATA, DEFAULT_STACK } from '../context';
import { openKeySource } from '../key-source';
import { importKeysCommand } from './keys-import';
import { EXIT, json, table, UsageError, type Io } from '../output';
import { need, parse, str, textOptions } from '../args';
import { dataKeysCommand, dataKeysHelp } from './data-keys';

export const keysHelp = `lgx keys create --stack <file|folder> --data <dir> --council <code> [--database <postgres-url>] [--scopes submit,read] [--channel <channel>] [--label <text>] [--json]
lgx keys list [--data <dir>] [--database <postgres-url>] [--json]
lgx keys revoke <key-id> [--data <dir>] [--database <postgres-url>]
lgx keys import [--data <dir>] [--database <postgres-url>] [--json]
${dataKeysHelp}

API keys of the gateway, per council, kept as SHA-256 hashes: with --database in the PostgreSQL
store, which every node on it reads (a new or revoked key takes effect on all of them within a
second); else in <data>/keys.json (one node on SQLite), or in <data>/lgx.db once 'import' has moved
them there. 'import' copies <data>/keys.json into the store (--database, else <data>/lgx.db) and
renames it keys.json.imported; running it again adds nothing. 'create' prints the
new key once (with --json as {"key": "..."}): store it in the channel's secret store; it cannot be
shown again. Scopes: submit (send transactions), read (read them, personal data masked), operator
(sign in to the console), personal-data (alias read:personal: see personal data, every such read
audited), admin (everything, incl. metrics).
--channel records the channel the key is issued to (${CHANNELS.join(', ')}) on every transaction it
sends in the short form {"type", "data"} (as the envelope's channel and source); without it, api.
Needs only the stack's council: adapter secrets need not be set.`;

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, textOptions('stack', 'data', 'council', 'scopes', 'label', 'channel', 'database', 'batch'));
  if (values.help) return (io.out(keysHelp), EXIT.ok);
  const action = need(positionals, 0, 'keys action (create, list, revoke, generate or rotate-data-key)');
  const done = await dataKeysCommand(action, values, io);
  if (done !== undefined) return done;
  const dataDir = str(values, 'data', DEFAULT_DATA);
  const database = str(values, 'database');
  if (action === 'import') return importKeysCommand(dataDir, database, values.json === true, io);
  if (!['create', 'list', 'revoke'].includes(action))
    throw new UsageError(`unknown keys action '${action}' (create, list, revoke, import, generate, rotate-data-key)`);
  const source = await openKeySource(dataDir, database, io);
  try {
    return await keyAction(action, values, positionals, source.keys, io);
  } finally {
    await source.close();
  }
}

async function keyAction(
  action: string,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  keys: KeyStore,
  io: Io,
): Promise<number> {
  if (action === 'create') {
    const council = str(values, 'council');
    if (!council) throw new UsageError('keys create needs --council <GSS code>');
    // The council is all a key needs from the stack: adapter secrets need not be set.
    const served = await councilsServed(str(values, 'stack', DEFAULT_STACK));
    if (!served.includes(council))
      throw new UsageError(`the stack${served.length > 1 ? 's serve councils' : ' serves council'} ${served.join(', ')}, not ${council}`);
    const names = str(values, 'scopes', 'submit,read')
      .split(',')
      .map((s) => s.trim());
    const unknown = names.filter((s) => scopeNamed(s) === undefined);
    if (unknown.length)
      throw new UsageError(`unknown scope(s) ${unknown.join(', ')} (scopes: ${SCOPES.join(', ')}; read:personal is personal-data)`);
    const scopes = [...new Set(names.map((s) => scopeNamed(s)!))];
    const channel = str(values, 'channel');
    if (channel !== undefined && !CHANNELS.includes(channel as Channel))
      throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')} (the envelope's channels), not '${channel.slice(0, 40)}'`);
    const label = str(values, 'label');
    const { key, record } = await createApiKey(keys, {
      council,
      scopes,
      ...(label ? { label } : {}),
      ...(channel ? { channel: channel as Channel } : {}),
    });
    if (values.json) io.out(JSON.stringify({ key }));
    else
      io.out(
        `${key}\n\nkey id ${record.id} for council ${council}, scopes ${scopes.join(', ')}${channel ? `, channel ${channel}` : ''}. This is the only time the key is shown.`,
      );
    return EXIT.ok;
  }
  if (action === 'list') {
    const all = await keys.list();
    if (values.json) io.out(json(all.map(({ hash: _hash, ...rest }) => rest)));
    else
      io.out(
        table(
          ['key id', 'council', 'scopes', 'channel', 'label', 'created', 'revoked'],
          all.map((k) => [k.id, k.council, k.scopes.join(','), k.channel, k.label, k.createdAt, k.revokedAt]),
        ),
      );
    return EXIT.ok;
  }
  const id = need(positionals, 1, 'key id');
  const done = await keys.revoke(id);
  io.out(done ? `revoked ${id}` : `no live key ${id}`);
  return done ? EXIT.ok : EXIT.notFound;
}
