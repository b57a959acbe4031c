/**
 * The JSON Schema of a vendor API key in an adapter's configuration: 8 to 512 printable ASCII
 * characters (no space, so a pasted line break or quote is refused by the rule it breaks), marked
 * secret so hosts keep it out of logs and plain-text files.
 */
export function apiKeySetting(description: string) {
  return {
    type: 'string',
    minLength: 8,
    maxLength: 512,
    pattern: '^[\\x21-\\x7e]+$',
    'x-lgx-secret': true,
    description,
  } as const;
}
