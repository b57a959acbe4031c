import path from 'node:path';
import { loadFixtures } from '@lgx/testkit';
import { readAddresses } from './addresses';
import { exportLines, stackFor, stackYaml } from './stack-entries';
import { DEFAULT_SIMULATOR_DATA } from './systems';
import { REPOSITORY_URL } from '../version';

/** An example transaction per type the simulators take: a canonical fixture each of them accepts. */
const SAMPLES: Readonly<Record<string, { file: string; fixture: string }>> = {
  'waste.missedCollection': { file: 'missed-bin.json', fixture: 'recycling-bin-out-not-emptied' },
  'street.report': { file: 'pothole.json', fixture: 'pothole-with-coordinates' },
  'councilTax.changeOfAddress': { file: 'council-tax-move.json', fixture: 'move-within-couple-tenants-to-owners' },
  payment: { file: 'payment.json', fixture: 'parking-permit-with-line-items' },
  notification: { file: 'email.json', fixture: 'email-permit-confirmation' },
  'waste.containerRequest': { file: 'container-request.json', fixture: 'replace-damaged-recycling-bin' },
  'crm.case': { file: 'case.json', fixture: 'anonymous-staff-case' },
};

export interface SimulatedStarter {
  /** The stack file's text. */
  stack: string;
  systems: Array<{ name: string; url: string }>;
  /** Whether the addresses are where `lgx simulate` started the systems (else their defaults). */
  fromFile: boolean;
  env: Record<string, string>;
  exports: string[];
  /** Example transactions in the short form `lgx send` takes, by file name. */
  samples: Array<{ file: string; body: { type: string; data: unknown } }>;
}

/** A stack wired to the simulators `lgx simulate` started from the current folder (or would start). */
export function simulatedStarter(council: string): SimulatedStarter {
  const { systems, fromFile } = readAddresses(path.resolve(DEFAULT_SIMULATOR_DATA));
  const stack = stackFor(systems);
  const text = `# An LGX stack wired to simulated back offices ('lgx simulate'), to try LGX without the real ones.
# Keep the routes, and replace each adapter's config with your real system's when you have it.
# Reference: ${REPOSITORY_URL}/blob/main/docs/guides/compose-a-stack.md
council: ${council}            # the council's GSS code

# Each instance names an npm package and its configuration. Secrets come from the environment
# (\${env:NAME}) or files (\${file:path}), never from this file: here the simulators' test
# credentials, which 'lgx simulate' and 'lgx init --simulators' print as export lines.
${stackYaml(stack)}`;
  const samples = stack.routes.flatMap((route) => {
    const sample = SAMPLES[route.match.type];
    if (!sample) return [];
    const fixture = loadFixtures(route.match.type, { kind: 'valid' }).find((f) => f.name === sample.fixture);
    return fixture ? [{ file: sample.file, body: { type: route.match.type, data: fixture.data } }] : [];
  });
  return {
    stack: text,
    systems: systems.map((s) => ({ name: s.name, url: s.url })),
    fromFile,
    env: stack.env,
    exports: exportLines(stack.env),
    samples,
  };
}
