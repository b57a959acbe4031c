import type { SimulatedSystem } from '@lgx/testkit';
import { GOVUK_PAY_SIMULATOR_API_KEY, GOVUK_PAY_SIMULATOR_SIGNING_SECRET, startGovukPaySimulator } from './govuk-pay-simulator';

/** The GOV.UK Pay simulator as `lgx simulate govuk-pay` runs it. */
export const govukPaySystem: SimulatedSystem = {
  name: 'govuk-pay',
  title: 'GOV.UK Pay (card payments on a hosted payment page)',
  start: (options = {}) => startGovukPaySimulator(options),
  address: (url) => url,
  stack: (url) => ({
    package: '@lgx/adapter-govuk-pay',
    config: { baseUrl: url, apiKey: '${env:GOVUK_PAY_API_KEY}', webhookSigningSecret: '${env:GOVUK_PAY_WEBHOOK_SECRET}' },
    env: { GOVUK_PAY_API_KEY: GOVUK_PAY_SIMULATOR_API_KEY, GOVUK_PAY_WEBHOOK_SECRET: GOVUK_PAY_SIMULATOR_SIGNING_SECRET },
    types: ['payment'],
    notes: [
      'a payment is created with a payment page link (next_url) and stays "created": nobody pays in a simulator',
      'return_url must be https, amounts are whole pence from 1 to 10,000,000',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [govukPaySystem];
