import { describeAdapterConformance } from '@lgx/testkit';
import { conformanceHarness } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the GOV.UK Pay simulator: the harness the package's
// `testing` export gives `lgx conformance`.
describeAdapterConformance(adapter, conformanceHarness.options);
