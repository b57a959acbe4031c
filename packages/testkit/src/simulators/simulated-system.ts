import type { Simulator } from './simulator-server';

/** Where and how to start a simulated system. */
export interface SimulatedSystemOptions {
  /** Port (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the system's state in, so a restart continues where it stopped (default: memory only). */
  stateDir?: string;
}

/** How a council's stack reaches a simulated system: an adapter instance to paste into its stack file. */
export interface SimulatedStack {
  /** The adapter package, e.g. `@lgx/adapter-open311`. */
  package: string;
  /** The adapter's config; every key and secret as `${env:NAME}`, never the value. */
  config: Record<string, unknown>;
  /** The value of each `${env:NAME}` the config names: the simulator's test credentials. */
  env: Record<string, string>;
  /** The transaction and query types this system takes, to route to it. */
  types: string[];
  /** What else a council needs to use it: service codes, template ids, codes it answers with. */
  notes: string[];
}

/**
 * A back office a council or vendor can try a stack against without the real one: what `lgx
 * simulate` starts. An adapter's `testing` export lists its systems in `simulatedSystems`.
 */
export interface SimulatedSystem {
  /** Its name on the command line, e.g. `open311` (lower-case letters, digits, hyphens). */
  name: string;
  /** One line for people: what it pretends to be. */
  title: string;
  /** Starts it; `close()` on the result stops it (and finishes saving its state). */
  start(options?: SimulatedSystemOptions): Promise<Simulator>;
  /** The address to show people: the API base, or the WSDL of a SOAP system. */
  address(url: string): string;
  /** The stack entry for the system running at `url` (the server's base URL, e.g. http://127.0.0.1:8081). */
  stack(url: string): SimulatedStack;
}
