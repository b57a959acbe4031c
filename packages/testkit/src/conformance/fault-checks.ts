import { classifyError, type ErrorClassification } from '@lgx/core';
import { expectClassified, fail, settleWithin } from './check-helpers';
import { representativeCall } from './operation-under-test';
import type { CheckId, ConformanceCheck, ConformanceSession } from './conformance-types';
import type { Fault } from '../simulators/simulator-server';

async function underFault(session: ConformanceSession, check: CheckId, fault: Fault, signal: AbortSignal = AbortSignal.timeout(15_000)) {
  const op = representativeCall(session);
  if (!op) fail(check, 'setup', 'the adapter declares no submit or query operation with a valid fixture to exercise');
  session.simulator.faults.clear();
  session.simulator.faults.failNext(20, fault);
  const before = session.simulator.requests.length;
  try {
    const error = await op.call(signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, label: op.label, requests: session.simulator.requests.length - before };
  } finally {
    session.simulator.faults.clear();
  }
}

function classifies(
  id: CheckId,
  title: string,
  fault: Fault,
  expected: ErrorClassification,
  extra?: (error: unknown, label: string) => void,
): ConformanceCheck {
  return {
    id,
    title,
    run: async (session) => {
      const { error, label } = await underFault(session, id, fault);
      expectClassified(id, label, error, expected);
      extra?.(error, label);
    },
  };
}

export function faultChecks(options: { timeoutMs?: number }): ConformanceCheck[] {
  const deadline = options.timeoutMs ?? 300;
  return [
    classifies(
      'classifies-500',
      'a 500 from the vendor is classified retryable',
      { status: 500, body: { error: 'internal error' } },
      'retryable',
    ),
    {
      id: 'retries-left-to-runtime',
      title: 'the adapter makes one attempt and leaves retries to the runtime',
      run: async (session) => {
        const { requests, label } = await underFault(session, 'retries-left-to-runtime', { status: 503 });
        if (requests !== 1)
          fail(
            'retries-left-to-runtime',
            label,
            `sent ${requests} requests for one attempt against a failing vendor: the adapter must not retry on its own`,
          );
      },
    },
    classifies(
      'classifies-429',
      'a 429 with Retry-After is classified rateLimited and carries the delay',
      { status: 429, headers: { 'retry-after': '120' } },
      'rateLimited',
      (error, label) => {
        const after = (error as { retryAfterMs?: number }).retryAfterMs;
        if (after !== 120_000) fail('classifies-429', label, `retryAfterMs is ${String(after)}, expected 120000 from "Retry-After: 120"`);
      },
    ),
    classifies(
      'classifies-400',
      'a 400 from the vendor is classified permanent',
      { status: 400, body: { error: 'bad request' } },
      'permanent',
    ),
    classifies('classifies-401', 'a 401 from the vendor is classified auth', { status: 401, body: { error: 'unauthorised' } }, 'auth'),
    {
      id: 'honours-timeout',
      title: `an operation whose vendor never answers ends when its signal times out (${deadline} ms), as retryable`,
      run: async (session) => {
        const op = representativeCall(session);
        if (!op) fail('honours-timeout', 'setup', 'no operation to exercise');
        session.simulator.faults.failNext(20, { timeout: true });
        try {
          const { error } = await settleWithin('honours-timeout', op.label, op.call(AbortSignal.timeout(deadline)), deadline + 5000);
          expectClassified('honours-timeout', op.label, error, 'retryable');
        } finally {
          session.simulator.faults.clear();
        }
      },
    },
    {
      id: 'honours-abort',
      title: 'an operation in flight stops when its signal is aborted',
      run: async (session) => {
        const op = representativeCall(session);
        if (!op) fail('honours-abort', 'setup', 'no operation to exercise');
        await stopsWhenAborted('honours-abort', session, op.label, op.call);
      },
    },
  ];
}

/**
 * Starts `call` against a vendor that never answers, aborts its signal once the request has reached
 * the vendor, and fails `check` unless the call then ends promptly with a retryable error.
 */
export async function stopsWhenAborted(
  check: CheckId,
  session: ConformanceSession,
  label: string,
  call: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  session.simulator.faults.failNext(20, { timeout: true });
  const controller = new AbortController();
  const before = session.simulator.requests.length;
  const pending = call(controller.signal);
  // Abort once the request has reached the vendor.
  for (let i = 0; i < 200 && session.simulator.requests.length === before; i++) await new Promise((r) => setTimeout(r, 10));
  controller.abort();
  try {
    const { error } = await settleWithin(check, label, pending, 5000);
    if (error === undefined) fail(check, label, 'resolved although aborted');
    if (classifyError(error) !== 'retryable')
      fail(check, label, `aborted operation classified ${classifyError(error)}, expected retryable`);
  } finally {
    session.simulator.faults.clear();
  }
}
