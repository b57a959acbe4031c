/**
 * @module @lgx/core/soap
 *
 * The SOAP transport for adapters, on the optional `soap` package (install it beside @lgx/core):
 * WSDL from a file or URL, WS-Security UsernameToken, login-token sessions, SOAP faults mapped to the
 * LGX error classes by rules, HTTP errors classified like the HTTP transport, timeouts and abort,
 * response size limits, TLS verification that cannot be turned off, and every XML document with a
 * DOCTYPE or entity declaration refused before it is parsed. The client never retries on its own.
 */
export { createSoapClient } from './soap-client';
export { DEFAULT_FAULT_RULES, classifyFault } from './fault-rules';
export { findUnsafeXml, assertSafeXml } from './xml-safety';
export type {
  FaultClassification,
  FaultRule,
  SessionAuth,
  SoapAuth,
  SoapCallOptions,
  SoapClient,
  SoapClientOptions,
  SoapOperationMap,
  WsSecurityAuth,
} from './types';
export type { SoapFault } from './fault-rules';
