/**
 * @module @lgx/adapter-alloy
 *
 * The LGX adapter for Alloy (Yotta): canonical `street.report`, `waste.missedCollection` and
 * `crm.case` transactions become items of the council's Alloy designs, as its configuration maps them.
 * Look-before-create on an attribute holding the LGX transaction id makes a repeated delivery safe;
 * status comes from an option attribute through the council's mapping, by look-up and by polling AQS
 * on lastEditDate windows.
 */
export { adapter, adapter as default } from './adapter';
export {
  configSchema,
  ALLOY_TYPES,
  DEFAULT_BASE_URL,
  VALUE_FORMATS,
  type AlloyConfig,
  type AlloyType,
  type AlloyTypeConfig,
  type AlloyStatusConfig,
  type AttributeSource,
  type ValueFormat,
} from './config';
export { alloyExampleConfig } from './example-config';
export { VERSION } from './version';
