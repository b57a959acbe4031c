import type { Logger } from '../logging/logger';

/** WS-Security UsernameToken in the SOAP header of every call. */
export interface WsSecurityAuth {
  type: 'wsSecurity';
  username: string;
  password: string;
  /** `PasswordText` (default) sends the password; `PasswordDigest` sends SHA-1(nonce + created + password). */
  passwordType?: 'PasswordText' | 'PasswordDigest';
}

/**
 * Log in once with a SOAP operation, keep the token it answers with, and send that token with every
 * other call. One login is in flight however many calls wait for it; when the back office answers a
 * call with an auth fault the client logs in again once and repeats that call once.
 */
export interface SessionAuth {
  type: 'session';
  login: {
    /** The login operation, e.g. `Login`. */
    operation: string;
    /** Its arguments (credentials): never logged, and scrubbed from error messages. */
    args: Record<string, unknown>;
    /** Dot path to the token in the login result, e.g. `Session.Token`. */
    tokenPath: string;
  };
  /** Where the token goes: a SOAP header element, or a field of every call's arguments. */
  apply: { header: string; namespace?: string } | { argName: string };
  /** Log in again after this long even without an auth fault (default: only after an auth fault). */
  ttlMs?: number;
}

export type SoapAuth = WsSecurityAuth | SessionAuth;

/** How a matched SOAP fault is classified. */
export type FaultClassification = 'retryable' | 'permanent' | 'auth' | 'notFound' | 'rateLimited';

/**
 * One fault rule. `code` is compared with the fault code (SOAP 1.1 `faultcode`, SOAP 1.2 `Code/Value`
 * or `Subcode/Value`): a string matches the whole code or its local part (`soap:Client` and `Client`
 * both match `Client`); a RegExp is tested against the whole code. `string` is tested against the
 * fault string. When both are given, both must match.
 */
export interface FaultRule {
  match: { code?: string | RegExp; string?: RegExp };
  classification: FaultClassification;
}

export interface SoapClientOptions {
  /** WSDL: a file path, an http(s) URL, or the WSDL XML itself (then relative imports cannot be resolved). */
  wsdl: string;
  /** Service endpoint, overriding the WSDL's `soap:address`. */
  endpoint?: string;
  /** Service and port to use when the WSDL has several (default: the first that has the operation). */
  service?: string;
  port?: string;
  /** Total time one call may take, including loading the WSDL and logging in (default 30 s). */
  timeoutMs?: number;
  /** Largest response (and WSDL) accepted, in bytes (default 10 MiB). */
  maxResponseBytes?: number;
  auth?: SoapAuth;
  /** Checked before the built-in rules; the first rule that matches wins. */
  faultRules?: readonly FaultRule[];
  /** Extra CA certificates (PEM) for back offices with a private CA. Verification is never turned off. */
  ca?: string | string[];
  /** Default: silent. */
  logger?: Logger;
}

export interface SoapCallOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** Argument and result shapes per operation, for a typed client. */
export type SoapOperationMap = Record<string, { args: Record<string, unknown>; result: unknown }>;

/** A SOAP client whose failures are LGX errors classified for the runtime. It never retries on its own. */
export interface SoapClient<Ops extends SoapOperationMap = SoapOperationMap> {
  /**
   * Calls an operation and resolves to its parsed result. Rejects with a classified LGX error
   * (RetryableError, RateLimitedError, PermanentError, AuthError, NotFoundError).
   */
  call<K extends keyof Ops & string>(operation: K, args?: Ops[K]['args'], options?: SoapCallOptions): Promise<Ops[K]['result']>;
  /** Loads the WSDL now instead of on the first call, so configuration errors show early. */
  ready(options?: SoapCallOptions): Promise<void>;
  /** Operation names the WSDL describes. */
  operations(options?: SoapCallOptions): Promise<string[]>;
  /** Secret values the client holds (password, login arguments, current session token), for scrubbing. */
  secrets(): string[];
}
