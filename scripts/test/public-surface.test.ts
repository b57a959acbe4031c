import fs from 'node:fs';
import path from 'node:path';
import * as dataverse from '@lgx/adapter-dataverse';
import * as notify from '@lgx/adapter-govuk-notify';
import * as pay from '@lgx/adapter-govuk-pay';
import * as open311 from '@lgx/adapter-open311';
import * as salesforce from '@lgx/adapter-salesforce';
import * as runtime from '@lgx/runtime';
import * as cli from '../../packages/cli/src/index';

const root = path.resolve(__dirname, '..', '..');

/**
 * Names each package's main entry used to export that are implementation details: hosts and adapters
 * have a public way to what they do (openStack routes, retries and hashes; each adapter maps its own
 * statuses and keys). A name here coming back would make it part of the API again.
 */
const INTERNAL: Record<string, { entry: object; names: string[] }> = {
  '@lgx/runtime': {
    entry: runtime,
    names: [
      'canonicalJson',
      'payloadHash',
      'GENESIS_HASH',
      'CircuitBreaker',
      'RateBudget',
      'nextStep',
      'DeliveryWorker',
      'parseCsv',
      'mappingFromCsv',
      'loadMappingTable',
      'resolveSecrets',
      'matchRoutes',
      'MAX_STACK_BYTES',
      'MAX_ALIAS_COUNT',
      'recordStatusUpdates',
      'pollCursorName',
      'webhookAdapter',
    ],
  },
  '@lgx/cli': { entry: cli, names: ['startDemoWorld', 'demoStackConfig', 'DEMO_COUNCIL'] },
  '@lgx/adapter-dataverse': { entry: dataverse, names: ['rowKey', 'canonicalStatus', 'STATUS_BY_REASON', 'STATUS_BY_STATE'] },
  '@lgx/adapter-govuk-notify': { entry: notify, names: ['splitApiKey', 'STATUS_MAP', 'FINAL_STATUSES'] },
  '@lgx/adapter-govuk-pay': { entry: pay, names: ['verifyPaySignature', 'STATUS_BY_STATE', 'FAILURE_TEXT'] },
  '@lgx/adapter-open311': { entry: open311, names: ['canonicalStatus', 'EXTENDED_STATUSES'] },
  '@lgx/adapter-salesforce': { entry: salesforce, names: ['externalIdOf', 'jwtAssertion', 'canonicalStatus', 'DEFAULT_STATUS_MAP'] },
};

describe('public surface', () => {
  it.each(Object.keys(INTERNAL))('%s does not export its internals', (name) => {
    const entry = INTERNAL[name]!;
    const exported = Object.keys(entry.entry);
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.filter((n) => entry.names.includes(n))).toEqual([]);
  });

  it('@lgx/runtime still exports what hosts, the gateway and the CLI use', () => {
    const exported: Record<string, unknown> = runtime;
    const used = [
      'openStack',
      'loadStack',
      'loadStackOutline',
      'createStack',
      'validateStack',
      'stackSchema',
      'stackLine',
      'loadAdapters',
      'loadAdapterPackage',
      'findInstalledAdapters',
    ];
    const operations = [
      'createSqliteStore',
      'createPostgresStore',
      'createDeadLetters',
      'verifyAuditChain',
      'StatusPoller',
      'StatusEvents',
      'startRetention',
      'purgeFinished',
      'verifyWebhookSignature',
    ];
    expect([...used, ...operations].filter((name) => exported[name] === undefined)).toEqual([]);
  });

  it('@lgx/core lists every generated canonical type by name', () => {
    const generated = fs.readFileSync(path.join(root, 'packages/core/src/generated/types.ts'), 'utf8');
    const index = fs.readFileSync(path.join(root, 'packages/core/src/index.ts'), 'utf8');
    const types = [...generated.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1]!);
    const listed = new Set(
      [...index.matchAll(/export type \{([^}]*)\} from '\.\/(?:generated\/)?types'/g)].flatMap((m) =>
        m[1]!
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      ),
    );
    expect(types.length).toBeGreaterThan(50);
    expect(types.filter((t) => !listed.has(t))).toEqual([]);
  });
});
