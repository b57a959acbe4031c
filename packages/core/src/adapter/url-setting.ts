/** How a URL setting is bounded: the pattern it must match and its longest length. */
export interface UrlSettingOptions {
  /** Default `^https?://` (http or https). */
  pattern?: string;
  /** A host alone, with no path, query or fragment (e.g. a login host or an environment URL). */
  hostOnly?: boolean;
  /** Default 2,048 characters. */
  maxLength?: number;
}

/** http or https, a host and at most a trailing slash. */
const HOST_ONLY = '^https?://[^/?#]+/?$';

/**
 * The JSON Schema of a URL in an adapter's configuration (a base URL, a token endpoint): a URI, http or
 * https only, of bounded length, so every adapter refuses a bad URL the same way and names the rule.
 */
export function urlSetting(description: string, options: UrlSettingOptions = {}) {
  return {
    type: 'string',
    format: 'uri',
    pattern: options.pattern ?? (options.hostOnly === true ? HOST_ONLY : '^https?://'),
    maxLength: options.maxLength ?? 2048,
    description,
  } as const;
}
