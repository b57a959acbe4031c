import { isLgxError } from '@lgx/core';
import { reportCsv } from '@lgx/gateway';
import { parseReportQuery, REPORT_DATASETS, reportFields, type ReportDataset, type ReportQuery } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK, openStackReader } from '../context';
import { EXIT, json, UsageError, type Io } from '../output';
import { int, listOptions, need, parse, str, textOptions } from '../args';
import { publishRecords, publishTarget, shownTarget } from '../report/publish-records';
import { reportTable } from '../report/report-table';

export const reportHelp = `lgx report <dataset> --from <date> --to <date> [--period month] [--group-by <field>]...
           [--filter <field>:<value>]... [--collect <measure>]... [--csv | --json]
lgx report <dataset> ... --publish <url> --token-env <NAME> [--batch-size 500]
lgx report rebuild [--actor <id>]
  common: [--stack <file>] [--data <dir>] [--database <postgres-url>]

The stack's council's transactions in GDS's Performance Platform data-sets, from the rollups (which
outlive payload retention): ${REPORT_DATASETS.join(', ')}.
--period day, week, month (default), quarter, year (rolling 12 months to each quarter's end) or
financial_year; --from is the first day counted (aligned down to its period's start), --to the first
day not counted. A table by default; --csv
writes CSV, --json Backdrop's {"data": [...]}. --publish POSTs the records to a Backdrop-compatible
write endpoint (POST /data/<group>/<type>, given in full), with the bearer token read from the
environment variable --token-env names (never give a token on the command line). 'rebuild'
recomputes the rollups of the store from its transactions, audited with --actor (default "cli").
No adapter is loaded and no secret is needed.`;

/** The command line option a query field comes from, to name it in an error. */
const OPTION_OF: Record<string, string> = {
  period: '--period',
  start_at: '--from',
  end_at: '--to',
  group_by: '--group-by',
  filter_by: '--filter',
  collect: '--collect',
};

/** The runtime's query, from the options; a bad one is a usage error naming the option. */
function queryOf(values: Record<string, unknown>): ReportQuery {
  const from = values.from;
  const to = values.to;
  if (typeof from !== 'string' || typeof to !== 'string')
    throw new UsageError('report needs --from <date> and --to <date> (e.g. --from 2026-04-01 --to 2027-04-01)');
  const input = {
    period: values.period ?? 'month',
    start_at: from,
    end_at: to,
    group_by: values['group-by'],
    filter_by: values.filter,
    collect: values.collect,
  };
  try {
    return parseReportQuery(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  } catch (error) {
    if (!isLgxError(error) || error.code !== 'LGX_ERR_REPORT_QUERY') throw error;
    // The runtime speaks of query fields (start_at, group_by); here they are the options people typed.
    const field = typeof error.details?.field === 'string' ? error.details.field : '';
    const message = error.message
      .replace(/\b(start_at|end_at|group_by|filter_by|collect)\b/g, (name) => OPTION_OF[name]!)
      .replace(/^period\b/, '--period');
    throw new UsageError(message.startsWith('--') ? message : `${OPTION_OF[field] ?? 'the query'}: ${message}`);
  }
}

/** The bearer token, from the environment variable named: it never appears on the command line. */
function tokenFrom(name: string | undefined): string {
  if (!name) throw new UsageError('--publish needs --token-env <NAME>: the environment variable that holds the bearer token');
  const token = process.env[name];
  if (!token) throw new UsageError(`--token-env ${name}: the environment variable is not set, or empty`);
  return token;
}

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...textOptions('stack', 'data', 'database', 'period', 'from', 'to', 'publish', 'token-env', 'batch-size', 'actor'),
    ...listOptions('group-by', 'filter', 'collect'),
    csv: { type: 'boolean', default: false },
  });
  if (values.help) return (io.out(reportHelp), EXIT.ok);
  const name = need(positionals, 0, `data-set (${REPORT_DATASETS.join(', ')}) or 'rebuild'`);
  if (name !== 'rebuild' && !REPORT_DATASETS.includes(name as ReportDataset))
    throw new UsageError(`unknown data-set '${name}' (${REPORT_DATASETS.join(', ')}, or 'rebuild')`);
  if (values.csv && values.json) throw new UsageError('choose one of --csv and --json');
  // Checked before the store is opened: a mistake here costs nothing.
  const query = name === 'rebuild' ? undefined : queryOf(values);
  const publish = str(values, 'publish');
  const token = publish === undefined ? undefined : tokenFrom(str(values, 'token-env'));
  const target = publish === undefined ? undefined : publishTarget(publish);
  const batchSize = int(values, 'batch-size', 500, 1, 5000);

  const { outline, reader } = await openStackReader(
    str(values, 'stack', DEFAULT_STACK),
    str(values, 'data', DEFAULT_DATA),
    str(values, 'database'),
    io,
  );
  try {
    if (!query) {
      const rebuilt = await reader.rebuildRollups({ actor: str(values, 'actor', 'cli') });
      io.out(values.json ? json(rebuilt) : `rebuilt the rollups from ${rebuilt.transactions} stored transaction(s)`);
      return EXIT.ok;
    }
    const dataset = name as ReportDataset;
    const answer = await reader.report(dataset, query);
    if (target && token) {
      const published = await publishRecords({
        url: target.href,
        token,
        records: answer.data,
        batchSize,
        onRetry: (retry) => io.err(`batch ${retry.batch}: ${retry.reason}; trying again in ${(retry.delayMs / 1000).toFixed(1)} s`),
      });
      io.out(
        values.json
          ? json({ url: shownTarget(target), ...published })
          : `published ${published.records} record(s) of ${dataset} to ${shownTarget(target)} in ${published.requests} request(s)`,
      );
      return EXIT.ok;
    }
    if (values.json) io.out(json(answer));
    // io.out ends the text with LF: the CSV's own CRLF stays whole by ending its last line with CR.
    else if (values.csv) io.out(reportCsv(reportFields(dataset), answer).slice(0, -1));
    else {
      io.out(reportTable(reportFields(dataset), answer));
      io.out(
        `\n${answer.data.length} record(s): ${dataset} by ${query.period} of council ${outline.council}, from ${query.start_at} up to ${query.end_at}`,
      );
    }
    return EXIT.ok;
  } finally {
    await reader.close();
  }
}
