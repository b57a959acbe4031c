import { createLogger, type LogEntry, type Logger, type LogLevel } from '@lgx/core';

/** A logger that keeps every entry in memory, unscrubbed, so a test can see exactly what was logged. */
export function createMemoryLogger(level: LogLevel = 'debug'): { logger: Logger; entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  const logger = createLogger({ level, sink: (entry) => entries.push(entry) });
  return { logger, entries, text: () => entries.map((e) => JSON.stringify(e)).join('\n') };
}
