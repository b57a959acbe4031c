/**
 * @module @lgx/runtime/testing
 *
 * Tools for testing against the runtime, kept out of its main entry so a running service never loads
 * them: the store conformance suite, the behaviour every `Store` must have, as jest tests in one call;
 * a way to end a delivery at a chosen time; and a throwaway PostgreSQL server on 127.0.0.1 for tests
 * that need one (from the installed binaries).
 */
export { describeStoreConformance } from '../store/store-conformance';
export { finishDelivery } from './finish-delivery';
export {
  findPostgresBinaries,
  postgresAvailability,
  startPostgresServer,
  type PostgresBinaries,
  type PostgresServer,
} from './postgres-server';
