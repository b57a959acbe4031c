import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alloyExampleConfig } from '@lgx/adapter-alloy';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: root, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

// The examples are documentation that runs: each must work as its README says.
describe('examples', () => {
  it('validate-a-form runs', async () => {
    const result = await run(tsx, ['examples/validate-a-form/index.ts']);
    expect(result.code).toBe(0);
  }, 90_000);

  it('integrator-embed takes a payment and hears it close', async () => {
    const result = await run(tsx, ['examples/integrator-embed/index.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/send the citizen to http:\/\/127\.0\.0\.1:\d+\/secure\//);
    expect(result.stdout).toContain('status history: closed');
    // GOV.UK Pay's webhook reached the stack through the gateway the service runs.
    expect(result.stdout).toContain('webhook answered 200');
  }, 90_000);

  it('rest-back-office delivers to a REST back office by configuration and hears its status changes', async () => {
    const result = await run(tsx, ['examples/rest-back-office/index.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/delivered: street report as FB-\d{6}, missed bin as FB-\d{6}/);
    expect(result.stdout).toContain('street.report: open (Fieldbook: received) -> action_scheduled (Fieldbook: scheduled)');
    expect(result.stdout).toContain('waste.missedCollection: open (Fieldbook: received) -> fixed (Fieldbook: completed)');
  }, 90_000);

  it('council-stack is a valid stack', async () => {
    const env = {
      GOVUK_PAY_API_KEY: 'api_test_example',
      GOVUK_PAY_WEBHOOK_SECRET: 'webhook-secret-example',
      GOVUK_NOTIFY_API_KEY: 'example-11111111-1111-1111-1111-111111111111-22222222-2222-2222-2222-222222222222',
      WASTE_OPEN311_KEY: 'waste-key-example',
      STREETWORKS_WSDL: 'https://highways.example/soap?wsdl',
      STREETWORKS_PASSWORD: 'example',
    };
    const result = await run(
      process.execPath,
      [path.join(root, 'packages', 'cli', 'dist', 'cli.js'), 'validate', 'examples/council-stack/lgx.yaml'],
      env,
    );
    expect(result.stdout).toContain('valid (council E07000223, 4 adapter(s), 4 route(s))');
    expect(result.code).toBe(0);
  }, 90_000);

  it('crm-fallback is a valid stack', async () => {
    // A throwaway key: validation reads it as a PEM private key and contacts no one.
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const env = { DATAVERSE_CLIENT_SECRET: 'example-secret', SALESFORCE_PRIVATE_KEY: privateKey };
    const result = await run(
      process.execPath,
      [path.join(root, 'packages', 'cli', 'dist', 'cli.js'), 'validate', 'examples/crm-fallback/lgx.yaml'],
      env,
    );
    expect(result.stdout).toContain('valid (council E07000223, 2 adapter(s), 1 route(s))');
    expect(result.code).toBe(0);
    const broken = await run(
      process.execPath,
      [path.join(root, 'packages', 'cli', 'dist', 'cli.js'), 'validate', 'examples/crm-fallback/lgx.yaml'],
      { ...env, SALESFORCE_PRIVATE_KEY: 'not a key' },
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('/privateKey is not a PEM private key');
    expect(broken.stderr).not.toContain('not a key');
  }, 90_000);

  it('street-reports-alloy is a valid stack holding the Alloy adapter’s example configuration', async () => {
    const env = { ALLOY_API_URL: 'https://api.uk.alloyapp.io/api/', ALLOY_API_KEY: 'example-api-key-0123' };
    const file = 'examples/street-reports-alloy/lgx.yaml';
    const result = await run(process.execPath, [path.join(root, 'packages', 'cli', 'dist', 'cli.js'), 'validate', file], env);
    expect(result.stdout).toContain('valid (council E07000223, 1 adapter(s), 3 route(s))');
    expect(result.code).toBe(0);
    // The file is documentation of the example customer's designs: it must not drift from them.
    const stack = parse(readFileSync(path.join(root, file), 'utf8')) as { adapters: { alloy: { config: unknown } } };
    expect(stack.adapters.alloy.config).toEqual(alloyExampleConfig('${env:ALLOY_API_URL}', '${env:ALLOY_API_KEY}'));
    const wrong = await run(process.execPath, [path.join(root, 'packages', 'cli', 'dist', 'cli.js'), 'validate', file], {
      ...env,
      ALLOY_API_URL: 'ftp://alloy.example/',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('/baseUrl');
  }, 90_000);
});
