/**
 * @module @lgx/adapter-soap/testing
 *
 * The declarative SOAP adapter's example systems, as stateful SOAP servers on 127.0.0.1 built on the
 * testkit's SOAP simulator: Streetworks Exchange (street works, login sessions or WS-Security; the
 * system `streetWorksExampleConfig` and `examples/street-works.json` connect) and Acme Revenues
 * (council tax moves, WS-Security; connected by `revenuesMapping`). Both are FICTIONAL systems
 * written for LGX. Needs `@lgx/testkit` installed beside it; the adapter's main entry does not.
 */
export {
  startStreetWorksSimulator,
  hostileXmlFault,
  STREET_WORKS_WSDL,
  STREET_WORKS_NAMESPACE,
  STREET_WORKS_USERNAME,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_DEFECT_TYPES,
  type StreetWorksSimulator,
  type StreetWorksSimulatorOptions,
  type StreetWorksState,
  type StreetWorksDefect,
  type StreetWorksChange,
  type StreetWorksStatusCode,
} from './street-works-simulator';
export {
  startRevenuesSimulator,
  revenuesMapping,
  REVENUES_WSDL,
  REVENUES_USERNAME,
  REVENUES_PASSWORD,
  type RevenuesCase,
  type RevenuesSimulator,
  type RevenuesSimulatorOptions,
  type RevenuesState,
} from './revenues-simulator';
export { streetWorksSystem, revenuesSystem, simulatedSystems } from './soap-systems';
export { conformanceHarness } from './conformance-harness';
