import type { StackSource } from './stack-lines';
// The stack file's types are generated from stackSchema (scripts/generators/config-types.ts), so the
// published schema and the types cannot drift.
import type { Open311Config, QuotaConfig, ReportingConfig, RetentionConfig, RouteMode, StackRoute } from '../generated/stack-config';
export type {
  MappingSource,
  Open311Attribute,
  Open311Config,
  Open311Service,
  ChannelCosts,
  EncryptionConfig,
  QuotaConfig,
  ReportingConfig,
  RetentionConfig,
  RetentionPeriod,
  RouteDataValue,
  RouteMatch,
  RouteMode,
  StackAdapterConfig,
  StackConfig,
  StackRoute,
} from '../generated/stack-config';

/** An adapter instance of a resolved stack: secret references replaced by their values. */
export interface StackAdapter {
  package: string;
  config: Record<string, unknown>;
}

/** A validated, resolved stack: plain data the engine builds its adapters and router from. */
export interface StackDefinition {
  council: string;
  adapters: Record<string, StackAdapter>;
  routes: StackRoute[];
  /** Mapping tables by name: council code -> vendor code. */
  mappings: Record<string, Record<string, string>>;
  /** The gateway's Open311 facade, when configured. */
  open311?: Open311Config;
  /** Report settings (unit costs), when configured. */
  reporting?: ReportingConfig;
  /** How long finished transactions' payloads are kept, per type, when configured. */
  retention?: RetentionConfig;
  /** Limits on the council's submissions, when configured. */
  quotas?: QuotaConfig;
  /**
   * Encryption at rest: the key-encryption key, resolved from its reference (base64 of 32 bytes), and
   * the file it was read from when given as `${file:…}` (its mode is checked at start).
   */
  encryption?: { key: string; file?: string };
  /**
   * Every value a `${env:…}` or `${file:…}` reference resolved to, so the host can scrub them from
   * logs (beside what the adapters' config schemas mark as secret).
   */
  secrets: string[];
  /** The file the stack was loaded from and the line of each key (`loadStack` only), for messages. */
  source?: StackSource;
}

/**
 * The store side of a stack: its council, adapter instances (package names only) and routes, with no
 * configuration and no secret. What commands that read or change the store need (`loadStackOutline`).
 */
export interface StackOutline {
  council: string;
  adapters: Record<string, { package: string }>;
  routes: StackRoute[];
  /** Report settings (unit costs), when configured. */
  reporting?: ReportingConfig;
  /** How long finished transactions' payloads are kept, per type, when configured. */
  retention?: RetentionConfig;
}

/** Where secrets and relative files are found. */
export interface StackOptions {
  /** Environment for `${env:NAME}` (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * Folder that `${file:path}` and mapping files are relative to (default: the stack file's folder for
   * `loadStack`, `process.cwd()` for `createStack`).
   */
  cwd?: string;
}

/** The route chosen for an envelope. */
export interface RouteSelection {
  /** Position of the route in the stack (routes are tried in order). */
  index: number;
  route: StackRoute;
  mode: RouteMode;
  targets: string[];
  /** Shadow targets (empty when the route has none). */
  shadow: string[];
}
