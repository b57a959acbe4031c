import { fail, personalDataToFind, publicText } from './check-helpers';
import type { ConformanceCheck, ConformanceSession } from './conformance-types';

/** A run of this many characters from a secret counts as printing part of it (a key's leading part, say). */
const FRAGMENT = 8;

/**
 * The parts of each secret to look for: the whole secret, and every run of FRAGMENT characters of it,
 * except runs that are public anyway (found in the manifest or the config's other values, as a key
 * that embeds the product's name would be).
 */
export function secretFragments(session: Pick<ConformanceSession, 'secrets' | 'definition' | 'config'>): string[] {
  const known = publicText(session);
  const out = new Set<string>();
  for (const secret of session.secrets) {
    if (secret.length < 4) continue;
    out.add(secret);
    for (let i = 0; i + FRAGMENT <= secret.length; i++) {
      const run = secret.slice(i, i + FRAGMENT);
      if (!known.includes(run)) out.add(run);
    }
  }
  return [...out];
}

/** Runs last: looks through everything logged and printed during the suite. */
export function loggingCheck(): ConformanceCheck {
  return {
    id: 'no-secrets-or-personal-data-logged',
    title: 'nothing logged or printed contains a config secret, any part of one, or a personal-data value',
    run: async (session) => {
      const text = [...session.logs.map((e) => JSON.stringify(e)), ...session.console].join('\n');
      for (const fragment of secretFragments(session)) {
        if (text.includes(fragment)) {
          const whole = session.secrets.includes(fragment);
          fail(
            'no-secrets-or-personal-data-logged',
            'logs',
            whole
              ? 'a config secret appears in what the adapter logged or printed'
              : `${FRAGMENT} characters in a row of a config secret appear in what the adapter logged or printed (no part of a secret may be shown)`,
          );
        }
      }
      for (const value of personalDataToFind(session)) {
        if (text.includes(value))
          fail(
            'no-secrets-or-personal-data-logged',
            'logs',
            'a personal-data value from a submitted transaction appears in what the adapter logged or printed (redact before logging)',
          );
      }
    },
  };
}
