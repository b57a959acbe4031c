import type { StackSource } from './stack-lines';

/** How a route delivers to its targets. */
export type RouteMode = 'one' | 'all' | 'fallback' | 'shadow';

/** A value a route's `data` match compares a top-level data field with (equality). */
export type RouteDataValue = string | number | boolean;

/** What a route matches on; every given key must match (an empty match catches everything). */
export interface RouteMatch {
  /** Transaction or query type, e.g. `waste.missedCollection`. */
  type?: string;
  /** LGSL service code (the envelope's `lgsl` extension). */
  lgsl?: number;
  /** GSS code of the council (the envelope's `council` extension). */
  council?: string;
  /** Equality on top-level fields of the envelope's `data`. */
  data?: Record<string, RouteDataValue>;
}

/** One route of a stack, as written. */
export interface StackRoute {
  match: RouteMatch;
  mode: RouteMode;
  /** Adapter instance ids, in order (the order is the chain for `fallback`). */
  targets: string[];
  /** Adapter instance ids delivered to beside the targets; results are recorded, never surfaced. */
  shadow?: string[];
}

/** A mapping table as written: inline pairs or a CSV file (relative to the stack file's folder). */
export type MappingSource = Record<string, string> | { file: string };

/** One adapter instance as written. Strings in `config` may hold `${env:NAME}` or `${file:path}`. */
export interface StackAdapterConfig {
  /** npm package name the adapter is loaded from. */
  package: string;
  config?: Record<string, unknown>;
}

/** One question of an Open311 service definition. */
export interface Open311Attribute {
  code: string;
  description: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required?: boolean;
  variable?: boolean;
  order?: number;
  automated?: 'server_set' | 'hidden_field';
  /** List datatypes: key -> name. */
  values?: Record<string, string>;
  /**
   * The canonical data field the answer fills, as a dotted path (`scheduledDate`, `container.sizeLitres`);
   * street.report also takes `uprn`, `usrn`, `title`, `assetReference` and `hazard`. Other answers go to
   * `data.attributes`.
   */
  field?: string;
}

/** An Open311 service the gateway lists, and the canonical transaction a request for it becomes. */
export interface Open311Service {
  code: string;
  name: string;
  description?: string;
  group?: string;
  keywords?: string[];
  type: 'street.report' | 'waste.missedCollection' | 'waste.containerRequest' | 'waste.bulkyBooking' | 'waste.gardenSubscription';
  lgsl?: number;
  /** street.report: the kind of problem. */
  kind?: string;
  /** waste.missedCollection and waste.containerRequest: the waste service. */
  service?: string;
  /** Fixed canonical values every request for this service carries. */
  data?: Record<string, unknown>;
  attributes?: Open311Attribute[];
}

/** The gateway's Open311 GeoReport v2 facade. */
export interface Open311Config {
  jurisdiction?: string;
  contact?: string;
  services: Open311Service[];
}

/** A council's stack as written in YAML or passed from code (before validation and resolution). */
export interface StackConfig {
  /** GSS code of the council, e.g. E07000223. */
  council: string;
  adapters: Record<string, StackAdapterConfig>;
  routes: StackRoute[];
  mappings?: Record<string, MappingSource>;
  /** The gateway's Open311 facade (optional). */
  open311?: Open311Config;
}

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
