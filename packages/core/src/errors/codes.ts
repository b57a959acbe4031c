/**
 * The one table of LGX error codes. Codes are stable: a code is never renamed or reused; a retired
 * code stays here with `retired: true`. `docs/errors.md` documents every code (a test keeps them in step).
 */
export const errorCodes = {
  LGX_ERR_VALIDATION_INVALID: {
    summary: 'The transaction, query or configuration does not match its schema.',
  },
  LGX_ERR_VALIDATION_MALFORMED_JSON: {
    summary: 'The input is not well-formed JSON.',
  },
  LGX_ERR_VALIDATION_TOO_LARGE: {
    summary: 'The input is larger than the size limit.',
  },
  LGX_ERR_SCHEMA_UNKNOWN_TYPE: {
    summary: 'No schema is registered for this transaction or query type.',
  },
  LGX_ERR_SCHEMA_UNKNOWN_VERSION: {
    summary: 'The type is known but not at this major version.',
  },
  LGX_ERR_SCHEMA_NO_CONVERTER: {
    summary: 'No chain of converters leads from the payload version to the version asked for.',
  },
  LGX_ERR_SCHEMA_DUPLICATE: {
    summary: 'A schema or converter with this id is already registered.',
  },
  LGX_ERR_ADAPTER_DEFINITION_INVALID: {
    summary: 'An adapter definition (manifest, capabilities or config schema) is malformed.',
  },
  LGX_ERR_ADAPTER_INCOMPATIBLE: {
    summary: "The adapter's supported adapter contract range (manifest.sdk) does not include the contract version the installed @lgx/core implements.",
  },
  LGX_ERR_ADAPTER_CONFIG_INVALID: {
    summary: "The adapter's configuration does not match its config schema.",
  },
  LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED: {
    summary: 'The adapter does not declare or implement the requested operation for this type.',
  },
  LGX_ERR_ADAPTER_RETRYABLE: {
    summary: 'The back office failed in a way that may succeed if tried again later (5xx, connection error, timeout).',
  },
  LGX_ERR_ADAPTER_RATE_LIMITED: {
    summary: 'The back office asked us to slow down (HTTP 429); retry after the given delay.',
  },
  LGX_ERR_ADAPTER_PERMANENT: {
    summary: 'The back office rejected the request; sending it again unchanged will fail again.',
  },
  LGX_ERR_ADAPTER_AUTH: {
    summary: 'The back office refused our credentials (HTTP 401/403, SOAP authentication fault).',
  },
  LGX_ERR_ADAPTER_NOT_FOUND: {
    summary: 'The back office has no record with this reference.',
  },
  LGX_ERR_ADAPTER_CONTRACT: {
    summary: 'An adapter returned a receipt or status update that does not match its schema; the runtime did not store it.',
  },
  LGX_ERR_TRANSPORT_TIMEOUT: {
    summary: 'The back office did not answer within the timeout.',
  },
  LGX_ERR_TRANSPORT_ABORTED: {
    summary: 'The call was aborted by its signal (shutdown or a caller deadline).',
  },
  LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE: {
    summary: 'The back office answered with more bytes than the response size limit.',
  },
  LGX_ERR_TRANSPORT_MALFORMED_RESPONSE: {
    summary: 'The back office answered with a body that could not be parsed.',
  },
  LGX_ERR_TRANSPORT_TLS: {
    summary: "The back office's TLS certificate could not be verified.",
  },
  LGX_ERR_SOAP_UNSAFE_XML: {
    summary: 'An XML document carried a DOCTYPE or entity declaration, which LGX refuses.',
  },
  LGX_ERR_SOAP_WSDL_INVALID: {
    summary: 'The WSDL could not be loaded or does not describe the operation asked for.',
  },
  LGX_ERR_RUNTIME_NO_ROUTE: {
    summary: 'The stack has no route for this transaction (its type, LGSL, council or data match none).',
  },
  LGX_ERR_SOAP_UNAVAILABLE: {
    summary: "The optional 'soap' package is not installed.",
  },
  LGX_ERR_GATEWAY_UNAUTHENTICATED: {
    summary: 'The request has no API key, or the key is unknown, malformed or revoked.',
  },
  LGX_ERR_GATEWAY_FORBIDDEN: {
    summary: "The API key is valid but lacks the scope the request needs, or names another council.",
  },
  LGX_ERR_GATEWAY_NOT_FOUND: {
    summary: 'No such route, transaction, schema or adapter (or it belongs to another council).',
  },
  LGX_ERR_GATEWAY_UNSUPPORTED_MEDIA_TYPE: {
    summary: 'The request body has a content type this endpoint does not take.',
  },
  LGX_ERR_GATEWAY_KEY_STORE_INVALID: {
    summary: 'The API key file cannot be read: it is not the JSON the gateway writes.',
  },
  LGX_ERR_GATEWAY_REQUEST_TIMEOUT: {
    summary: 'The client did not send the whole request (headers, or headers and body) within the time allowed.',
  },
  LGX_ERR_GATEWAY_STOPPING: {
    summary: 'The gateway is shutting down and takes no new requests; send the request again after Retry-After.',
  },
  LGX_ERR_GATEWAY_OVERLOADED: {
    summary: 'The gateway is above a high-water mark (queue depth or event-loop delay) and refused a submission; nothing was stored.',
  },
  LGX_ERR_CLI_USAGE: {
    summary: 'The lgx command was called with an unknown command, option or missing argument.',
  },
  LGX_ERR_ADAPTER_OPENAPI_MISMATCH: {
    summary: "The adapter's OpenAPI document could not be read, or does not define a request (method and path) its configuration uses.",
  },
} as const satisfies Record<string, { summary: string; retired?: boolean }>;

/** Every LGX error code. */
export type LgxErrorCode = keyof typeof errorCodes;

/** All codes, in table order. */
export const ERROR_CODES = Object.keys(errorCodes) as LgxErrorCode[];
