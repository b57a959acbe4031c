import { generateKeyEncryptionKey, loadStackEncryptionKey, parseKeyEncryptionKey, rotateDataKey } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStore } from '../context';
import { EXIT, json, UsageError, type Io } from '../output';
import { str } from '../args';

export const dataKeysHelp = `lgx keys generate
lgx keys rotate-data-key --stack <file> [--data <dir> | --database <postgres-url>] [--batch 500] [--json]

Keys for personal data at rest. 'generate' prints a new key-encryption key (32 random bytes, base64):
keep it in a secret store and give it to the stack file as encryption.key: \${env:LGX_KEK} or
\${file:path}. 'rotate-data-key' adds a new data key for the stack's council, seals every stored
personal value again under it in batches while the stack keeps running, then removes the old keys.`;

/** `lgx keys generate` and `lgx keys rotate-data-key`; undefined for the other key actions. */
export async function dataKeysCommand(
  action: string,
  values: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<number | undefined> {
  if (action === 'generate') {
    io.out(generateKeyEncryptionKey());
    return EXIT.ok;
  }
  if (action !== 'rotate-data-key') return undefined;
  const { council, key } = await loadStackEncryptionKey(str(values, 'stack', DEFAULT_STACK));
  if (key === undefined) throw new UsageError('the stack has no encryption.key: there is no data key to rotate');
  const batch = Number(str(values, 'batch', '500'));
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UsageError('--batch must be a whole number from 1 to 10000');
  const store = openStore(str(values, 'data', DEFAULT_DATA), str(values, 'database'), io);
  try {
    await store.migrate();
    let shown = 0;
    const result = await rotateDataKey({
      store,
      council,
      kek: parseKeyEncryptionKey(key),
      batchSize: batch,
      onProgress: ({ resealed }) => {
        if (!values.json && resealed - shown >= 10_000) {
          shown = resealed;
          io.err(`${resealed} rows sealed again...`);
        }
      },
    });
    if (values.json) io.out(json(result));
    else
      io.out(
        `council ${council}: data key ${result.keyId} in use; ${result.resealed} rows sealed again; retired ${result.retired.join(', ') || 'none'}`,
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
