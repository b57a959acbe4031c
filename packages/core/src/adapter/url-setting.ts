/** How a URL setting is bounded: the pattern it must match and its longest length. */
export interface UrlSettingOptions {
  /** Default `^https?://` (http or https); e.g. `^https?://[^/?#]+/?$` for a host with no path. */
  pattern?: string;
  /** Default 2,048 characters. */
  maxLength?: number;
}

/**
 * The JSON Schema of a URL in an adapter's configuration (a base URL, a token endpoint): a URI, http or
 * https only, of bounded length, so every adapter refuses a bad URL the same way and names the rule.
 */
export function urlSetting(description: string, options: UrlSettingOptions = {}) {
  return {
    type: 'string',
    format: 'uri',
    pattern: options.pattern ?? '^https?://',
    maxLength: options.maxLength ?? 2048,
    description,
  } as const;
}
