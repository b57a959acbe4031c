import * as runtime from '@lgx/runtime';
import type { RunningStack } from '@lgx/runtime';

/*
 * The reporting side of @lgx/runtime's read model, as the gateway and CLI use it: data-sets in GDS's
 * Performance Platform shape, answered from the rollups. Declared here until the runtime exports it;
 * then this file re-exports the runtime's own names.
 */

export type ReportDataset = 'transactions-by-channel' | 'service-kpis';
export type ReportPeriod = 'day' | 'week' | 'month' | 'quarter' | 'financial_year';
export interface ReportQuery {
  period: ReportPeriod;
  start_at: string;
  end_at: string;
  group_by?: string[];
  filter_by?: Array<[field: string, value: string]>;
  collect?: string[];
}
export type ReportValue = string | number | null;
export interface ReportAnswer {
  data: Array<Record<string, ReportValue>>;
}
/** What reads reports: a running stack or a read model. */
export interface ReportReader {
  report(dataset: ReportDataset, query: ReportQuery): Promise<ReportAnswer>;
  rebuildRollups(): Promise<{ transactions: number }>;
}

interface ReportFunctions {
  REPORT_DATASETS: readonly ReportDataset[];
  reportFields(dataset: ReportDataset): readonly string[];
  parseReportQuery(input: Record<string, unknown>): ReportQuery;
}

const functions = runtime as unknown as ReportFunctions;

/** None while the runtime has no reporting: every data-set is then "not found". */
export const REPORT_DATASETS: readonly ReportDataset[] = functions.REPORT_DATASETS ?? [];
export const reportFields = (dataset: ReportDataset): readonly string[] => functions.reportFields(dataset);
export const parseReportQuery = (input: Record<string, unknown>): ReportQuery => functions.parseReportQuery(input);
export const reportsOf = (stack: RunningStack | object): ReportReader => stack as unknown as ReportReader;
