import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AxiosInstance } from 'axios';
import type { WSDL } from 'soap';
import { classifyError, PermanentError, RetryableError } from '../errors/adapter-errors';
import { isLgxError, type LgxError } from '../errors/lgx-error';
import type { SoapModule } from './load-soap';
import { safeCause, scrubText } from '../transport/secret-scrub';
import { transportError } from '../transport/transport-errors';
import { assertSafeXml } from './xml-safety';

export interface WsdlLoadContext {
  soap: SoapModule;
  transport: AxiosInstance;
  timeoutMs: number;
  /** Stops the load early (every caller waiting for it gave up). */
  signal?: AbortSignal;
  maxResponseBytes: number;
  secrets: readonly string[];
}

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);
const isInline = (source: string): boolean => /^\s*</.test(source);

/** How a WSDL source is named in messages: a URL without its query (it may carry a key). */
export function wsdlLabel(source: string): string {
  if (isInline(source)) return 'WSDL (inline)';
  if (!isUrl(source)) return `WSDL ${source}`;
  try {
    const url = new URL(source);
    return `WSDL ${url.origin}${url.pathname}`;
  } catch {
    return 'WSDL (unparseable URL)';
  }
}

/** LGX_ERR_SOAP_WSDL_INVALID, retryable when the cause was (the WSDL server may come back), else permanent. */
function wsdlError(cause: unknown, label: string, secrets: readonly string[]): LgxError {
  if (isLgxError(cause) && cause.code === 'LGX_ERR_SOAP_UNSAFE_XML') return cause;
  const lgx = isLgxError(cause);
  const reason = lgx ? cause.message : scrubText(String((cause as { message?: unknown } | null)?.message ?? cause), secrets);
  const options = { code: 'LGX_ERR_SOAP_WSDL_INVALID' as const, cause: lgx ? cause : safeCause(cause, secrets) };
  const message = `${label} could not be loaded: ${reason}`;
  const kind = lgx ? classifyError(cause) : 'permanent';
  return kind === 'retryable' || kind === 'rateLimited' ? new RetryableError(message, options) : new PermanentError(message, options);
}

async function readSource(source: string, label: string, ctx: WsdlLoadContext): Promise<{ text: string; uri: string }> {
  if (isInline(source)) return { text: source, uri: '' };
  if (!isUrl(source)) {
    const file = path.resolve(source);
    return { text: await readFile(file, 'utf8'), uri: file };
  }
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  try {
    // Through the same transport as the calls: size limit, deadline and the DOCTYPE check on raw bytes.
    const response = await ctx.transport.get<string>(source, { signal: ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout });
    return { text: String(response.data), uri: source };
  } catch (error) {
    throw isLgxError(error)
      ? error
      : transportError(error, { what: label, timeout, caller: undefined, maxResponseBytes: ctx.maxResponseBytes, secrets: ctx.secrets });
  }
}

/**
 * Reads and parses a WSDL from a file, a URL or inline XML. Every document is checked for DOCTYPE and
 * entity declarations before soap parses it: the WSDL here, schemas it imports over http(s) in the
 * transport, and schemas it imports from files in the import hook below.
 */
export async function loadWsdl(source: string, ctx: WsdlLoadContext): Promise<WSDL> {
  const label = wsdlLabel(source);
  try {
    const { text, uri } = await readSource(source, label, ctx);
    assertSafeXml(text, label);
    return await new Promise<WSDL>((resolve, reject) => {
      const wsdl = new ctx.soap.WSDL(text, uri, {
        request: ctx.transport,
        wsdl_options: {
          overrideImportLocation: (location: string) => {
            if (!isUrl(location)) assertSafeXml(readFileSync(location), `the WSDL import ${path.basename(location)}`);
            return location;
          },
        },
      });
      wsdl.onReady((error) => (error ? reject(error) : resolve(wsdl)));
    });
  } catch (error) {
    throw wsdlError(error, label, ctx.secrets);
  }
}

/** Where an operation lives in the WSDL. */
export interface OperationSite {
  service: string;
  port: string;
  /** False for one-way operations. */
  hasOutput: boolean;
}

/** Operation name -> its service and port (the first that has it, or the ones asked for). */
export function indexOperations(
  description: unknown,
  only: { service?: string | undefined; port?: string | undefined },
): Map<string, OperationSite> {
  const sites = new Map<string, OperationSite>();
  for (const [service, ports] of Object.entries(
    (description ?? {}) as Record<string, Record<string, Record<string, { output?: unknown }>>>,
  )) {
    if (only.service !== undefined && service !== only.service) continue;
    for (const [port, operations] of Object.entries(ports ?? {})) {
      if (only.port !== undefined && port !== only.port) continue;
      for (const [name, shape] of Object.entries(operations ?? {})) {
        if (!sites.has(name)) sites.set(name, { service, port, hasOutput: shape?.output !== undefined && shape.output !== null });
      }
    }
  }
  return sites;
}
