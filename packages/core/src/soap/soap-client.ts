import axios, { type AxiosInstance } from 'axios';
import type { Client } from 'soap';
import { classifyError, PermanentError, RetryableError } from '../errors/adapter-errors';
import { isLgxError, type LgxError } from '../errors/lgx-error';
import { silentLogger, type Logger } from '../logging/logger';
import { faultError, readFault } from './fault-rules';
import { loadSoap } from './load-soap';
import { safeCause } from '../transport/secret-scrub';
import { SessionTokens } from './session-auth';
import { SharedAttempt } from '../transport/shared-attempt';
import { createSoapTransport } from './soap-transport';
import { transportError } from '../transport/transport-errors';
import { escapeXml } from '../xml/escape-xml';
import { indexOperations, loadWsdl, wsdlLabel, type OperationSite } from './wsdl-loader';
import type { FaultRule, SessionAuth, SoapCallOptions, SoapClient, SoapClientOptions, SoapOperationMap } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const XML_NAME = /^[A-Za-z_][\w.-]*$/;
/** A SOAP Body with an element inside (not `<Body/>`, not `<Body></Body>`). */
const BODY_WITH_CONTENT = /<(?:[\w.-]+:)?Body(?:\s[^>]*)?>\s*(?:<!--[\s\S]*?-->\s*)*<[^/!?]/;

type SoapCallback = (error: unknown, result: unknown, rawResponse: unknown) => void;
type SoapMethod = (args: unknown, callback: SoapCallback, options: Record<string, unknown>) => void;

interface Loaded {
  client: Client;
  sites: Map<string, OperationSite>;
  targetNamespace: string;
}

function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'object' && value !== null && depth < 6)
    for (const child of Object.values(value)) stringsIn(child, out, depth + 1);
  return out;
}

function checkOptions(options: SoapClientOptions): void {
  if (typeof options.wsdl !== 'string' || options.wsdl.trim() === '')
    throw new TypeError('wsdl must be a file path, an http(s) URL or WSDL XML');
  for (const key of ['timeoutMs', 'maxResponseBytes'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new TypeError(`${key} must be a positive number`);
  }
  const auth = options.auth;
  if (auth?.type === 'session') {
    if ('header' in auth.apply && !XML_NAME.test(auth.apply.header))
      throw new TypeError(`session header '${auth.apply.header}' is not an XML element name`);
    if (auth.login.tokenPath.trim() === '') throw new TypeError('session login.tokenPath must name the token in the login result');
  }
}

/** The SOAP client. See `SoapClient` for the contract. */
class LgxSoapClient implements SoapClient {
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly rules: readonly FaultRule[];
  private readonly fixedSecrets: readonly string[];
  private readonly transport: AxiosInstance;
  private readonly session: SessionTokens | undefined;
  private loaded: Loaded | undefined;
  private readonly loader = new SharedAttempt<Loaded>((abandon) => this.open(abandon));
  /** The session header of the envelope soap is building at this moment (see `invoke`). */
  private headerXml = '';

  constructor(private readonly options: SoapClientOptions) {
    checkOptions(options);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.rules = options.faultRules ?? [];
    const auth = options.auth;
    this.fixedSecrets = (auth?.type === 'wsSecurity' ? [auth.password] : auth?.type === 'session' ? stringsIn(auth.login.args) : []).filter(
      (s) => s.length >= 4,
    );
    this.logger = (options.logger ?? silentLogger).child({ component: 'soap' }, this.fixedSecrets);
    this.transport = createSoapTransport({ timeoutMs: this.timeoutMs, maxResponseBytes: this.maxResponseBytes, ca: options.ca });
    this.session =
      auth?.type === 'session' ? new SessionTokens((signal) => this.login(auth, signal), auth.login.tokenPath, auth.ttlMs) : undefined;
  }

  secrets(): string[] {
    const token = this.session?.current();
    return token !== undefined && token.length >= 4 ? [...this.fixedSecrets, token] : [...this.fixedSecrets];
  }

  async ready(options: SoapCallOptions = {}): Promise<void> {
    await this.operations(options);
  }

  async operations(options: SoapCallOptions = {}): Promise<string[]> {
    const { signal, timeout } = this.deadline(options);
    try {
      if (signal.aborted) throw signal.reason;
      return [...(await this.load(signal)).sites.keys()];
    } catch (error) {
      throw this.classify(error, wsdlLabel(this.options.wsdl), timeout, options.signal);
    }
  }

  async call(operation: string, args: Record<string, unknown> = {}, options: SoapCallOptions = {}): Promise<unknown> {
    const started = Date.now();
    const what = `SOAP ${operation}`;
    const { signal, timeout } = this.deadline(options);
    try {
      if (signal.aborted) throw signal.reason;
      const loaded = await this.load(signal);
      const site = this.site(loaded, operation);
      const usesSession = this.session !== undefined && operation !== (this.options.auth as SessionAuth).login.operation;
      for (let relogged = false; ; relogged = true) {
        const token = usesSession && this.session ? await this.session.get(signal) : undefined;
        try {
          const result = await this.invoke(loaded, operation, site, this.withToken(args, token), token, signal);
          this.logger.debug('soap call', { operation, ms: Date.now() - started, outcome: 'ok' });
          return result;
        } catch (error) {
          const classified = this.classify(error, what, timeout, options.signal);
          // One fresh login and one repeat: a session that expired is normal, a loop of refusals is not.
          if (token === undefined || relogged || classifyError(classified) !== 'auth') throw classified;
          this.session?.invalidate(token);
          this.logger.info('soap session refused; logging in again', { operation });
        }
      }
    } catch (error) {
      const classified = this.classify(error, what, timeout, options.signal);
      this.logger.debug('soap call', {
        operation,
        ms: Date.now() - started,
        outcome: classified.code,
        classification: classifyError(classified),
      });
      throw classified;
    }
  }

  private deadline(options: SoapCallOptions): { signal: AbortSignal; timeout: AbortSignal } {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    return { timeout, signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout };
  }

  private site(loaded: Loaded, operation: string): OperationSite {
    const site = loaded.sites.get(operation);
    if (site) return site;
    throw new PermanentError(
      `'${operation}' is not an operation of ${wsdlLabel(this.options.wsdl)} (it has: ${[...loaded.sites.keys()].join(', ')})`,
      {
        code: 'LGX_ERR_SOAP_WSDL_INVALID',
      },
    );
  }

  /**
   * The shared login: its own deadline, so one caller giving up does not fail the others waiting on it;
   * `abandon` fires when every waiting caller has given up.
   */
  private async login(auth: SessionAuth, abandon: AbortSignal): Promise<unknown> {
    const { operation, args } = auth.login;
    const timeout = AbortSignal.any([abandon, AbortSignal.timeout(this.timeoutMs)]);
    try {
      const loaded = await this.load(timeout);
      this.logger.debug('soap login', { operation });
      return await this.invoke(loaded, operation, this.site(loaded, operation), args, undefined, timeout);
    } catch (error) {
      throw this.classify(error, `SOAP ${operation} (login)`, timeout, undefined);
    }
  }

  /**
   * The loaded WSDL and client, kept once loaded. Callers loading at the same time share one load; a
   * failed load is not kept (the WSDL server may be back, or the package installed, by the next call),
   * and a load every caller gave up on is abandoned.
   */
  private load(signal?: AbortSignal): Promise<Loaded> {
    if (this.loaded) return Promise.resolve(this.loaded);
    return this.loader.join(signal).then((loaded) => (this.loaded = loaded));
  }

  private async open(abandon: AbortSignal): Promise<Loaded> {
    const soap = await loadSoap();
    const wsdl = await loadWsdl(this.options.wsdl, {
      soap,
      transport: this.transport,
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.maxResponseBytes,
      secrets: this.fixedSecrets,
      signal: abandon,
    });
    const client = new soap.Client(wsdl, this.options.endpoint, { request: this.transport });
    const auth = this.options.auth;
    if (auth?.type === 'wsSecurity')
      client.setSecurity(new soap.WSSecurity(auth.username, auth.password, { passwordType: auth.passwordType ?? 'PasswordText' }));
    if (auth?.type === 'session' && 'header' in auth.apply) client.addSoapHeader(() => this.headerXml);
    const sites = indexOperations(client.describe(), { service: this.options.service, port: this.options.port });
    if (sites.size === 0) {
      throw new PermanentError(
        `${wsdlLabel(this.options.wsdl)} describes no operations${this.options.service || this.options.port ? ' in the service/port asked for' : ''}`,
        {
          code: 'LGX_ERR_SOAP_WSDL_INVALID',
        },
      );
    }
    const targetNamespace = (wsdl.definitions as { $targetNamespace?: unknown }).$targetNamespace;
    this.logger.debug('soap wsdl loaded', { wsdl: wsdlLabel(this.options.wsdl), operations: sites.size });
    return { client, sites, targetNamespace: typeof targetNamespace === 'string' ? targetNamespace : '' };
  }

  private withToken(args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    const apply = (this.options.auth as SessionAuth | undefined)?.apply;
    if (token === undefined || apply === undefined || !('argName' in apply)) return args;
    const rest = Object.fromEntries(Object.entries(args).filter(([key]) => key !== apply.argName));
    // First, because schemas that carry a token usually declare it first in the sequence.
    return { [apply.argName]: token, ...rest };
  }

  private sessionHeader(token: string, loaded: Loaded): string {
    const apply = (this.options.auth as SessionAuth).apply;
    if (!('header' in apply)) return '';
    const namespace = apply.namespace ?? loaded.targetNamespace;
    const value = escapeXml(token);
    return namespace === ''
      ? `<${apply.header}>${value}</${apply.header}>`
      : `<sh:${apply.header} xmlns:sh="${escapeXml(namespace)}">${value}</sh:${apply.header}>`;
  }

  private invoke(
    loaded: Loaded,
    operation: string,
    site: OperationSite,
    args: Record<string, unknown>,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    const port = (loaded.client as unknown as Record<string, Record<string, Record<string, SoapMethod | undefined>> | undefined>)[
      site.service
    ]?.[site.port];
    const method = port?.[operation];
    if (typeof method !== 'function')
      return Promise.reject(
        new PermanentError(`'${operation}' cannot be called on ${site.service}/${site.port}`, { code: 'LGX_ERR_SOAP_WSDL_INVALID' }),
      );
    return new Promise<unknown>((resolve, reject) => {
      const done: SoapCallback = (error, result, rawResponse) => {
        if (error) return reject(error);
        // soap reports an empty body, or an envelope with nothing in its Body, as a success with no result.
        if (site.hasOutput && !BODY_WITH_CONTENT.test(typeof rawResponse === 'string' ? rawResponse : '')) {
          return reject(
            new RetryableError(`SOAP ${operation} answered without a result in the SOAP Body`, {
              code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
            }),
          );
        }
        resolve(result ?? {});
      };
      // soap builds the envelope synchronously inside the method call, so the header function added
      // in open() reads this call's token, and concurrent calls never see each other's.
      this.headerXml = token === undefined ? '' : this.sessionHeader(token, loaded);
      try {
        method(args, done, { signal });
      } catch (error) {
        reject(error);
      } finally {
        this.headerXml = '';
      }
    });
  }

  private classify(error: unknown, what: string, timeout: AbortSignal, caller: AbortSignal | undefined): LgxError {
    if (isLgxError(error)) return error;
    const secrets = this.secrets();
    const fault = readFault(error);
    if (fault) return faultError(fault, what, this.rules, secrets);
    // soap attaches the body to errors it raises while parsing a response; axios errors are transport failures.
    if (!axios.isAxiosError(error) && typeof error === 'object' && error !== null && 'body' in error) {
      return new RetryableError(`${what} answered with a body that could not be parsed as SOAP`, {
        code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
        cause: safeCause(error, secrets),
      });
    }
    return transportError(error, { what, timeout, caller, maxResponseBytes: this.maxResponseBytes, secrets });
  }
}

/**
 * Creates a SOAP client. Nothing is loaded until the first call (or `ready()`): the `soap` package,
 * then the WSDL. Give `Ops` to type operations, arguments and results.
 */
export function createSoapClient<Ops extends SoapOperationMap = SoapOperationMap>(options: SoapClientOptions): SoapClient<Ops> {
  return new LgxSoapClient(options) as unknown as SoapClient<Ops>;
}
