/**
 * @module @lgx/cli
 *
 * The `lgx` command (init, validate, check, serve, send, status, dlq, keys, adapters, new adapter,
 * conformance, schemas export, demo), also callable from code with `run(argv)`.
 */
export { VERSION } from './version';
export { run, usage } from './run';
export { EXIT, type Io } from './output';
