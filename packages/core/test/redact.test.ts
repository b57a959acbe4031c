import {
  PermanentError,
  RateLimitedError,
  REDACTED,
  collectMarkedTexts,
  collectMarkedValues,
  collectSecrets,
  createTransaction,
  maskPersonalData,
  redact,
  redactTransaction,
  schemaRegistry,
} from '@lgx/core';
import { readFixtures } from './helpers';

const pothole = readFixtures('street.report', 1, 'valid').find((f) => f.file === 'pothole-with-coordinates.json')!.data as never;

describe('redact', () => {
  it('masks personal data in a transaction and keeps the rest', () => {
    const tx = createTransaction('street.report', pothole, { council: 'E07000223' });
    const out = redactTransaction(tx);
    const text = JSON.stringify(out);
    for (const personal of ['Alex', 'Example', 'alex.example@example.com']) expect(text).not.toContain(personal);
    expect(out.data).toMatchObject({
      kind: 'pothole',
      location: { usrn: '8400709' },
      requester: { person: { givenName: REDACTED, familyName: REDACTED, email: REDACTED }, consentRef: 'privacy-notice-2026-04' },
    });
    // The original is untouched.
    expect((tx.data as { requester: { person: { givenName: string } } }).requester.person.givenName).toBe('Alex');
  });

  it('masks all data when the schema is unknown', () => {
    expect(redactTransaction({ dataschema: 'https://schemas.lgx.dev/unknown/v1.json', data: { name: 'Alex' } }).data).toBe(REDACTED);
  });

  it('follows local $refs, arrays, maps and branches in any schema', () => {
    const schema = {
      $defs: { secret: { type: 'string', 'x-lgx-secret': true } },
      type: 'object',
      properties: {
        auth: {
          oneOf: [
            { type: 'object', properties: { password: { $ref: '#/$defs/secret' } } },
            { type: 'object', properties: { token: { type: 'string', 'x-lgx-secret': true } } },
          ],
        },
        people: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string', 'x-lgx-pii': true }, role: { type: 'string' } } },
        },
        tags: { type: 'object', additionalProperties: { type: 'string', 'x-lgx-pii': true } },
      },
    };
    const value = { auth: { password: 'p4ssw0rd', token: 't0k3n' }, people: [{ name: 'Alex', role: 'resident' }], tags: { a: 'x' } };
    expect(redact(value, schema)).toEqual({
      auth: { password: REDACTED, token: REDACTED },
      people: [{ name: REDACTED, role: 'resident' }],
      tags: { a: REDACTED },
    });
    expect(redact(value, schema, { marks: ['x-lgx-secret'] }).people[0]!.name).toBe('Alex');
    expect(collectSecrets(value, schema).sort()).toEqual(['p4ssw0rd', 't0k3n']);
  });

  it('keeps a hostile __proto__ key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}');
    const out = redact(value, { type: 'object', properties: { name: { type: 'string', 'x-lgx-pii': true } } }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(out.name).toBe(REDACTED);
  });
});

describe('collectMarkedTexts', () => {
  it('gives each text inside a marked object on its own, where collectMarkedValues gives the object as JSON', () => {
    const data = {
      title: 'Mx',
      givenName: 'Alex',
      familyName: 'Example',
      address: { paon: '14', street: 'Mill Road', town: 'Cambridge', postcode: 'CB1 2AD' },
    };
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string', 'x-lgx-pii': true },
        givenName: { type: 'string', 'x-lgx-pii': true },
        familyName: { type: 'string' },
        address: { type: 'object', 'x-lgx-pii': true },
      },
    };
    expect(collectMarkedValues(data, schema, ['x-lgx-pii'])).toEqual(['Mx', 'Alex', JSON.stringify(data.address)]);
    expect(collectMarkedTexts(data, schema, ['x-lgx-pii'])).toEqual(['Mx', 'Alex', '14', 'Mill Road', 'Cambridge', 'CB1 2AD']);
  });

  it('follows the canonical schemas: a street report gives its requester', () => {
    expect(collectMarkedTexts(pothole, schemaRegistry().get('street.report').schema, ['x-lgx-pii'])).toEqual([
      'Alex',
      'Example',
      'alex.example@example.com',
    ]);
  });
});

describe('maskPersonalData', () => {
  const data = {
    caseType: 'complaint',
    subject: 'Mrs Jane Example keeps her bins on the path',
    contact: { person: { givenName: 'Jane', familyName: 'Example', email: 'jane@example.com' } },
    location: { address: { paon: '14', street: 'Mill Road', town: 'Cambridge', postcode: 'CB1 2AD' } },
  };

  it("masks the transaction's personal data in an adapter error, keeping its class, codes and delay, and drops the vendor's cause", () => {
    const vendor = new RateLimitedError(
      "value 'Mrs Jane Example keeps her bins on the path' for jane@example.com at Mill Road, CB1 2AD refused",
      {
        vendorCode: 'X1',
        status: 429,
        retryAfterMs: 5000,
        cause: new Error('raw vendor text about Jane'),
      },
    );
    const masked = maskPersonalData(vendor, 'crm.case', data) as RateLimitedError;
    expect(masked).toBeInstanceOf(RateLimitedError);
    expect(masked.message).toBe("value '[personal data]' for [personal data] at [personal data], [personal data] refused");
    expect(masked).toMatchObject({
      classification: 'rateLimited',
      code: 'LGX_ERR_ADAPTER_RATE_LIMITED',
      vendorCode: 'X1',
      status: 429,
      retryAfterMs: 5000,
    });
    expect(masked.cause).toBeUndefined();
  });

  it('masks the start of a long value that a summary cut short', () => {
    const long = { ...data, description: `The neighbour at number 14 has left ${'rubbish bags and '.repeat(10)}an old sofa` };
    const cut = new PermanentError(`answered 400: data value too large: ${long.description.slice(0, 90)}…`);
    expect(maskPersonalData(cut, 'crm.case', long)).toMatchObject({ message: 'answered 400: data value too large: [personal data]…' });
  });

  it('leaves alone an error without personal data, and anything that is not an adapter error', () => {
    const clean = new PermanentError('REQUIRED_FIELD_MISSING: Subject');
    expect(maskPersonalData(clean, 'crm.case', data)).toBe(clean);
    const plain = new Error('Jane Example');
    expect(maskPersonalData(plain, 'crm.case', data)).toBe(plain);
  });
});
