import { describeAdapterConformance } from '@lgx/testkit';
import adapter from '../src';
import { conformanceHarness } from '../src/testing';

// The whole LGX conformance suite, against the simulator of the vendor API: the harness the
// package's `testing` export gives `lgx conformance`.
describeAdapterConformance(adapter, conformanceHarness.options);
