import { httpStatusOf, isLgxError, LgxValidationError, MAX_ISSUES, type LgxErrorCode, type ValidationIssue } from '@lgx/core';

/** An RFC 9457 problem details object as the gateway sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** The LGX error code, when there is one. */
  code?: string;
  /** The field errors of a validation problem: the first 100 at most. */
  errors?: ValidationIssue[];
  /** How many field errors there were in all (with `errors`). */
  errorCount?: number;
  /** True when `errors` lists fewer than `errorCount`. */
  truncated?: boolean;
}

/** Where each problem's `type` URI points: the error's section in the published error reference. */
export const PROBLEM_BASE = 'https://lgx.dev/docs/errors#';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problem(status: number, code: string | undefined, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: code ? `${PROBLEM_BASE}${code.toLowerCase()}` : 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(code ? { code } : {}),
    ...extra,
  };
}

/** The problem for an LGX error code the gateway raises itself, with the code's status from the error table. */
export function codedProblem(code: LgxErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  return problem(httpStatusOf(code), code, detail, extra);
}

/** A validation error's issues as problem members: a bounded list and the full count. */
function fieldErrors(error: LgxValidationError): Pick<Problem, 'errors' | 'errorCount' | 'truncated'> {
  const errors = error.issues.slice(0, MAX_ISSUES);
  const errorCount = Math.max(error.issueCount, errors.length);
  return { errors, errorCount, truncated: errorCount > errors.length };
}

/**
 * The problem for an error thrown while handling a request. Messages of LGX errors never carry
 * payload values (validation messages name the field and rule only), so they are safe to return;
 * anything else becomes a 500 without its message.
 */
export function problemFromError(error: unknown): Problem {
  if (isLgxError(error)) {
    const status = httpStatusOf(error.code);
    if (status === 500) return problem(500, undefined, 'The gateway failed to handle the request; the error is in its log.');
    return problem(status, error.code, error.message, error instanceof LgxValidationError ? fieldErrors(error) : {});
  }
  return problem(500, undefined, 'The gateway failed to handle the request; the error is in its log.');
}
