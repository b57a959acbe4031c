/**
 * The part of pg's API the PostgreSQL store uses. pg ships no types and @types/pg is not a
 * dependency; if it is added, delete this file. Nothing exported from the store refers to these
 * types, so the published declarations never need pg's.
 */
declare module 'pg' {
  interface QueryResult<R> {
    rows: R[];
    rowCount: number | null;
  }
  interface PoolClient {
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    /** Pass an error (or true) to destroy the connection instead of returning it to the pool. */
    release(destroy?: Error | boolean): void;
  }
  // The connection fields are the store's own options, which take pg's names and meanings.
  interface PoolConfig extends Pick<
    import('./postgres-store').PostgresStoreOptions,
    'connectionString' | 'host' | 'port' | 'user' | 'password' | 'database' | 'ssl'
  > {
    max?: number;
    idleTimeoutMillis?: number;
    connectionTimeoutMillis?: number;
    application_name?: string;
  }
  class Pool {
    constructor(config?: PoolConfig);
    connect(): Promise<PoolClient>;
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
  export { Pool, PoolClient, PoolConfig, QueryResult };
}
