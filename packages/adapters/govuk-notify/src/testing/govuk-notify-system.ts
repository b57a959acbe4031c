import type { SimulatedSystem } from '@lgx/testkit';
import { DEFAULT_NOTIFY_TEMPLATES, GOVUK_NOTIFY_TEST_API_KEY, startGovukNotifySimulator } from './govuk-notify-simulator';

/** The GOV.UK Notify simulator as `lgx simulate govuk-notify` runs it: a test key, so messages are delivered at once. */
export const govukNotifySystem: SimulatedSystem = {
  name: 'govuk-notify',
  title: 'GOV.UK Notify (emails, text messages and letters from templates)',
  start: (options = {}) => startGovukNotifySimulator(options),
  address: (url) => url,
  stack: (url) => ({
    package: '@lgx/adapter-govuk-notify',
    config: { baseUrl: url, apiKey: '${env:GOVUK_NOTIFY_API_KEY}' },
    env: { GOVUK_NOTIFY_API_KEY: GOVUK_NOTIFY_TEST_API_KEY },
    types: ['notification'],
    notes: [
      ...DEFAULT_NOTIFY_TEMPLATES.map((t) => {
        const fields = [...new Set([...`${t.subject ?? ''} ${t.body}`.matchAll(/\(\(([^()?]+)\)\)/g)].map((m) => m[1]!.trim()))];
        return `template ${t.id} (${t.type}) "${t.name}"${fields.length ? `, personalisation: ${fields.join(', ')}` : ''}`;
      }),
      'the key is a test key: messages are "delivered" (letters "received") when next read; temp-fail@simulator.notify and 07700900003 fail temporarily',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [govukNotifySystem];
