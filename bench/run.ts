/** `npm run bench`: every benchmark, each printing ratios against a baseline run in the same process. */
import { benchValidate } from './validate';

const { worst, rows } = benchValidate();
console.log('bench/validate: validations per second, @lgx/core validateData vs raw ajv (same schema, same options, same run)\n');
console.log(rows.join('\n'));
console.log(`\nworst ratio ${worst.toFixed(2)} (aim: at least 0.90)`);
