import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLgxError, LgxError } from '@lgx/core';
import { parseReportQuery, REPORT_DATASETS, reportFields, type ReportAnswer, type ReportDataset, type ReportQuery } from '@lgx/runtime';
import { authenticate, sendProblem, type GatewayContext } from '../http/request-context';
import { problem, type Problem } from '../http/problem';
import { reportCsv } from '../reports/report-csv';

/**
 * Longest query string taken, in characters: a year of days grouped and filtered fits many times
 * over; anything longer is refused before it is parsed into a query.
 */
export const MAX_REPORT_QUERY_CHARS = 4096;

const QUERY_PARAMETERS = new Set(['period', 'start_at', 'end_at', 'group_by', 'collect', 'filter_by']);

/** A bad query parameter as a problem naming it and the rule it breaks. */
function parameterProblem(field: string, rule: string, message: string, instance: string): Problem {
  return problem(400, 'LGX_ERR_REPORT_QUERY', message, {
    instance,
    errors: [{ path: `/${field}`, rule, message }],
    errorCount: 1,
    truncated: false,
  });
}

/** The runtime's query error as that problem: details say which parameter and which rule. */
function queryErrorProblem(error: LgxError, instance: string): Problem {
  const field = typeof error.details?.field === 'string' ? error.details.field : 'query';
  const rule = typeof error.details?.rule === 'string' ? error.details.rule : 'invalid';
  // The detail names the parameter even where the runtime's message leaves it to `details`.
  return parameterProblem(field, rule, error.message.includes(field) ? error.message : `${field}: ${error.message}`, instance);
}

/** The part of a date a file name takes: `2026-04-01` of `2026-04-01T00:00:00Z`. */
const day = (iso: string): string => iso.slice(0, 10).replace(/[^0-9-]/g, '');

function csvFileName(dataset: ReportDataset, query: ReportQuery): string {
  return `${dataset}-${query.period}-${day(query.start_at)}-${day(query.end_at)}.csv`;
}

/** The query string as sent, for its length: `request.query` is already parsed. */
function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at === -1 ? '' : request.url.slice(at + 1);
}

export function reportRoutes(app: FastifyInstance, context: GatewayContext): void {
  // Counted as the error handler counts every other refusal.
  const refuse = (reply: FastifyReply, body: Problem) => {
    context.metrics.rejected.inc({ status: String(body.status) });
    return sendProblem(reply, body);
  };

  // The GDS data-sets of the key's council, in Backdrop's read shape ({"data": [...]}) or as CSV.
  app.get('/v1/reports/:dataset', async (request, reply) => {
    const { stack } = await authenticate(context, request, 'read');
    const { dataset } = request.params as { dataset: string };
    if (!REPORT_DATASETS.includes(dataset as ReportDataset)) {
      throw new LgxError(
        'LGX_ERR_GATEWAY_NOT_FOUND',
        `no data-set '${dataset.slice(0, 100)}' here (there are ${REPORT_DATASETS.join(', ')})`,
      );
    }
    const instance = request.routeOptions.url ?? '/v1/reports/:dataset';
    const length = rawQuery(request).length;
    if (length > MAX_REPORT_QUERY_CHARS) {
      return refuse(
        reply,
        parameterProblem(
          'query',
          'maxLength',
          `the query string is ${length} characters long; at most ${MAX_REPORT_QUERY_CHARS} are taken`,
          instance,
        ),
      );
    }
    const { format = 'json', flatten, ...input } = request.query as Record<string, unknown>;
    if (format !== 'json' && format !== 'csv')
      return refuse(reply, parameterProblem('format', 'enum', "format must be 'json' or 'csv'", instance));
    // Answers are always flat (one record per group and period), which is what Backdrop's flatten=true asks for.
    if (flatten !== undefined && flatten !== 'true')
      return refuse(reply, parameterProblem('flatten', 'const', "flatten can only be 'true': every answer is flat", instance));
    const unknown = Object.keys(input).find((name) => !QUERY_PARAMETERS.has(name));
    if (unknown !== undefined) {
      return refuse(
        reply,
        parameterProblem(
          unknown.slice(0, 50),
          'unknown',
          `'${unknown.slice(0, 50)}' is not a report parameter (${[...QUERY_PARAMETERS, 'format'].join(', ')})`,
          instance,
        ),
      );
    }
    let query: ReportQuery;
    let answer: ReportAnswer;
    try {
      query = parseReportQuery(input);
      // The data-set's own fields are checked here (parseReportQuery knows those of every data-set).
      answer = await stack.report(dataset as ReportDataset, query);
    } catch (error) {
      if (isLgxError(error) && error.code === 'LGX_ERR_REPORT_QUERY') return refuse(reply, queryErrorProblem(error, instance));
      throw error;
    }
    if (format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${csvFileName(dataset as ReportDataset, query)}"`)
        .send(reportCsv(reportFields(dataset as ReportDataset), answer));
    }
    return answer;
  });
}
