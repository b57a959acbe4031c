import { randomUUID } from 'node:crypto';
import { checkCompatibility, findUnmarkedSecrets, validateAgainst, validateConfig } from '@lgx/core';
import { fail } from './check-helpers';
import type { ConformanceCheck } from './conformance-types';

export function declarationChecks(): ConformanceCheck[] {
  return [
    {
      id: 'manifest',
      title: 'manifest and capabilities are valid and match this @lgx/core',
      run: async ({ definition }) => {
        const result = validateAgainst('https://schemas.lgx.dev/adapter/v1.json', {
          manifest: definition.manifest,
          capabilities: definition.capabilities,
          configSchema: definition.configSchema,
        });
        if (!result.ok) fail('manifest', 'declaration', result.issues.map((i) => `${i.path} ${i.message}`).join('; '));
        try {
          checkCompatibility(definition);
        } catch (error) {
          fail('manifest', 'sdk range', (error as Error).message);
        }
      },
    },
    {
      id: 'config-schema',
      title: 'config schema marks its secrets and accepts the test config',
      run: async ({ definition, config }) => {
        const unmarked = findUnmarkedSecrets(definition.configSchema);
        if (unmarked.length) fail('config-schema', 'config schema', `secret-looking fields without x-lgx-secret: ${unmarked.join(', ')}`);
        const result = validateConfig(definition, config);
        if (!result.ok) fail('config-schema', 'test config', result.issues.map((i) => `${i.path} ${i.message}`).join('; '));
      },
    },
    {
      id: 'health',
      title: 'check() reports healthy against the simulator, and unhealthy when it is down',
      run: async ({ instance, simulator }) => {
        if (!instance.check) return;
        const up = await instance.check({ signal: AbortSignal.timeout(5000) });
        if (!up.ok) fail('health', 'simulator up', `check() said not ok: ${up.message ?? ''}`);
        simulator.faults.down();
        try {
          const down = await instance.check({ signal: AbortSignal.timeout(5000) }).catch(() => ({ ok: false }));
          if (down.ok) fail('health', 'simulator down', 'check() said ok while the vendor was unreachable');
        } finally {
          simulator.faults.up();
        }
      },
    },
  ];
}

const ERASE_STATUSES = ['erased', 'requested', 'not_found'];

/**
 * An adapter that declares 'erase' for a type has the operation, and asking it to erase a record its
 * back office never held answers with one of the outcomes, or fails with a coded error.
 */
export function eraseCheck(): ConformanceCheck {
  return {
    id: 'erase',
    title: 'erase() is there for every type that declares it, and answers a known outcome for a record that is not there',
    run: async ({ definition, instance }) => {
      const declared = definition.capabilities.filter((c) => c.operations.includes('erase'));
      if (declared.length === 0) return;
      if (typeof instance.erase !== 'function') fail('erase', 'declaration', `declares erase for ${declared[0]!.type} but has no erase()`);
      for (const { type } of declared) {
        const request = { type, externalRef: randomUUID(), transactionId: randomUUID() };
        let outcome: unknown;
        try {
          outcome = await instance.erase(request, { signal: AbortSignal.timeout(5000) });
        } catch (error) {
          if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'string')
            fail('erase', type, 'erase() failed with an error that has no code (throw an LgxError or an adapter error)');
          continue;
        }
        const status = (outcome as { status?: unknown } | undefined)?.status;
        if (typeof status !== 'string' || !ERASE_STATUSES.includes(status))
          fail('erase', type, `erase() answered status ${JSON.stringify(status)}; expected one of ${ERASE_STATUSES.join(', ')}`);
      }
    },
  };
}

export function closeCheck(): ConformanceCheck {
  return {
    id: 'close',
    title: 'close() releases the adapter',
    run: async ({ instance }) => {
      await instance.close?.();
    },
  };
}
