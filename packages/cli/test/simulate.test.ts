import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { lgx, scratch, startLgx, type RunningLgx } from './helpers';

const NAMES = [
  'open311',
  'govuk-pay',
  'govuk-notify',
  'street-works',
  'revenues',
  'example-waste',
  'dataverse',
  'salesforce',
  'alloy',
  'fieldbook',
];

let dir: string;
const started: RunningLgx[] = [];
beforeEach(() => {
  dir = scratch();
});
afterEach(async () => {
  for (const service of started.splice(0)) await service.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function simulate(args: string[]): RunningLgx {
  const service = startLgx(['simulate', ...args], { cwd: dir });
  started.push(service);
  return service;
}

interface SimulatorInfo {
  name: string;
  url: string;
  address: string;
  package: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
  types: string[];
  notes: string[];
}

const postOpen311 = async (endpoint: string): Promise<string> => {
  const body = new URLSearchParams({
    api_key: 'open311-test-api-key-0001',
    service_code: 'pothole',
    lat: '52.2',
    long: '0.12',
    description: 'Deep hole',
  });
  const res = await fetch(`${endpoint}/requests.json`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return ((await res.json()) as Array<{ service_request_id: string }>)[0]!.service_request_id;
};

describe('lgx simulate', () => {
  it('refuses an unknown name or a bad port with exit 2, saying what it takes', async () => {
    expect((await lgx(['--help'], { cwd: dir })).stdout).toMatch(/^ {2}simulate +start simulated back offices/m);
    const unknown = await lgx(['simulate', 'open-311'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`no simulator called 'open-311' (simulators: ${NAMES.join(', ')}, all)`);
    expect(unknown.stderr).toContain('lgx simulate [name...]');
    const notANumber = await lgx(['simulate', '--port', 'eighty'], { cwd: dir });
    expect([notANumber.code, notANumber.stderr]).toEqual([2, expect.stringContaining('--port must be a whole number from 0 to 65535')]);
    expect((await lgx(['simulate', '--port', '70000'], { cwd: dir })).code).toBe(2);
    const noRoom = await lgx(['simulate', '--port', '65533'], { cwd: dir });
    expect([noRoom.code, noRoom.stderr]).toEqual([
      2,
      expect.stringContaining('--port 65533 leaves no room for 10 simulator(s): use a base from 1 to 65526'),
    ]);
    // Nothing was started, so nothing was written.
    expect(existsSync(path.join(dir, '.lgx-simulators'))).toBe(false);
  }, 90_000);

  it('says which port is in use and exits 1 instead of hanging', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const result = await lgx(['simulate', 'open311', '--port', String(port)], { cwd: dir, timeoutMs: 30_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use, so open311 cannot start`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("prints every simulator's stack entry (--json), keeps state across a restart, and stops on SIGTERM with exit 0", async () => {
    const first = simulate(['--port', '0', '--json', '--data', 'sims']);
    const info = JSON.parse((await first.waitFor(/^\{.*\}$/m))[0]) as {
      data: string;
      simulators: SimulatorInfo[];
      env: Record<string, string>;
    };
    expect(info.data).toBe(path.join(dir, 'sims'));
    expect(info.simulators.map((s) => s.name)).toEqual(NAMES);
    for (const s of info.simulators) {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.address.startsWith(s.url)).toBe(true);
      expect(s.package).toMatch(/^@lgx\/adapter-/);
      // The config names each key and secret, and holds none of their values.
      const config = JSON.stringify(s.config);
      for (const [name, value] of Object.entries(s.env)) {
        expect(config).toContain(`\${env:${name}}`);
        expect(config).not.toContain(value);
      }
    }
    const open311 = info.simulators.find((s) => s.name === 'open311')!;
    expect(open311.config).toEqual({ baseUrl: open311.address, apiKey: '${env:OPEN311_API_KEY}' });
    expect(open311.notes.join('\n')).toContain('missed_refuse');
    expect(info.simulators.find((s) => s.name === 'govuk-notify')!.notes.join('\n')).toContain(
      'template f33517ff-2a88-4f6e-b855-c550268ce08a (email)',
    );
    expect(await postOpen311(open311.address)).toBe('1001');
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.stderr()).toContain('SIGTERM: stopping the simulators');
    expect(readdirSync(path.join(dir, 'sims'))).toEqual(expect.arrayContaining(['open311.json', 'simulators.json']));

    // Started again on the same folder: the numbering goes on and the first request still answers.
    const port = new URL(open311.url).port;
    const second = simulate(['open311', '--port', port, '--data', 'sims']);
    await second.waitFor(/^ready: /m);
    expect(second.stdout()).toContain(`open311  http://127.0.0.1:${port}/open311/v2`);
    expect(second.stdout()).toContain('export OPEN311_API_KEY=open311-test-api-key-0001');
    expect(await postOpen311(open311.address)).toBe('1002');
    expect((await fetch(`${open311.address}/requests/1001.json`)).status).toBe(200);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 120_000);
});

describe('lgx init --simulators', () => {
  it('writes a stack wired to the running simulators, and every example transaction it writes is delivered', async () => {
    const sims = simulate(['--port', '0']);
    await sims.waitFor(/^ready: /m);
    const init = await lgx(['init', '--simulators', '--json'], { cwd: dir });
    expect(init.code).toBe(0);
    const written = JSON.parse(init.stdout) as {
      stack: string;
      simulators: Array<{ name: string; url: string }>;
      transactions: string[];
      env: Record<string, string>;
    };
    expect(written.simulators.map((s) => s.name)).toEqual(NAMES);
    const stackText = readFileSync(written.stack, 'utf8');
    for (const s of written.simulators) expect(stackText).toContain(s.url);
    for (const value of Object.values(written.env)) expect(stackText).not.toContain(value);
    expect(written.transactions.map((t) => path.basename(t)).sort()).toEqual([
      'case.json',
      'container-request.json',
      'council-tax-move.json',
      'email.json',
      'missed-bin.json',
      'payment.json',
      'pothole.json',
    ]);

    const validate = await lgx(['validate'], { cwd: dir, env: written.env });
    expect(validate.stdout).toContain('lgx.yaml: valid (council E07000223, 10 adapter(s), 9 route(s))');
    const targets: Record<string, string> = {
      'missed-bin.json': 'open311',
      'pothole.json': 'street-works',
      'council-tax-move.json': 'revenues',
      'payment.json': 'govuk-pay',
      'email.json': 'govuk-notify',
      'container-request.json': 'example-waste',
      'case.json': 'dataverse',
    };
    for (const file of written.transactions) {
      const sent = await lgx(['send', path.relative(dir, file), '--wait', '30'], { cwd: dir, env: written.env });
      expect({ file: path.basename(file), code: sent.code, out: sent.stdout }).toEqual({
        file: path.basename(file),
        code: 0,
        out: expect.stringMatching(/^delivered$/m),
      });
      expect(sent.stdout).toContain(`  ${targets[path.basename(file)]}: attempt 1 delivered`);
    }
    // The stack is the user's now: not overwritten without --force.
    expect((await lgx(['init', '--simulators'], { cwd: dir })).code).toBe(1);
    expect(await sims.stop()).toBe(0);
  }, 240_000);

  it('wires every simulator at its default port when lgx simulate has not run here', async () => {
    const init = await lgx(['init', 'stack', '--simulators', '--council', 'E08000025'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('10 simulated back office(s) at their default ports');
    expect(init.stdout).toContain('export OPEN311_API_KEY=open311-test-api-key-0001');
    const stackText = readFileSync(path.join(dir, 'stack', 'lgx.yaml'), 'utf8');
    expect(stackText).toContain('council: E08000025');
    for (const address of [
      'http://127.0.0.1:8081/open311/v2',
      'http://127.0.0.1:8082',
      'http://127.0.0.1:8083',
      'http://127.0.0.1:8084/streetworks/v2?wsdl',
      'http://127.0.0.1:8085/revenues?wsdl',
      'http://127.0.0.1:8086',
      'http://127.0.0.1:8087',
      'http://127.0.0.1:8088',
      'http://127.0.0.1:8089/api/',
      'http://127.0.0.1:8090/v2',
    ]) {
      expect(stackText).toContain(address);
    }
    expect(stackText).toContain(
      '- { match: { type: street.report }, mode: one, targets: [street-works] }   # also served by open311, alloy, fieldbook',
    );
    expect(stackText).toContain(
      '- { match: { type: crm.case }, mode: fallback, targets: [dataverse, salesforce] }   # also served by alloy',
    );
  });
});
