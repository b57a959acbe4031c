import { userInfo } from 'node:os';
import type { StackReader } from '@lgx/runtime';
import { str } from './args';

/** The options of a command that prints transactions: personal data is masked unless asked for. */
export const PERSONAL_DATA_OPTIONS = {
  'personal-data': { type: 'boolean' as const, default: false },
  actor: { type: 'string' as const },
};

export const PERSONAL_DATA_HELP = `Personal data (every field the schemas mark, and the transaction's personal values in error and
status texts) is masked unless --personal-data is given; each such read is recorded in the council's
audit chain as 'personal-data.read' with --actor (default cli:<operating-system user>; use a staff id,
never a name) and the transaction ids shown.`;

/** Whether the command shows personal data, and who the audit chain records as having seen it. */
export function personalDataRead(values: Record<string, string | boolean | undefined>): { show: boolean; actor: string } {
  return { show: values['personal-data'] === true, actor: str(values, 'actor') ?? `cli:${operatingSystemUser()}` };
}

function operatingSystemUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A user with no entry in the password database (some containers).
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Records the read before anything is printed: a read the chain cannot record is not shown. */
export async function recordCliRead(
  reader: Pick<StackReader, 'recordPersonalDataRead'>,
  read: { show: boolean; actor: string },
  council: string,
  transactionIds: readonly string[],
): Promise<void> {
  if (!read.show) return;
  await reader.recordPersonalDataRead({ council, actor: read.actor, via: 'cli', transactionIds });
}
