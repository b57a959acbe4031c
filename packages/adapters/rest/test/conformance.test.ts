import { describeAdapterConformance } from '@lgx/testkit';
import { conformanceHarness } from '../src/testing';

// The whole LGX conformance suite, against the fictional Fieldbook with the example mapping, checked
// against Fieldbook's OpenAPI document: the harness the package's `testing` export gives `lgx
// conformance`, whose adapter declares exactly what that mapping does (street reports deduplicated by
// a look-up, missed bins by Idempotency-Key).
describeAdapterConformance(conformanceHarness.adapter!, conformanceHarness.options);
