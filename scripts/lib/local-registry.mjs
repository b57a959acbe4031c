// A real npm registry (Verdaccio) on 127.0.0.1 for LGX's tarballs: storage in a folder of the caller's,
// no uplinks (it serves only what is published to it, and reaches nothing), anyone may sign up and
// publish. Used by the consumer test and by `npm run registry`.
import { execFile, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { promisify } from 'node:util';

const run = promisify(execFile);

function config(dir) {
  return [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 100',
    // A throwaway publisher on a throwaway registry: the fewest bcrypt rounds keep publishing quick.
    '    rounds: 4',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: error }',
    '',
  ].join('\n');
}

/**
 * Starts the registry on 127.0.0.1:`port` (0: a free port) with its files in `dir`, and signs up a
 * publisher. Returns its `url`, `publish(tarball)` and `stop()`.
 */
export async function startLocalRegistry({ dir, port = 0 }) {
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, config(dir));
  const child = fork(path.join(import.meta.dirname, 'registry-server.mjs'), [configFile, String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const listening = await Promise.race([
    new Promise((resolve) => child.once('message', resolve)),
    exited.then((code) => Promise.reject(new Error(`the registry stopped as it started (exit ${code})`))),
  ]);
  const url = `http://127.0.0.1:${listening.port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    // Sign up, as `npm adduser` does; the token goes into the publisher's own .npmrc, which npm reads
    // as project configuration (the user's configuration stays as it is).
    const name = 'lgx-publisher';
    const response = await globalThis.fetch(`${url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password: randomBytes(16).toString('hex') }),
    });
    if (!response.ok) throw new Error(`signing up on the registry failed: ${response.status} ${await response.text()}`);
    const { token } = await response.json();
    const publisher = path.join(dir, 'publisher');
    fs.mkdirSync(publisher, { recursive: true });
    fs.writeFileSync(path.join(publisher, 'package.json'), '{ "private": true }\n');
    fs.writeFileSync(path.join(publisher, '.npmrc'), `registry=${url}\n//127.0.0.1:${listening.port}/:_authToken=${token}\n`);
    const publish = (tarball) =>
      run('npm', ['publish', tarball, '--registry', url, '--tag', 'latest', '--no-provenance'], { cwd: publisher });
    return { url, publish, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
