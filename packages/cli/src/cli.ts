/** The `lgx` executable. */
import { run } from './run';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lgx: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
