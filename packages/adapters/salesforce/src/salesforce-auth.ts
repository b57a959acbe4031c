import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { AuthError, LgxError } from '@lgx/core';
import { oauth2Token, type AuthStrategy } from '@lgx/core/http';
import type { SalesforceConfig } from './config';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A JWT bearer assertion for Salesforce (help.salesforce.com "OAuth 2.0 JWT Bearer Flow for
 * Server-to-Server Integration"): `{"alg":"RS256"}`, claims `iss` (consumer key), `sub` (username),
 * `aud` (login URL) and `exp` three minutes ahead, signed RS256 with the certificate's private key.
 */
export function jwtAssertion(claims: { iss: string; sub: string; aud: string }, key: KeyObject, nowMs: number): string {
  const head = b64url(JSON.stringify({ alg: 'RS256' }));
  const body = b64url(JSON.stringify({ ...claims, exp: Math.floor(nowMs / 1000) + 180 }));
  return `${head}.${body}.${b64url(sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key))}`;
}

/**
 * The org's session: an OAuth 2.0 token from the configured flow, cached and refreshed once on a 401
 * (INVALID_SESSION_ID), and the `instance_url` each token answer names, where every API call goes.
 */
export class SalesforceSession {
  readonly auth: AuthStrategy;
  private instance: string | undefined;

  constructor(config: SalesforceConfig, now: () => number) {
    const login = new URL(config.loginUrl).origin;
    let key: KeyObject | undefined;
    if (config.flow === 'jwt-bearer') {
      try {
        key = createPrivateKey(config.privateKey!);
      } catch {
        // The key's text never goes into the message.
        throw new LgxError('LGX_ERR_ADAPTER_CONFIG_INVALID', 'salesforce adapter config /privateKey is not a PEM private key', {
          details: { field: '/privateKey', rule: 'format' },
        });
      }
    }
    const secret = config.flow === 'jwt-bearer' ? config.privateKey! : config.clientSecret!;
    this.auth = oauth2Token({
      kind: 'salesforce-oauth2',
      tokenUrl: `${login}/services/oauth2/token`,
      now,
      secrets: () => [secret],
      request: () =>
        config.flow === 'jwt-bearer'
          ? {
              form: {
                grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
                assertion: jwtAssertion(
                  { iss: config.clientId, sub: config.username!, aud: new URL(config.audience ?? config.loginUrl).origin },
                  key!,
                  now(),
                ),
              },
            }
          : { form: { grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret! } },
      onToken: (body) => {
        this.instance = instanceOrigin(body.instance_url, login);
      },
    });
  }

  /** The org's instance URL, fetching a token first when there is none yet. */
  async instanceUrl(signal: AbortSignal): Promise<string> {
    await this.auth.apply({ headers: {}, query: {} }, signal);
    return this.instance!;
  }
}

/**
 * The instance URL a token answer names, as an origin. The token endpoint is trusted, but an answer
 * without one, or with one that would send the token over plain HTTP when the login host is HTTPS,
 * is refused.
 */
function instanceOrigin(value: unknown, login: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new AuthError(`the token answer from ${login} has no usable instance_url`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && login.startsWith('http:')))
    throw new AuthError(`the token answer from ${login} names an instance_url that is not https`);
  return url.origin;
}
