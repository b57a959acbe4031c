import { apiKeyAuth, basicAuth, bearerAuth, oauth2ClientCredentials, type AuthStrategy } from '@lgx/core/http';
import type { AuthConfig } from './config';

/** The transport's auth strategy for the configured auth (OAuth 2.0 tokens are cached and refreshed on 401). */
export function authStrategy(auth: AuthConfig | undefined, timeoutMs: number | undefined): AuthStrategy | undefined {
  switch (auth?.type) {
    case undefined:
      return undefined;
    case 'bearer':
      return bearerAuth(auth.token);
    case 'basic':
      return basicAuth(auth.username, auth.password);
    case 'apiKey':
      return apiKeyAuth({ in: auth.in, name: auth.name, value: auth.value });
    case 'oauth2ClientCredentials':
      return oauth2ClientCredentials({
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        ...(auth.scope !== undefined ? { scope: auth.scope } : {}),
        ...(auth.audience !== undefined ? { extra: { audience: auth.audience } } : {}),
        ...(auth.clientAuth === 'basic' ? { basic: true } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
  }
}
