import { addressLine, crmCaseFacts, mapSetting, CANONICAL_CODE_KEYS, type CrmCase } from '../src';
import { createAjv } from '../src/schema/ajv';

const address = { paon: '14', street: 'Mill Road', town: 'Cambridge', postcode: 'CB1 2AD', saon: 'Flat 2', uprn: '100090000001' };

describe('crmCaseFacts', () => {
  it('writes a numbered building on one line with its street, and a named one before it', () => {
    expect(addressLine(address)).toBe('Flat 2, 14 Mill Road, Cambridge, CB1 2AD');
    expect(addressLine({ paon: 'Rose Cottage', street: 'Mill Lane', town: 'Ely' })).toBe('Rose Cottage, Mill Lane, Ely');
  });

  it('gives every fact of a full case as one text or number', () => {
    const data = {
      subject: 'Fly-tipping',
      description: 'Mattresses',
      caseType: 'complaint',
      priority: 'high',
      channel: 'web',
      lgsl: 'lgsl:524',
      contact: { person: { title: 'Ms', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.org', phone: '07700900123' } },
      location: { address, description: 'by the gate', wgs84: { lat: 52.2, lon: 0.13 } },
      externalRefs: [
        { system: 'crm', reference: 'A1' },
        { system: 'web', reference: 'B2' },
      ],
    } as unknown as CrmCase;
    const facts = crmCaseFacts(data);
    expect(facts).toMatchObject({
      subject: 'Fly-tipping',
      personName: 'Ms Ada Lovelace',
      email: 'ada@example.org',
      phone: '07700900123',
      uprn: '100090000001',
      latitude: 52.2,
      longitude: 0.13,
      location: 'Flat 2, 14 Mill Road, Cambridge, CB1 2AD; by the gate',
      externalRefs: 'crm:A1; web:B2',
    });
  });

  it('leaves a fact the case lacks undefined rather than an empty text', () => {
    const facts = crmCaseFacts({ subject: 'Pothole', externalRefs: [] } as unknown as CrmCase);
    expect(facts.personName).toBeUndefined();
    expect(facts.location).toBeUndefined();
    expect(facts.externalRefs).toBeUndefined();
  });
});

describe('mapSetting', () => {
  const validate = createAjv().compile(mapSetting({ keys: CANONICAL_CODE_KEYS, values: { type: 'integer' }, maxProperties: 2 }) as object);

  it('takes codes to values and refuses prototype names, bad keys, wrong values and too many entries', () => {
    expect(validate({ urgent: 1, normal: 2 })).toBe(true);
    expect(validate(JSON.parse('{"__proto__": 1}'))).toBe(false);
    expect(validate({ 'has space': 1 })).toBe(false);
    expect(validate({ urgent: 'one' })).toBe(false);
    expect(validate({ a: 1, b: 2, c: 3 })).toBe(false);
  });
});
