import { assertValid, completeEnvelope, createTransaction, type Envelope } from '@lgx/core';
import { readFixtures } from './helpers';

const pothole = readFixtures('street.report', 1, 'valid').find((f) => f.file === 'pothole-with-coordinates.json')!.data;

describe('completeEnvelope', () => {
  it('completes the short form {type, data} into a valid envelope for the council, channel and key given', () => {
    const completed = completeEnvelope(
      { type: 'street.report', data: pothole },
      { council: 'E07000223', channel: 'open311', idempotencyKey: 'form-7' },
    ) as Envelope;
    expect(assertValid(completed)).toBe(completed);
    expect(completed).toMatchObject({
      specversion: '1.0',
      type: 'street.report',
      source: '/councils/E07000223/channels/open311',
      dataschema: 'https://schemas.lgx.dev/street.report/v1.json',
      council: 'E07000223',
      channel: 'open311',
      idempotencykey: 'form-7',
      lgil: 17,
      data: pothole,
    });
    expect(completed.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets the body win: its own attributes stay, and a channel it names moves the source with it', () => {
    const completed = completeEnvelope(
      { type: 'street.report', data: pothole, channel: 'phone', lgsl: 557, idempotencykey: 'own-key' },
      { council: 'E07000223', channel: 'web', idempotencyKey: 'header-key' },
    ) as Envelope;
    expect(completed).toMatchObject({
      channel: 'phone',
      source: '/councils/E07000223/channels/phone',
      lgsl: 557,
      idempotencykey: 'own-key',
    });
  });

  it('defaults the channel to api and the idempotency key to the new id', () => {
    const completed = completeEnvelope({ type: 'street.report', data: pothole }, { council: 'E07000223' }) as Envelope;
    expect(completed).toMatchObject({ channel: 'api', source: '/councils/E07000223/channels/api', idempotencykey: completed.id });
  });

  it('returns a full envelope, a non-object and a body of an unknown type as they are, for validation to name', () => {
    const full = createTransaction('street.report', pothole as never, { council: 'E08000025', channel: 'web' });
    expect(completeEnvelope(full, { council: 'E07000223' })).toBe(full);
    for (const value of [null, 'text', 42, [1, 2], { type: 'no.suchType', data: {} }, { data: {} }]) {
      expect(completeEnvelope(value, { council: 'E07000223' })).toBe(value);
    }
  });
});
