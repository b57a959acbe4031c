import { REDACTED, createLogger, findUnmarkedSecrets, isSecretName, type LogEntry } from '@lgx/core';

// Spelled as configs, headers, forms and SOAP elements spell them.
const SECRET = [
  'password',
  'smtpPass',
  'passwd',
  'Passphrase',
  'client_secret',
  'X-Api-Key',
  'API_KEY',
  'accessToken',
  'Authorization',
  'proxy-authorisation',
  'set-cookie',
  'sessionId',
  'private.key',
  'signingKey',
  'webhookSignature',
  'credentials',
  'sortCode',
  'account_number',
];
const PLAIN = ['username', 'tokenUrl', 'authType', 'keywords', 'apiBase', 'passwordType', 'signatureMethod', 'accountName', 'session'];

describe('isSecretName', () => {
  it('knows a secret by how its name ends, whatever the case and separators', () => {
    expect(SECRET.filter((name) => !isSecretName(name))).toEqual([]);
    expect(PLAIN.filter((name) => isSecretName(name))).toEqual([]);
  });

  it('is the rule of log scrubbing and of the check that config fields say whether they are secret', () => {
    const entries: LogEntry[] = [];
    createLogger({ sink: (e) => entries.push(e) }).info('x', Object.fromEntries([...SECRET, ...PLAIN].map((name) => [name, 'value-1234'])));
    const masked = Object.keys(entries[0]!).filter((name) => entries[0]![name] === REDACTED);
    expect(masked.sort()).toEqual([...SECRET].sort());

    const schema = { type: 'object', properties: Object.fromEntries([...SECRET, ...PLAIN].map((name) => [name, { type: 'string' }])) };
    expect(findUnmarkedSecrets(schema).sort()).toEqual(SECRET.map((name) => `/${name}`).sort());
  });
});
