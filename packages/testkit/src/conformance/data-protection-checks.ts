import { redact, schemaRegistry, type Capability } from '@lgx/core';
import { capabilitiesWith, fail, personalDataToFind, personalValueIn } from './check-helpers';
import { representativeCall, richestFixture } from './operation-under-test';
import type { ConformanceCheck, ConformanceSession } from './conformance-types';
import type { Fault } from '../simulators/simulator-server';

/** The JSON path of the first text in `value` that contains a personal-data value (never the value). */
function pathWith(value: unknown, personal: readonly string[], path = ''): string | undefined {
  if (typeof value === 'string' || typeof value === 'number')
    return personalValueIn(String(value), personal) !== undefined ? path || '/' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = pathWith(child, personal, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The parts of an error the runtime stores and shows: its message, its details and its causes' messages. */
function errorParts(error: unknown): Array<{ part: string; text: string }> {
  const parts: Array<{ part: string; text: string }> = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const prefix = depth === 0 ? '' : `cause${depth > 1 ? ` ${depth}` : ''} `;
    const e = current as { message?: unknown; details?: unknown; vendorCode?: unknown; cause?: unknown };
    parts.push({ part: `${prefix}message`, text: typeof e.message === 'string' ? e.message : String(current) });
    if (e.details !== undefined) parts.push({ part: `${prefix}details`, text: JSON.stringify(e.details) });
    if (typeof e.vendorCode === 'string') parts.push({ part: `${prefix}vendorCode`, text: e.vendorCode });
    current = e.cause;
  }
  return parts;
}

/**
 * Submits, for each capability, the valid fixture with the most personal data, once as the vendor
 * accepts it and, with `faults`, once under each fault. Errors are expected under faults; the watched
 * instance keeps them, and the receipts, for the checks to read.
 */
async function submitRichest(
  session: ConformanceSession,
  caps: readonly Capability[],
  check: ConformanceCheck['id'],
  faults: Fault[] = [],
): Promise<void> {
  for (const cap of caps) {
    const version = Math.max(...cap.versions);
    const fixture = richestFixture(session, cap.type, version);
    if (!fixture) fail(check, cap.type, 'no valid fixture to submit');
    const send = () =>
      session.instance.submit!(session.envelope(cap.type, structuredClone(fixture.data), { version }), {
        signal: AbortSignal.timeout(10_000),
      });
    if (faults.length === 0) await send();
    for (const fault of faults) {
      session.simulator.faults.failNext(20, fault);
      try {
        await send().catch(() => undefined);
      } finally {
        session.simulator.faults.clear();
      }
    }
  }
}

const ERROR_FAULTS: Fault[] = [
  { status: 400, body: { error: 'bad request' } },
  { status: 422, body: { error: 'unprocessable' } },
  { status: 500, body: { error: 'internal error' } },
];

/**
 * What an adapter hands back must not carry the citizen's personal data where the runtime shows it to
 * staff and read keys (error messages, receipts), and it must leave the transaction as it was given.
 * Each check also looks at every call the other checks made before it.
 */
export function dataProtectionChecks(capabilities: readonly Capability[]): ConformanceCheck[] {
  const submit = capabilitiesWith(capabilities, 'submit');
  const checks: ConformanceCheck[] = [];
  if (submit.length) {
    checks.push({
      id: 'input-not-mutated',
      title: 'submit leaves the transaction it was given unchanged',
      run: async (session) => {
        await submitRichest(session, submit, 'input-not-mutated');
        const changed = session.mutations[0];
        if (changed)
          fail(
            'input-not-mutated',
            changed.label,
            `changed the transaction in place at ${changed.path}: copy before transforming (the runtime retries with the same envelope)`,
          );
      },
    });
    checks.push({
      id: 'no-personal-data-in-receipt',
      title: "no receipt carries the transaction's personal data outside a field marked x-lgx-pii",
      run: async (session) => {
        await submitRichest(session, submit, 'no-personal-data-in-receipt');
        const schema = schemaRegistry().getById('https://schemas.lgx.dev/receipt/v1.json')!.schema;
        for (const { label, receipt, personalData } of session.receiptLog) {
          // Marked fields (nextUrl) are masked wherever receipts are shown; everything else is shown to any read key.
          const path = pathWith(redact(receipt, schema, { marks: ['x-lgx-pii'] }), personalDataToFind(session, personalData));
          if (path !== undefined)
            fail(
              'no-personal-data-in-receipt',
              label,
              `the receipt's ${path} holds a personal-data value from the transaction: receipts are shown to any read key`,
            );
        }
      },
    });
  }
  checks.push({
    id: 'no-personal-data-in-errors',
    title: "no error thrown carries the transaction's personal data in its message, details or cause",
    run: async (session) => {
      if (submit.length) await submitRichest(session, submit, 'no-personal-data-in-errors', ERROR_FAULTS);
      else {
        const op = representativeCall(session);
        for (const fault of op ? ERROR_FAULTS : []) {
          session.simulator.faults.failNext(20, fault);
          try {
            await op!.call(AbortSignal.timeout(10_000)).catch(() => undefined);
          } finally {
            session.simulator.faults.clear();
          }
        }
      }
      const personal = personalDataToFind(session);
      for (const { operation, error } of session.errors) {
        for (const { part, text } of errorParts(error)) {
          if (personalValueIn(text, personal) !== undefined) {
            fail(
              'no-personal-data-in-errors',
              operation,
              `an error's ${part} holds a personal-data value from a transaction: the runtime stores error messages and shows them to staff (name the field, not its value)`,
            );
          }
        }
      }
    },
  });
  return checks;
}
