/**
 * The part of better-sqlite3's API the SQLite store uses. better-sqlite3 ships no types and
 * @types/better-sqlite3 is not a dependency; if it is added, delete this file.
 */
declare module 'better-sqlite3' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
      iterate(...params: unknown[]): IterableIterator<unknown>;
    }
    interface TransactionFunction<A extends unknown[], R> {
      (...args: A): R;
      deferred(...args: A): R;
      immediate(...args: A): R;
      exclusive(...args: A): R;
    }
    interface Database {
      readonly open: boolean;
      readonly inTransaction: boolean;
      prepare(sql: string): Statement;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<A extends unknown[], R>(fn: (...args: A) => R): TransactionFunction<A, R>;
      close(): this;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
  }
  const Database: new (filename: string, options?: Database.Options) => Database.Database;
  export = Database;
}
