/**
 * @module @lgx/adapter-soap
 *
 * The declarative SOAP adapter: connects a council's SOAP back office that has a WSDL but no adapter
 * of its own. The WSDL, the operation per transaction type, JSONata request and response mappings,
 * fault rules and auth (WS-Security UsernameToken or a login token) are all configuration.
 */
export { adapter, adapter as default, defineSoapAdapter } from './adapter';
// Every canonical type but statusUpdate; which of them works is what the configuration maps.
export { SERVABLE_TYPES, type ServableType } from '@lgx/core';
export {
  configSchema,
  type SoapAdapterConfig,
  type SoapAuthConfig,
  type SoapCallConfig,
  type FaultRuleConfig,
  type SessionApply,
  type CaseStatusName,
} from './config';
export { streetWorksExampleConfig, type StreetWorksCredentials } from './street-works-example';
export { VERSION } from './version';
