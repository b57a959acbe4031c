/**
 * A council's stack: adapter instances with resolved secrets, routes and mapping tables, loaded from
 * YAML or given from code, and the router and adapter loader built on it.
 */
export type {
  ChannelCosts,
  MappingSource,
  QuotaConfig,
  ReportingConfig,
  RouteDataValue,
  RouteMatch,
  RouteMode,
  RouteSelection,
  StackAdapter,
  StackAdapterConfig,
  StackConfig,
  StackDefinition,
  StackOptions,
  StackOutline,
  StackRoute,
} from './stack-types';
export { stackSchema } from './stack-schema';
export { loadStack, loadStackOutline, loadStackEncryptionKey, createStack, MAX_STACK_BYTES } from './load-stack';
export { validateStack } from './validate-stack';
export { stackLine, type StackSource } from './stack-lines';
export { resolveSecrets, type ResolvedSecrets, type SecretSources } from './resolve-secrets';
export { loadMappingTable, mappingFromCsv, type MappingResult } from './mapping-tables';
export { loadAdapters, loadAdapterPackage, type LoadAdaptersOptions } from './load-adapter';
export { findInstalledAdapters, type InstalledAdapter } from './installed-adapters';
export { matchRoutes, type RoutableEnvelope } from './route-matcher';
export { MAX_ALIAS_COUNT } from './yaml-source';
