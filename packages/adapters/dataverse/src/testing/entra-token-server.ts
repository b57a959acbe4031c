/**
 * A Microsoft Entra ID token endpoint for the client credentials grant, as Dataverse's server-to-server
 * authentication uses it (learn.microsoft.com "Microsoft identity platform and the OAuth 2.0 client
 * credentials flow"; MicrosoftDocs powerapps-docs `authenticate-oauth.md`): `POST
 * /{tenant}/oauth2/v2.0/token` with a form of `grant_type=client_credentials`, `client_id`,
 * `client_secret` and `scope=<environment URL>/.default`, answering `{ token_type, expires_in,
 * access_token }` or an OAuth error `{ error, error_description, error_codes }`.
 */
import { randomBytes } from 'node:crypto';
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';

export interface EntraTokenState {
  /** access token -> when it stops being accepted (ms since the epoch). */
  tokens: Map<string, number>;
}

export interface EntraTokenServer extends RestSimulator<EntraTokenState> {
  /** True while the token was issued here and has neither expired nor been revoked. */
  accepts(token: string): boolean;
  /** Every token issued so far stops being accepted (as at expiry, or a revoked secret). */
  expireTokens(): void;
  /** How many tokens have been issued since the last reset. */
  issued(): number;
  /** Answers a token request made to another server (one serving the token endpoint on its own port), from this server's tokens. */
  answer(req: RestRequest): RestResponse;
}

function oauthError(status: number, error: string, code: number, description: string): RestResponse {
  return reply(status, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
  });
}

/** Starts the token endpoint on 127.0.0.1; `scope()` is the scope it expects (the environment's). */
export async function startEntraTokenServer(options: {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  lifetimeSeconds: number;
  scope: () => string;
}): Promise<EntraTokenServer> {
  let count = 0;
  const grant = (req: RestRequest, state: EntraTokenState): RestResponse => {
    if (!/application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
      return oauthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    const form = new URLSearchParams(req.body);
    if (req.params.tenant !== options.tenantId)
      return oauthError(400, 'invalid_request', 90002, `Tenant '${String(req.params.tenant).slice(0, 64)}' not found.`);
    if (form.get('grant_type') !== 'client_credentials')
      return oauthError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== options.clientId)
      return oauthError(400, 'unauthorized_client', 700016, 'Application was not found in the directory.');
    if (form.get('client_secret') !== options.clientSecret)
      return oauthError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    if (form.get('scope') !== options.scope())
      return oauthError(400, 'invalid_scope', 70011, "The provided value for the input parameter 'scope' is not valid.");
    const issued = `ey${randomBytes(24).toString('base64url')}`;
    state.tokens.set(issued, Date.now() + options.lifetimeSeconds * 1000);
    count++;
    return reply(200, {
      token_type: 'Bearer',
      expires_in: options.lifetimeSeconds,
      ext_expires_in: options.lifetimeSeconds,
      access_token: issued,
    });
  };
  const server = await startRestSimulator<EntraTokenState>({
    name: 'entra-id',
    state: () => ({ tokens: new Map() }),
    routes: [{ method: 'POST', path: '/:tenant/oauth2/v2.0/token', handler: (req, { state }) => grant(req, state) }],
  });
  const reset = server.reset;
  return Object.assign(server, {
    accepts: (token: string) => (server.state.tokens.get(token) ?? 0) > Date.now(),
    expireTokens: () => server.state.tokens.clear(),
    issued: () => count,
    answer: (req: RestRequest) => grant(req, server.state),
    reset: () => {
      reset();
      count = 0;
    },
  });
}
