import {
  LgxSchemaError,
  LgxValidationError,
  assertTransaction,
  assertValid,
  createTransaction,
  normalisePostcode,
  normaliseUprn,
  normaliseUsrn,
  parseTransaction,
  validate,
  validateData,
  versionOf,
} from '@lgx/core';
import { readFixtures } from './helpers';

const pothole = readFixtures('street.report', 1, 'valid').find((f) => f.file === 'pothole-with-coordinates.json')!.data as never;

function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...createTransaction('street.report', structuredClone(pothole), { council: 'E07000223', channel: 'web', idempotencyKey: 'form-123' }),
    ...overrides,
  };
}

describe('createTransaction', () => {
  it('builds a complete CloudEvents envelope with LGX extensions', () => {
    const tx = createTransaction('street.report', pothole, {
      council: 'E07000223',
      channel: 'web',
      idempotencyKey: 'form-123',
      correlationId: 'journey-9',
    });
    expect(tx).toMatchObject({
      specversion: '1.0',
      type: 'street.report',
      source: '/councils/E07000223/channels/web',
      dataschema: 'https://schemas.lgx.dev/street.report/v1.json',
      datacontenttype: 'application/json',
      council: 'E07000223',
      idempotencykey: 'form-123',
      correlationid: 'journey-9',
      channel: 'web',
      lgil: 17,
    });
    expect(tx.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(tx.time))).toBe(false);
    expect(versionOf(tx)).toBe(1);
    // street.report spans several LGSL codes, so none is guessed.
    expect(tx.lgsl).toBeUndefined();
  });

  it('defaults the idempotency key to the id, so re-sending the same envelope is deduplicated', () => {
    const tx = createTransaction('street.report', pothole, { council: 'E07000223' });
    expect(tx.idempotencykey).toBe(tx.id);
  });

  it('throws LgxValidationError listing every problem in the data, with JSON pointers', () => {
    const bad = { kind: 'nonsense', location: {} } as never;
    let caught: unknown;
    try {
      createTransaction('street.report', bad, { council: 'E07000223' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LgxValidationError);
    const error = caught as LgxValidationError;
    expect(error.code).toBe('LGX_ERR_VALIDATION_INVALID');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/data/kind', rule: 'enum' }),
        expect.objectContaining({ path: '/data/description', rule: 'required' }),
        expect.objectContaining({ path: '/data/location', rule: 'minProperties' }),
      ]),
    );
    expect(error.message).toMatch(/^transaction is not valid: \/data\//);
  });

  it('refuses an unknown type or version with a coded error', () => {
    expect(() => createTransaction('waste.unknown' as never, {} as never, { council: 'E07000223' })).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_SCHEMA_UNKNOWN_TYPE', message: expect.stringContaining("unknown type 'waste.unknown'") }),
    );
    expect(() => createTransaction('street.report', pothole, { council: 'E07000223', version: 9 })).toThrow(LgxSchemaError);
  });

  it('refuses a council that is not a GSS code', () => {
    expect(() => createTransaction('street.report', pothole, { council: 'Cambridge' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/council', rule: 'pattern' })] }),
    );
  });
});

describe('validate', () => {
  it('accepts a well-formed envelope', () => {
    expect(validate(envelope())).toEqual({ ok: true, value: expect.objectContaining({ type: 'street.report' }) });
  });

  it.each([
    ['null', null, ''],
    ['an array', [], ''],
    ['a number', 42, ''],
    ['a string', 'street.report', ''],
  ])('refuses %s with a type issue at the root', (_label, value, path) => {
    const result = validate(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ path, rule: 'type' });
  });

  it('reports an unknown type at /type and lists the known ones', () => {
    const result = validate(envelope({ type: 'waste.missedBin' }));
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: '/type', rule: 'knownType', message: expect.stringContaining('street.report') })],
      issueCount: 1,
    });
  });

  it('reports a version that is not registered at /dataschema', () => {
    const result = validate(envelope({ dataschema: 'https://schemas.lgx.dev/street.report/v7.json' }));
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: '/dataschema', rule: 'knownVersion', message: expect.stringContaining('known: v1') })],
      issueCount: 1,
    });
  });

  it('reports a dataschema of another type', () => {
    const result = validate(envelope({ dataschema: 'https://schemas.lgx.dev/envelope/v1.json' }));
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ path: '/dataschema', rule: 'matchesType' })], issueCount: 1 });
  });

  it('refuses prototype keys anywhere, without touching Object.prototype', () => {
    const hostile = JSON.parse(
      `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${JSON.stringify(envelope()).slice(1, -1).replace('"kind":"pothole"', '"kind":"pothole","__proto__":{"polluted":1}')}}`,
    );
    const result = validate(hostile);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/__proto__', message: expect.stringContaining('prototype pollution') }),
        expect.objectContaining({ path: '/constructor', message: expect.stringContaining('prototype pollution') }),
        expect.objectContaining({ path: '/data/__proto__', rule: 'additionalProperties' }),
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never echoes the rejected value in messages (it may be personal data)', () => {
    const secretish = 'alex.example-not-an-email';
    const tx = envelope();
    (tx.data as { requester: { person: { email: string } } }).requester.person.email = secretish;
    const result = validate(tx);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secretish);
  });

  it('assertValid throws with every issue', () => {
    expect(() => assertValid(envelope({ council: 'X', channel: 'fax' }))).toThrow(
      expect.objectContaining({
        issues: expect.arrayContaining([
          expect.objectContaining({ path: '/council' }),
          expect.objectContaining({ path: '/channel', rule: 'enum' }),
        ]),
      }),
    );
  });

  it('validateData checks data alone', () => {
    expect(validateData('street.report', pothole).ok).toBe(true);
    expect(validateData('street.report', { ...(pothole as object), hazard: 'yes' })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: '/hazard', rule: 'type', message: 'must be boolean' })],
      issueCount: 1,
    });
  });
});

describe('bounded issues', () => {
  // 20,000 empty attachments: each misses its required fields, and the list is over its maxItems.
  const flood = () =>
    envelope({ data: { ...structuredClone(pothole as Record<string, unknown>), media: Array.from({ length: 20_000 }, () => ({})) } });

  it('lists the first 100 issues of a payload with 20,000 bad items and counts them all, without overflowing the stack', () => {
    const perItem = validate(envelope({ data: { ...structuredClone(pothole as Record<string, unknown>), media: [{}] } }));
    expect(perItem.ok).toBe(false);
    const issuesPerItem = perItem.ok ? 0 : perItem.issueCount!;
    expect(issuesPerItem).toBeGreaterThan(0);
    const result = validate(flood());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(100);
    expect(result.issues[0]).toEqual(expect.objectContaining({ path: '/data/media', rule: 'maxItems' }));
    expect(result.issueCount).toBe(1 + 20_000 * issuesPerItem);
    expect(parseTransaction(JSON.stringify(flood()))).toEqual(expect.objectContaining({ ok: false, issueCount: result.issueCount }));
  });

  it('throws an LgxValidationError that keeps the first 100 issues and says how many there were', () => {
    let caught: unknown;
    try {
      assertValid(flood());
    } catch (error) {
      caught = error;
    }
    const error = caught as LgxValidationError;
    expect(error).toBeInstanceOf(LgxValidationError);
    expect(error.issues).toHaveLength(100);
    expect(error.issueCount).toBeGreaterThan(20_000);
    expect(error.message).toContain(`(and ${error.issueCount - 1} more)`);
    expect(JSON.stringify(error).length).toBeLessThan(64 * 1024);
    // Built by hand from a long list, it is capped the same way.
    const byHand = new LgxValidationError(
      Array.from({ length: 500 }, (_, i) => ({ path: `/x/${i}`, rule: 'type', message: 'must be string' })),
    );
    expect([byHand.issues.length, byHand.issueCount]).toEqual([100, 500]);
  });

  it('lists more or fewer when asked (maxIssues)', () => {
    const few = validate(flood(), { maxIssues: 3 });
    const many = validateData('street.report', flood().data, { maxIssues: 1000 });
    expect(few.ok || few.issues.length).toBe(3);
    expect(many.ok || many.issues.length).toBe(1000);
    expect(few.ok || many.ok || few.issueCount === many.issueCount).toBe(true);
  });
});

describe('parseTransaction', () => {
  it('parses and validates JSON text and bytes', () => {
    const text = JSON.stringify(envelope());
    expect(parseTransaction(text).ok).toBe(true);
    expect(parseTransaction(new TextEncoder().encode(text)).ok).toBe(true);
  });

  it('refuses oversized input before parsing it', () => {
    const big = `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`;
    expect(parseTransaction(big)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ rule: 'maxBytes', message: expect.stringContaining('limit is 1048576 bytes') })],
    });
    expect(() => assertTransaction(JSON.stringify(envelope()), { maxBytes: 100 })).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_VALIDATION_TOO_LARGE' }),
    );
  });

  it('refuses malformed JSON with a clear, coded error', () => {
    expect(parseTransaction('{"specversion": "1.0",')).toEqual({
      ok: false,
      issues: [expect.objectContaining({ rule: 'json', message: expect.stringContaining('not well-formed JSON') })],
    });
    expect(() => assertTransaction('not json')).toThrow(expect.objectContaining({ code: 'LGX_ERR_VALIDATION_MALFORMED_JSON' }));
  });
});

describe('identifier normalisers', () => {
  it('normalise UPRNs, USRNs and postcodes', () => {
    expect(normaliseUprn(' 000100023336956 ')).toBe('100023336956');
    expect(normaliseUprn(100023336956)).toBe('100023336956');
    expect(normaliseUprn(100023336956n)).toBe('100023336956');
    expect(normaliseUsrn('08400709')).toBe('8400709');
    expect(normalisePostcode(' sw1a2aa')).toBe('SW1A 2AA');
    expect(normalisePostcode('cb1  2ad')).toBe('CB1 2AD');
  });

  it.each([['1234567890123'], ['0'], ['12a'], [''], [1.5], [-4]])('refuses UPRN %p', (value) => {
    expect(() => normaliseUprn(value as string)).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_VALIDATION_INVALID', message: expect.stringContaining('uprn') }),
    );
  });

  it('refuses a postcode that is not one', () => {
    expect(() => normalisePostcode('CAMBRIDGE')).toThrow(/postcode/);
    expect(() => normaliseUsrn('123456789')).toThrow(/usrn/);
  });
});
