import { ERROR_CODES, LgxError, errorCodes } from '@lgx/core';
import { codedProblem, problemFromError } from '../src/http/problem';

describe('problems from the error table', () => {
  it('answers an error with the HTTP status its code has in the table, and hides the codes that map to 500', () => {
    for (const code of ERROR_CODES) {
      const status = errorCodes[code].httpStatus;
      const answer = problemFromError(new LgxError(code, 'what went wrong'));
      if (status === 500)
        expect([code, answer]).toEqual([
          code,
          {
            type: 'about:blank',
            title: 'Internal Server Error',
            status: 500,
            detail: 'The gateway failed to handle the request; the error is in its log.',
          },
        ]);
      else
        expect([code, answer]).toEqual([
          code,
          expect.objectContaining({ status, code, detail: 'what went wrong', type: `https://lgx.dev/docs/errors#${code.toLowerCase()}` }),
        ]);
    }
  });

  it('gives problems the gateway raises itself the same status', () => {
    expect(codedProblem('LGX_ERR_GATEWAY_STOPPING', 'stopping')).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      code: 'LGX_ERR_GATEWAY_STOPPING',
    });
    expect(codedProblem('LGX_ERR_VALIDATION_TOO_LARGE', 'too large')).toMatchObject({ status: 413, title: 'Content Too Large' });
  });
});
