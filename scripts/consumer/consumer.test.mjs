// The consumer test: LGX as a user outside this repository gets it. Packs every public package,
// publishes the tarballs to a real npm registry on 127.0.0.1 (Verdaccio, storage in a temp folder, no
// uplinks), and in empty folders outside the repository installs them with npm and uses them: every
// exports entry as ESM and CommonJS, a TypeScript consumer under node16 and bundler, `npx lgx`, a
// council's first stack on simulators delivering through `lgx serve`, a new adapter by each route, and
// an adapter across core releases, which `lgx conformance` checks on its own harness. Run after
// `npm run build`:
//   npm run test:consumer
// It stops everything it starts and removes its folders; it prints the packed sizes and its time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers';
import { startLocalRegistry } from '../lib/local-registry.mjs';
import { formatPacked, packPublicPackages } from '../lib/pack.mjs';
import { releaseCore } from './core-release.mjs';
import { entrySpecifiers, loadEntry } from './entry-points.mjs';
import { exec, inPool, start, stopAll } from './exec.mjs';

const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-consumer-'));
const at = (...parts) => path.join(work, ...parts);
const app = at('app');
const vendor = at('vendor');
const minute = 60_000;
let packed = [];
let registry;

/** An empty project folder whose @lgx packages come from the local registry, set up with npm as a user would. */
async function project(dir) {
  fs.mkdirSync(dir, { recursive: true });
  await exec('npm', ['init', '-y'], { cwd: dir });
  await exec('npm', ['config', 'set', '@lgx:registry', registry.url, '--location', 'project'], { cwd: dir });
}

before(async () => {
  packed = packPublicPackages(at('tarballs'));
  console.log(`packed ${packed.length} packages (${seconds()}):\n${formatPacked(packed).join('\n')}`);
  registry = await startLocalRegistry({ dir: at('registry') });
  await inPool(packed, 3, (p) => registry.publish(p.file));
  console.log(`published to ${registry.url} (${seconds()})`);
});

after(async () => {
  await stopAll();
  await registry?.stop();
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`consumer test: ${seconds()} in all; packed sizes above`);
});

test('npm installs every package from the registry into an empty project', { timeout: 20 * minute }, async () => {
  await project(app);
  // better-sqlite3 (the runtime's SQLite driver) builds its native module in an install script, which
  // npm 11 runs only when the project allows it.
  await exec('npm', ['pkg', 'set', 'allowScripts.better-sqlite3=true', '--json'], { cwd: app });
  // --prefer-offline: npm's cache answers for public packages it already holds (nothing is published
  // to the local registry after this install until the core releases, which are installed without it).
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((p) => p.name), 'typescript@5.9', '@types/node@20'],
    { cwd: app, timeoutMs: 20 * minute },
  );
  for (const p of packed) {
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', p.name, 'package.json'), 'utf8'));
    assert.equal(installed.version, p.version, `${p.name} installed`);
  }
  console.log(`installed (${seconds()})`);
});

test('every exports entry of every package loads as ESM and as CommonJS, with the same names', { timeout: 10 * minute }, async () => {
  const specifiers = packed.flatMap((p) => entrySpecifiers(path.join(app, 'node_modules', p.name)));
  const loaded = await inPool(specifiers, 2, async (specifier) => {
    const [esm, cjs] = [await loadEntry(specifier, 'esm', app), await loadEntry(specifier, 'cjs', app)];
    assert.ok(esm.length > 0, `${specifier} exports nothing as ESM`);
    assert.deepEqual(esm, cjs, `${specifier}: ESM and CommonJS export different names`);
    return `${specifier} (${esm.length})`;
  });
  console.log(`loaded ${loaded.length} entry points as ESM and CommonJS: ${loaded.join(', ')}`);
});

test('a TypeScript consumer type-checks under moduleResolution node16 and bundler', { timeout: 5 * minute }, async () => {
  const dir = path.join(app, 'typescript');
  fs.cpSync(path.join(import.meta.dirname, 'fixtures'), dir, { recursive: true });
  // The same consumer as an ES module (.mts is ESM under node16), with the adapters imported by name.
  const source = fs.readFileSync(path.join(dir, 'consumer.ts'), 'utf8');
  const esm = source.replace(/^import (\w+) from '(@lgx\/adapter-[\w-]+)';$/gm, "import { adapter as $1 } from '$2';");
  assert.equal(esm.match(/import \{ adapter as/g)?.length, packed.filter((p) => p.name.startsWith('@lgx/adapter-')).length);
  fs.writeFileSync(path.join(dir, 'consumer.mts'), esm);
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    const { output } = await exec(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', config, '--pretty', 'false'], {
      cwd: dir,
      allowFailure: true,
    });
    // Library checks are on, so errors in other projects' declarations show too; only ours fail the test.
    const errors = output.split('\n').filter((line) => /\(\d+,\d+\): error TS/.test(line));
    const ours = errors.filter((line) => !/^(\.\.\/)?node_modules\//.test(line) || /node_modules\/@lgx\//.test(line));
    assert.deepEqual(ours, [], `${config}:\n${output}`);
    if (errors.length)
      console.log(`${config}: ${errors.length} error(s) in other packages' declarations, not LGX's:\n  ${errors.join('\n  ')}`);
  }
});

test('npx lgx --help', async () => {
  const { stdout } = await exec('npx', ['lgx', '--help'], { cwd: app });
  assert.match(stdout, /^lgx \d+\.\d+\.\d+: run and operate a council's LGX stack/);
  for (const command of ['init', 'validate', 'serve', 'send', 'new adapter']) assert.match(stdout, new RegExp(`\\n {2}${command} `));
});

test('a council tries a stack: lgx init, lgx simulate, lgx serve deliver a missed bin end to end', { timeout: 15 * minute }, async () => {
  // docs/guides/try-a-stack.md with the installed lgx, in a folder of its own; services on free ports.
  // Step 1 of the guide: a folder of its own where npm installs @lgx/cli (and with it LGX's adapters).
  const council = at('council');
  await project(council);
  await exec('npm', ['pkg', 'set', 'allowScripts.better-sqlite3=true', '--json'], { cwd: council });
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '@lgx/cli'], { cwd: council, timeoutMs: 10 * minute });
  const lgx = path.join(council, 'node_modules', '.bin', 'lgx');
  const simulator = start(lgx, ['simulate', 'open311', '--port', '0'], { cwd: council });
  await simulator.waitFor(/^ready: /m, 2 * minute);
  const env = Object.fromEntries([...simulator.stdout().matchAll(/^\s*export ([A-Z_][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  assert.ok(env.OPEN311_API_KEY, `lgx simulate printed no key to export:\n${simulator.output()}`);
  await exec(lgx, ['init', '--simulators'], { cwd: council });
  const validated = await exec(lgx, ['validate'], { cwd: council, env });
  assert.match(validated.stdout, /lgx\.yaml: valid \(council E07000223, 1 adapter\(s\), 2 route\(s\)\)/);
  const key = /^(lgx_\S+)$/m.exec(
    (await exec(lgx, ['keys', 'create', '--council', 'E07000223', '--label', 'web-forms'], { cwd: council, env })).stdout,
  )?.[1];
  assert.ok(key, 'lgx keys create printed no key');
  const serve = start(lgx, ['serve', '--poll', '1', '--port', '0'], { cwd: council, env });
  const gateway = (await serve.waitFor(/lgx gateway for council \S+ on (http:\/\/\S+)/, 2 * minute))[1];

  // A channel sends the example missed bin to the gateway, as a web form would.
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const body = fs.readFileSync(path.join(council, 'transactions', 'missed-bin.json'), 'utf8');
  const accepted = await globalThis.fetch(`${gateway}/v1/transactions`, { method: 'POST', headers, body });
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { id } = await accepted.json();
  let view;
  for (let tries = 0; tries < 60 && !(view?.state === 'delivered' && view?.status === 'open'); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    view = await (await globalThis.fetch(`${gateway}/v1/transactions/${id}`, { headers })).json();
  }
  assert.equal(view.state, 'delivered', JSON.stringify(view));
  assert.equal(view.deliveries[0].receipt.externalRef, '1001');
  assert.equal(view.status, 'open', 'the status update polled from the back office');
  assert.equal(await serve.stop('SIGINT'), 0);
  assert.equal(await simulator.stop('SIGINT'), 0);
  console.log(`delivered ${id} to the simulated back office as 1001 through lgx serve (${seconds()})`);
});

/** `lgx new adapter <id> ...options` from the project, then `npm install && npm test` in the package; returns its folder. */
async function greenAdapter(id, options) {
  const { stdout } = await exec('npx', ['lgx', 'new', 'adapter', id, '--scope', '@acme', '--dir', vendor, ...options], { cwd: app });
  assert.match(stdout, new RegExp(`created @acme/lgx-adapter-${id}`));
  const dir = path.join(vendor, `lgx-adapter-${id}`);
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeoutMs: 10 * minute });
  const { output } = await exec('npm', ['test'], { cwd: dir, timeoutMs: 5 * minute });
  assert.match(output, /Tests: +\d+ passed, \d+ total/);
  console.log(`lgx-adapter-${id} (${options[0]}) green: ${/Tests: +.*/.exec(output)[0]} (${seconds()})`);
  return dir;
}

test(
  'lgx new adapter, by --registry and by --tarballs: npm install && npm test green in the generated package',
  { timeout: 15 * minute },
  async () => {
    // The two routes install at once: mostly waiting on the network, they share npm's cache.
    const [fromRegistry, fromTarballs] = await Promise.all([
      greenAdapter('acme-waste', ['--registry', registry.url]),
      greenAdapter('acme-bins', ['--tarballs', at('tarballs')]),
    ]);
    assert.equal(
      fs
        .readFileSync(path.join(fromRegistry, '.npmrc'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('@lgx:')),
      `@lgx:registry=${registry.url}`,
    );
    // No registry for @lgx there: the tarballs are all it has.
    assert.equal(fs.existsSync(path.join(fromTarballs, '.npmrc')), false);
    assert.match(
      JSON.parse(fs.readFileSync(path.join(fromTarballs, 'package.json'), 'utf8')).devDependencies['@lgx/core'],
      /^file:.*lgx-core-.*\.tgz$/,
    );
  },
);

test(
  'a generated adapter loads on a core minor with the same contract, and a contract major refuses it by name',
  { timeout: 10 * minute },
  async () => {
    const adapterDir = path.join(vendor, 'lgx-adapter-acme-waste');
    await exec('npm', ['run', 'build'], { cwd: adapterDir, timeoutMs: 5 * minute });
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: adapterDir });
    const adapterTarball = path.join(work, JSON.parse(stdout)[0].filename);
    const core = packed.find((p) => p.name === '@lgx/core');
    const [major, minor] = core.version.split('.').map(Number);
    const contract = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', '@lgx', 'core', 'package.json'), 'utf8')).lgx
      .adapterContract;
    const nextMinor = `${major}.${minor + 1}.0`;
    const nextMajor = `${major + 1}.0.0`;
    const nextContract = `${Number(contract.split('.')[0]) + 1}.0.0`;
    for (const release of [
      { version: nextMinor, contract },
      { version: nextMajor, contract: nextContract },
    ]) {
      await registry.publish(await releaseCore(core.file, release, at('releases')));
    }

    // The council's project (CLI, runtime, gateway, adapters) takes the core minor: npm resolves every
    // peer range, and `lgx validate` loads the adapter through the runtime's check and creates it.
    await exec('npm', ['install', '--no-audit', '--no-fund', adapterTarball, `@lgx/core@${nextMinor}`], {
      cwd: app,
      timeoutMs: 5 * minute,
    });
    const running = await exec(process.execPath, ['-p', "require('@lgx/core').CORE_VERSION"], { cwd: app });
    assert.equal(running.stdout.trim(), nextMinor);
    fs.writeFileSync(
      path.join(app, 'acme.yaml'),
      [
        'council: E07000223',
        'adapters:',
        '  waste:',
        "    package: '@acme/lgx-adapter-acme-waste'",
        '    config: { baseUrl: http://127.0.0.1:9/, apiKey: test-key-123456 }',
        'routes:',
        '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
        '',
      ].join('\n'),
    );
    const validated = await exec('npx', ['lgx', 'validate', 'acme.yaml', '--json'], { cwd: app, allowFailure: true });
    assert.equal(JSON.parse(validated.stdout).valid, true, validated.output);

    // A core whose contract is a major on: npm installs the adapter beside it (its peer range is a lower
    // bound), and the host the runtime creates adapters with refuses it, naming both versions.
    const refused = at('contract-major');
    await project(refused);
    await exec('npm', ['install', '--no-audit', '--no-fund', adapterTarball, `@lgx/core@${nextMajor}`], {
      cwd: refused,
      timeoutMs: 5 * minute,
    });
    const script = [
      "const { instantiateAdapter } = require('@lgx/core/host');",
      "const adapter = require('@acme/lgx-adapter-acme-waste').default;",
      "instantiateAdapter(adapter, { baseUrl: 'http://127.0.0.1:9/', apiKey: 'test-key-123456' })",
      '  .then(() => console.log(JSON.stringify({ loaded: true })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));',
    ].join('\n');
    const result = JSON.parse((await exec(process.execPath, ['-e', script], { cwd: refused })).stdout);
    assert.equal(result.code, 'LGX_ERR_ADAPTER_INCOMPATIBLE');
    assert.equal(
      result.message,
      `adapter 'acme-waste' 0.1.0 supports adapter contract ^${contract}, but @lgx/core ${nextMajor} implements adapter contract ${nextContract}`,
    );
  },
);

test('lgx conformance runs an installed generated adapter on the harness its testing export gives', { timeout: 5 * minute }, async () => {
  // The adapter made by `lgx new adapter`, built, packed and installed in the council's project above:
  // no --harness, the command takes `conformanceHarness` from @acme/lgx-adapter-acme-waste/testing.
  const { stdout, output } = await exec('npx', ['lgx', 'conformance', '@acme/lgx-adapter-acme-waste', '--json'], {
    cwd: app,
    timeoutMs: 3 * minute,
    allowFailure: true,
  });
  const report = JSON.parse(stdout);
  assert.equal(report.passed, true, output);
  const passed = report.results.filter((r) => r.status === 'pass').map((r) => r.id);
  for (const id of ['health', 'submit', 'idempotency', 'poll-updates']) assert.ok(passed.includes(id), `${id} did not pass:\n${output}`);
  console.log(`lgx conformance @acme/lgx-adapter-acme-waste: ${passed.length} checks passed (${seconds()})`);
});
