// The throwaway PostgreSQL server lives in @lgx/runtime/testing, so other packages' tests start it too.
export * from '../../src/testing/postgres-server';
