/**
 * Salesforce's OAuth 2.0 token endpoint (`POST /services/oauth2/token`) for the two server-to-server
 * flows (help.salesforce.com "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration" and "OAuth
 * 2.0 Client Credentials Flow"): a JWT bearer assertion signed RS256 with the connected app's
 * certificate key (`iss` consumer key, `sub` username, `aud` login URL, `exp` within three minutes),
 * or the consumer key and secret of an app with a Run As user. Both answer `access_token` and
 * `instance_url`; refusals are OAuth errors `{ error, error_description }`.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { reply, type RestRequest, type RestResponse } from '@lgx/testkit';

export interface OrgIdentity {
  clientId: string;
  clientSecret: string;
  username: string;
  publicKey: KeyObject;
  /** Where API calls go: the org's My Domain. */
  instanceUrl: () => string;
  /** Audiences a JWT may name: login.salesforce.com, test.salesforce.com, the simulator's hosts. */
  audiences: () => string[];
  orgId: string;
  userId: string;
}

/** Access tokens issued and when each stops working (ms). */
export type Sessions = Map<string, number>;

function oauthError(status: number, error: string, description: string): RestResponse {
  return reply(status, { error, error_description: description });
}

function b64json(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Answers a token request on a host; `grants` lists the grant types that host takes. */
export function tokenEndpoint(
  org: OrgIdentity,
  sessions: Sessions,
  sessionMs: () => number,
  host: () => string,
  grants: ReadonlySet<string>,
  now: () => number,
) {
  const issue = (extra: Record<string, unknown> = {}): RestResponse => {
    const token = `00D${org.orgId.slice(3, 15)}!${randomBytes(32).toString('base64url')}`;
    sessions.set(token, Date.now() + sessionMs());
    return reply(200, {
      access_token: token,
      scope: 'api',
      instance_url: org.instanceUrl(),
      id: `${host()}/id/${org.orgId}/${org.userId}`,
      token_type: 'Bearer',
      ...extra,
    });
  };

  return (req: RestRequest): RestResponse => {
    if (!/application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
      return oauthError(400, 'invalid_request', 'must use application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type') ?? '';
    if (!grants.has(grant))
      return oauthError(
        400,
        'unsupported_grant_type',
        grant === 'client_credentials' ? 'request not supported on this domain' : 'grant type not supported',
      );

    if (grant === 'client_credentials') {
      if (form.get('client_id') !== org.clientId) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
      if (form.get('client_secret') !== org.clientSecret) return oauthError(400, 'invalid_client', 'invalid client credentials');
      return issue({ signature: randomBytes(32).toString('base64'), issued_at: String(Date.now()) });
    }

    const parts = (form.get('assertion') ?? '').split('.');
    const header = b64json(parts[0]);
    const claims = b64json(parts[1]);
    if (parts.length !== 3 || !header || !claims || header.alg !== 'RS256') return oauthError(400, 'invalid_grant', 'invalid assertion');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), org.publicKey, Buffer.from(parts[2]!, 'base64url'));
    if (claims.iss !== org.clientId) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (!signed) return oauthError(400, 'invalid_grant', 'invalid assertion');
    if (typeof claims.aud !== 'string' || !org.audiences().includes(claims.aud.replace(/\/+$/, '')))
      return oauthError(400, 'invalid_grant', 'audience is invalid');
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : NaN;
    if (!(exp > now())) return oauthError(400, 'invalid_grant', 'expired authorization code');
    if (exp > now() + 5 * 60_000) return oauthError(400, 'invalid_grant', 'invalid assertion');
    if (claims.sub !== org.username) return oauthError(400, 'invalid_grant', "user hasn't approved this consumer");
    return issue();
  };
}

export function publicKeyOf(pem: string): KeyObject {
  return createPublicKey(pem);
}
