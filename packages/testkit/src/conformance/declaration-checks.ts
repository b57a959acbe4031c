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

export function closeCheck(): ConformanceCheck {
  return {
    id: 'close',
    title: 'close() releases the adapter',
    run: async ({ instance }) => {
      await instance.close?.();
    },
  };
}
