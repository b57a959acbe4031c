/** The JSON Schema of a JSONata expression in a declarative adapter's configuration (compiled by `compileMapping`). */
export const EXPRESSION_SETTING = {
  type: 'string',
  minLength: 1,
  maxLength: 20000,
  description: 'A JSONata expression (https://docs.jsonata.org), compiled once when the adapter is created.',
} as const;
