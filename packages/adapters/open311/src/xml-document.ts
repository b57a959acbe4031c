import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PermanentError, RetryableError } from '@lgx/core';

// A DOCTYPE is the only way into entity declarations, hence into external entities (XXE) and entity
// expansion ("billion laughs"). Open311 documents never need one, so a document that has one is
// refused before the parser sees it, whatever the parser would have done with it.
const UNSAFE = /<!\s*(DOCTYPE|ENTITY)/i;

// Elements that are lists in Open311 documents (as FixMyStreet reads them), so one item still
// comes back as an array.
const LISTS = new Set(['service', 'attribute', 'value', 'request', 'error', 'request_update', 'group', 'media_url', 'endpoint', 'format']);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Values stay strings: service codes such as "033" and ids such as "0042" must not become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
  // Callbacks get a matcher instead of a built path string: cheaper, and isArray needs only the name.
  jPath: false,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and character references in one pass (so `&amp;lt;`
 * stays `&lt;`). Nothing else is expanded: no declared entity can exist, the DOCTYPE being refused.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[name] ?? whole;
  });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Copies the parsed tree into null-prototype objects, decoding text and dropping prototype keys. */
function clean(value: unknown, depth = 0): unknown {
  if (depth > 32) throw new RetryableError('Open311 XML document is nested too deeply', { code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) if (!FORBIDDEN_KEYS.has(k)) out[k] = clean(v, depth + 1);
    return out;
  }
  return value;
}

/** True when the text declares a DOCTYPE or an entity. */
export function hasUnsafeXml(text: string): boolean {
  return UNSAFE.test(text.includes('\0') ? text.replace(/\0/g, '') : text);
}

/**
 * Parses an Open311 XML document safely: a DOCTYPE or entity declaration is refused unread
 * (PermanentError LGX_ERR_SOAP_UNSAFE_XML), entities are never expanded beyond the predefined five,
 * prototype keys are dropped, and a document that does not parse is a retryable malformed response.
 */
export function parseXml(text: string, what: string): Record<string, unknown> {
  if (hasUnsafeXml(text)) {
    throw new PermanentError(`${what} answered an XML document with a DOCTYPE or entity declaration; LGX refuses such documents unread`, {
      code: 'LGX_ERR_SOAP_UNSAFE_XML',
    });
  }
  // Checked for well-formedness first: the parser alone would read a truncated document as a short one.
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new RetryableError(`${what} answered a body that is not well-formed XML (line ${valid.err.line})`, {
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (cause) {
    throw new RetryableError(`${what} answered a body that is not well-formed XML`, {
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
      cause,
    });
  }
  const tree = clean(parsed);
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    throw new RetryableError(`${what} answered a body that is not an XML document`, { code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
  }
  return tree as Record<string, unknown>;
}

/** Parses JSON, dropping prototype keys. Malformed JSON is a retryable malformed response. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value));
  } catch (cause) {
    throw new RetryableError(`${what} answered a body that is not valid JSON`, { code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE', cause });
  }
}
