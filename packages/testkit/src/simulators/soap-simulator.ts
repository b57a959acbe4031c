import { readFile } from 'node:fs/promises';
import * as soap from 'soap';
import type { IServices, Server as SoapServer } from 'soap';
import { escapeXml } from '@lgx/core';
import { startSimulatorServer, type Fault, type Simulator } from './simulator-server';

export interface SoapSimulatorOptions {
  /** The WSDL: its XML text, or a file path. Its `soap:address` is rewritten to the simulator's endpoint. */
  wsdl: string;
  /** A `soap`-package services object: `{ Service: { Port: { Operation(args, callback?, headers) {...} } } }`. */
  implementation: IServices;
  /** Path of the service (default `/soap`); the WSDL is served at `${path}?wsdl`. */
  path?: string;
  /** Largest request body accepted (default 5 MiB); larger gets 413. */
  maxBodyBytes?: number;
  /** Port (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
}

/** A SOAP simulator: the shared fault layer and request recording in front of a `soap` server. */
export interface SoapSimulator extends Simulator {
  /** Where the WSDL is served, e.g. http://127.0.0.1:41234/soap?wsdl */
  wsdlUrl: string;
  /** The service endpoint, e.g. http://127.0.0.1:41234/soap */
  endpoint: string;
}

export interface SoapFaultOptions {
  /** `faultcode`, e.g. `soap:Server`, `soap:Client`, `wsse:InvalidSecurityToken`. */
  code: string;
  /** `faultstring`. */
  string: string;
  /** HTTP status (default 500, as SOAP 1.1 over HTTP requires for faults). */
  status?: number;
  headers?: Record<string, string>;
}

const ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A SOAP 1.1 envelope around `bodyXml` (raw XML, inserted as is). */
export function soapEnvelope(bodyXml: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENVELOPE_NS}"><soap:Body>${bodyXml}</soap:Body></soap:Envelope>`;
}

/** A scripted SOAP 1.1 fault for `faults.failNext`, e.g. `failNext(1, soapFault({ code: 'soap:Server', string: 'Database offline' }))`. */
export function soapFault(options: SoapFaultOptions): Fault {
  const body = soapEnvelope(
    `<soap:Fault><faultcode>${escapeXml(options.code)}</faultcode><faultstring>${escapeXml(options.string)}</faultstring></soap:Fault>`,
  );
  return { status: options.status ?? 500, body, headers: { 'content-type': 'text/xml; charset=utf-8', ...options.headers } };
}

/** The WSDL with every `*:address location="..."` pointing at `endpoint`, so clients that read it reach the simulator. */
function pointAt(wsdl: string, endpoint: string): string {
  return wsdl.replace(
    /(<(?:[\w-]+:)?address\b[^>]*?\blocation\s*=\s*)(["'])[^"']*\2/g,
    (_m, head: string, quote: string) => `${head}${quote}${escapeXml(endpoint)}${quote}`,
  );
}

function listen(options: { path: string; services: IServices; xml: string }): Promise<SoapServer> {
  return new Promise((resolve, reject) => {
    // No HTTP server: soap would take over the server's request listeners and bypass the fault layer.
    // Requests reach it through processRequest, after the fault layer has had its say.
    const server = soap.listen(null, {
      ...options,
      suppressStack: true,
      callback: (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(server)),
    });
  });
}

/**
 * Starts a SOAP simulator on 127.0.0.1: the WSDL at `${endpoint}?wsdl`, the service at `endpoint`,
 * with the shared faults (failNext, latency, down/up, rateLimit) and request recording.
 */
export async function startSoapSimulator(options: SoapSimulatorOptions): Promise<SoapSimulator> {
  const path = options.path ?? '/soap';
  if (!path.startsWith('/')) throw new TypeError(`path must start with '/', got '${path}'`);
  const source = /^\s*</.test(options.wsdl) ? options.wsdl : await readFile(options.wsdl, 'utf8');
  let served = source;
  let soapServer: SoapServer | undefined;

  const sim = await startSimulatorServer(
    async (record, req, res) => {
      const here = record.path === path || record.path === `${path}/`;
      if (here && record.method === 'GET' && Object.keys(record.query).some((key) => key.toLowerCase() === 'wsdl')) {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(served) });
        return void res.end(served);
      }
      if (!here || record.method !== 'POST' || !soapServer) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end(`no SOAP service at ${record.method} ${record.path}`);
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => v !== undefined));
      const answer = await soapServer.processRequest(record.body, { method: 'POST', headers, url: req.url ?? path });
      const contentType = answer.headers['content-type'] as unknown;
      res.writeHead(answer.statusCode, { 'content-type': typeof contentType === 'string' ? contentType : 'text/xml; charset=utf-8' });
      res.end(answer.body);
    },
    {
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
    },
  );

  const endpoint = `${sim.url}${path}`;
  served = pointAt(source, endpoint);
  try {
    soapServer = await listen({ path, services: options.implementation, xml: served });
  } catch (error) {
    await sim.close();
    throw error;
  }
  return {
    url: sim.url,
    requests: sim.requests,
    faults: sim.faults,
    reset: sim.reset,
    close: sim.close,
    wsdlUrl: `${endpoint}?wsdl`,
    endpoint,
  };
}
