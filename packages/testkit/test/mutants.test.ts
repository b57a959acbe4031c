import { describeAdapterConformance } from '../src/conformance/describe-conformance';
import { runConformance } from '../src/conformance/plan-conformance';
import type { CheckId } from '../src/conformance/conformance-types';
import { advance, REPORTS_API_KEY, reportsAdapter, startReportsApi, type Defects, type ReportsApi } from './mutants/reports-api';

const options = {
  simulator: startReportsApi,
  config: (sim: ReportsApi) => ({ baseUrl: sim.url, apiKey: REPORTS_API_KEY }),
  countRecords: (sim: ReportsApi) => sim.state.reports.size,
  changeStatus: (sim: ReportsApi, ref: string) => advance(sim, ref),
};

// The correct adapter, through the same one-call jest API vendors use.
describeAdapterConformance(reportsAdapter(), options);

describe('the suite catches broken adapters', () => {
  const mutants: Array<[keyof Defects, CheckId]> = [
    ['logsSecret', 'no-secrets-or-personal-data-logged'],
    ['retriesItself', 'retries-left-to-runtime'],
    ['serverErrorIsPermanent', 'classifies-500'],
    ['ignoresAbort', 'honours-abort'],
    ['dropsIdempotencyKey', 'idempotency'],
    ['sendsBeforeValidating', 'rejects-invalid'],
    ['invalidReceipt', 'submit'],
    ['printsKeyPrefix', 'no-secrets-or-personal-data-logged'],
    ['personalDataInError', 'no-personal-data-in-errors'],
    ['personalDataInReceipt', 'no-personal-data-in-receipt'],
    ['statusIgnoresAbort', 'get-status-honours-abort'],
    ['pollIgnoresAbort', 'poll-updates-honours-abort'],
    ['inventsStatusOn404', 'get-status-not-found'],
    ['mutatesInput', 'input-not-mutated'],
  ];

  it.each(mutants)(
    'a mutant that %s fails the %s check',
    async (defect, check) => {
      const results = await runConformance(reportsAdapter({ [defect]: true }), options);
      const failed = results.filter((r) => r.status === 'fail');
      expect(failed.map((r) => r.id)).toContain(check);
      const message = failed.find((r) => r.id === check)!.message!;
      expect(message).toMatch(new RegExp(`^\\[${check}\\]`));
      // The report never carries the secret it caught, nor any part of it.
      expect(JSON.stringify(results)).not.toContain(REPORTS_API_KEY.slice(0, 8));
    },
    60_000,
  );

  it('the correct adapter passes every check it runs', async () => {
    const results = await runConformance(reportsAdapter(), options);
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(15);
  }, 60_000);
});
