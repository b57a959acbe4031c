import {
  ConverterRegistry,
  LgxSchemaError,
  createTransaction,
  converterRegistry,
  schemaRegistry,
  upcast,
  validate,
  versionOf,
} from '@lgx/core';
import { readFixtures } from './helpers';

describe('schema registry', () => {
  const registry = schemaRegistry();

  it('lists types and versions, with the latest by default', () => {
    expect(registry.versions('payment')).toEqual([1, 2]);
    expect(registry.get('payment').major).toBe(2);
    expect(registry.get('payment', 1).deprecated).toBe(true);
    expect(registry.types('query')).toEqual(expect.arrayContaining(['revenues.accountEnquiry']));
    expect(registry.resultOf('revenues.accountEnquiry').$id).toBe('https://schemas.lgx.dev/revenues.accountEnquiry/v1.result.json');
  });

  it('refuses a schema registered twice', () => {
    expect(() => registry.register(registry.get('payment').schema)).toThrow(expect.objectContaining({ code: 'LGX_ERR_SCHEMA_DUPLICATE' }));
  });
});

describe('upcast', () => {
  const v1Fixtures = readFixtures('payment', 1, 'valid');

  it.each(v1Fixtures.map((f) => [f.file, f] as const))(
    'turns payment v1 %s into valid v2 with the exact amount in pence',
    (_file, fixture) => {
      const old = createTransaction('payment', fixture.data as never, { council: 'E07000223', version: 1 });
      expect(versionOf(old)).toBe(1);
      const current = upcast(old);
      expect(current.dataschema).toBe('https://schemas.lgx.dev/payment/v2.json');
      expect(validate(current).ok).toBe(true);
      const amount = (fixture.data as { amount: string }).amount;
      const [pounds, pence] = amount.split('.');
      expect((current.data as { amountPence: number }).amountPence).toBe(Number(pounds) * 100 + Number(pence));
      expect(current.data).not.toHaveProperty('amount');
      // Everything else is unchanged.
      expect(current.id).toBe(old.id);
      expect(current.idempotencykey).toBe(old.idempotencykey);
    },
  );

  it('converts by digits, never through floating point (19.99 is 1999, not 1998.9999)', () => {
    const old = createTransaction(
      'payment',
      { amount: '19.99', description: 'Garden waste', reference: 'GW-1', returnUrl: 'https://forms.example.gov.uk/done' } as never,
      {
        council: 'E07000223',
        version: 1,
      },
    );
    expect((upcast(old).data as { amountPence: number }).amountPence).toBe(1999);
  });

  it('leaves a payload at the target version unchanged, and never downcasts', () => {
    const current = createTransaction(
      'payment',
      { amountPence: 1250, description: 'Bulky waste', reference: 'BW-1', returnUrl: 'https://forms.example.gov.uk/done' } as never,
      {
        council: 'E07000223',
      },
    );
    expect(upcast(current)).toBe(current);
    expect(() => upcast(current, { to: 1 })).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_SCHEMA_NO_CONVERTER', message: expect.stringContaining('cannot downcast') }),
    );
  });

  it('refuses when a step is missing, and validates what a converter produced', () => {
    const old = createTransaction(
      'payment',
      { amount: '0.50', description: 'x', reference: 'r', returnUrl: 'https://a.example/x' } as never,
      { council: 'E07000223', version: 1 },
    );
    expect(() => upcast(old, { converters: new ConverterRegistry() })).toThrow(LgxSchemaError);
    const broken = new ConverterRegistry([
      { type: 'payment', from: 1, to: 2, description: 'broken', convert: () => ({ amountPence: 1.5 }) },
    ]);
    expect(() => upcast(old, { converters: broken })).toThrow(expect.objectContaining({ code: 'LGX_ERR_VALIDATION_INVALID' }));
  });

  it('lists the shipped converters', () => {
    expect(
      converterRegistry()
        .list()
        .map((c) => `${c.type} v${c.from}->v${c.to}`),
    ).toEqual(['payment v1->v2']);
    expect(() => new ConverterRegistry([{ type: 'x', from: 1, to: 3, description: '', convert: (d) => d }])).toThrow(
      /one major version to the next/,
    );
  });
});
