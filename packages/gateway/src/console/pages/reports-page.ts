import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LgxError } from '@lgx/core';
import { parseReportQuery, REPORT_DATASETS, REPORT_PERIODS, reportFields, type ReportDataset, type ReportQuery } from '@lgx/runtime';
import { queryParam } from '../console-http';
import type { ConsolePages } from '../console-pages';
import type { SignedIn } from '../console-guard';
import { barChart, MAX_BARS } from '../report-chart';
import { reportCsv } from '../report-csv';

/** The groupings offered, per data-set (service and channel, as the KPIs are read). */
const GROUPINGS: Record<ReportDataset, Record<string, string[]>> = {
  'transactions-by-channel': {
    channel: ['channel'],
    service: ['service'],
    'service,channel': ['service', 'channel'],
    channel_type: ['channel_type'],
  },
  'service-kpis': { service: ['service'], channel: ['channel'], 'service,channel': ['service', 'channel'], back_office: ['back_office'] },
};
const DEFAULT_MEASURE: Record<ReportDataset, string> = { 'transactions-by-channel': 'count', 'service-kpis': 'number_of_transactions' };
const DATASET_NAMES: Record<ReportDataset, string> = {
  'transactions-by-channel': 'Transactions by channel',
  'service-kpis': 'Service KPIs',
};

/** The first day of the month `back` months before today's (UTC), as YYYY-MM-DD. */
function monthStart(back: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
}

interface ReportForm {
  dataset: ReportDataset;
  period: string;
  start_at: string;
  end_at: string;
  group: string;
  measure: string;
}

function formOf(request: FastifyRequest, dataset: ReportDataset): ReportForm {
  const or = (name: string, fallback: string) => queryParam(request, name).trim().slice(0, 100) || fallback;
  return {
    dataset,
    period: or('period', 'month'),
    start_at: or('start_at', monthStart(5)),
    end_at: or('end_at', monthStart(-1)),
    group: or('group', 'channel'),
    measure: or('measure', DEFAULT_MEASURE[dataset]),
  };
}

/** The query a form asks for, or the field it gets wrong (named as the form names it). */
function queryOf(form: ReportForm): { query?: ReportQuery; error?: { field: string; text: string } } {
  const groupBy = GROUPINGS[form.dataset][form.group];
  if (!groupBy) return { error: { field: 'group', text: `Group by must be one of ${Object.keys(GROUPINGS[form.dataset]).join(', ')}` } };
  if (!reportFields(form.dataset).includes(form.measure) || !/^[a-z_]+$/.test(form.measure) || form.measure.startsWith('_')) {
    return { error: { field: 'measure', text: `Measure must be one of the data-set's measures` } };
  }
  try {
    return { query: parseReportQuery({ period: form.period, start_at: form.start_at, end_at: form.end_at, group_by: groupBy }) };
  } catch (error) {
    if (!(error instanceof LgxError) || error.code !== 'LGX_ERR_REPORT_QUERY') throw error;
    const field = String(error.details?.field ?? 'period');
    return { error: { field: ['period', 'start_at', 'end_at'].includes(field) ? field : 'period', text: error.message } };
  }
}

/** The council's transactions reports as charts, data tables and CSV, from the stack's rollups. */
export function reportsPage(app: FastifyInstance, pages: ConsolePages): void {
  async function show(request: FastifyRequest, reply: FastifyReply, user: SignedIn, dataset: ReportDataset) {
    const form = formOf(request, dataset);
    const { query, error } = queryOf(form);
    const csv = queryParam(request, 'format') === 'csv';
    if (error || !query) {
      if (csv)
        return reply
          .code(400)
          .type('text/plain; charset=utf-8')
          .send(`${error?.text ?? 'bad query'}\n`);
      return pages.send(
        reply,
        user,
        'reports.njk',
        { title: DATASET_NAMES[dataset], nav: 'reports', form, errors: [error], ...choices(dataset) },
        400,
      );
    }
    const answer = await user.stack.report(dataset, query);
    if (csv) {
      return reply
        .header('content-disposition', `attachment; filename="${dataset}-${form.period}-${form.start_at}-${form.end_at}.csv"`)
        .header('cache-control', 'no-store')
        .type('text/csv; charset=utf-8')
        .send(reportCsv(answer, reportFields(dataset)));
    }
    const groupBy = query.group_by ?? [];
    const chart = barChart(answer, form.measure, groupBy);
    const params = new URLSearchParams({
      period: form.period,
      start_at: form.start_at,
      end_at: form.end_at,
      group: form.group,
      measure: form.measure,
    });
    return pages.send(reply, user, 'reports.njk', {
      title: DATASET_NAMES[dataset],
      nav: 'reports',
      reports: true,
      form,
      chart,
      capped: answer.data.length > MAX_BARS,
      columns: ['_timestamp', ...groupBy, form.measure, ...(form.measure === DEFAULT_MEASURE[dataset] ? [] : [DEFAULT_MEASURE[dataset]])],
      records: answer.data,
      csvHref: `/console/reports/${dataset}?${params.toString()}&format=csv`,
      ...choices(dataset),
    });
  }

  function choices(dataset: ReportDataset) {
    const fields = reportFields(dataset);
    return {
      dataset,
      datasets: REPORT_DATASETS.map((d) => ({ value: d, text: DATASET_NAMES[d] })),
      periods: REPORT_PERIODS,
      groupings: Object.keys(GROUPINGS[dataset]),
      measures: fields.slice(fields.indexOf(DEFAULT_MEASURE[dataset])),
    };
  }

  app.get('/reports', async (request, reply) => reply.redirect('/console/reports/service-kpis', 303));

  app.get<{ Params: { dataset: string } }>('/reports/:dataset', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const dataset = REPORT_DATASETS.find((d) => d === request.params.dataset);
    if (!dataset) return pages.send(reply, user, 'not-found.njk', { title: 'Page not found', what: 'report' }, 404);
    return show(request, reply, user, dataset);
  });
}
