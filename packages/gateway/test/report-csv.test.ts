import { reportColumns, reportCsv } from '../src';

const FIELDS = ['_id', '_timestamp', 'end_at', 'period', 'service', 'channel', 'count', 'digital_takeup'];

describe('reportCsv', () => {
  it('quotes cells holding a comma, a quote or a line break (RFC 4180) and leaves null empty', () => {
    const csv = reportCsv(FIELDS, {
      data: [
        {
          _id: 'a',
          _timestamp: '2026-04-01T00:00:00Z',
          end_at: '2026-05-01T00:00:00Z',
          period: 'month',
          service: 'bins, "green"\nand brown',
          channel: 'digital',
          count: 3,
          digital_takeup: null,
        },
      ],
    });
    expect(csv).toBe(
      [
        '_id,_timestamp,end_at,period,service,channel,count,digital_takeup',
        'a,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,month,"bins, ""green""\nand brown",digital,3,',
        '',
      ].join('\r\n'),
    );
  });

  it("keeps the data-set's column order, leaves out fields no record has and keeps any it does not list", () => {
    const answer = { data: [{ count: 1, period: 'week', _id: 'x', _timestamp: 't', end_at: 'e', channel: 'api', rating_1: 2 }] };
    expect(reportColumns(FIELDS, answer)).toEqual(['_id', '_timestamp', 'end_at', 'period', 'channel', 'count', 'rating_1']);
    expect(reportCsv(FIELDS, { data: [] })).toBe(`${FIELDS.join(',')}\r\n`);
  });
});
