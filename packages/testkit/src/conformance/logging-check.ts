import { fail } from './check-helpers';
import type { ConformanceCheck } from './conformance-types';

/** Runs last: looks through everything logged and printed during the suite. */
export function loggingCheck(): ConformanceCheck {
  return {
    id: 'no-secrets-or-personal-data-logged',
    title: 'nothing logged or printed contains a config secret or a personal-data value',
    run: async (session) => {
      const text = [...session.logs.map((e) => JSON.stringify(e)), ...session.console].join('\n');
      for (const secret of session.secrets) {
        if (secret.length >= 4 && text.includes(secret)) fail('no-secrets-or-personal-data-logged', 'logs', 'a config secret appears in what the adapter logged or printed');
      }
      for (const value of session.personalData) {
        if (text.includes(value)) fail('no-secrets-or-personal-data-logged', 'logs', 'a personal-data value from a submitted transaction appears in what the adapter logged or printed (redact before logging)');
      }
    },
  };
}
