/** The HTTP statuses error codes map to. */
export type ErrorHttpStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 422 | 429 | 500 | 501 | 502 | 503 | 504;

/** One code of the table. */
export interface ErrorCodeEntry {
  summary: string;
  /**
   * What the gateway answers when an error with this code ends a request. 500 for codes not expected
   * while handling one (configuration, startup, the CLI): the gateway then hides the message and logs it.
   */
  httpStatus: ErrorHttpStatus;
  retired?: boolean;
}

/**
 * The one table of LGX error codes. Codes are stable: a code is never renamed or reused; a retired
 * code stays here with `retired: true`. `docs/errors.md` documents every code (a test keeps them in step).
 */
export const errorCodes = {
  LGX_ERR_VALIDATION_INVALID: {
    summary: 'The transaction, query or configuration does not match its schema.',
    httpStatus: 400,
  },
  LGX_ERR_VALIDATION_MALFORMED_JSON: {
    summary: 'The input is not well-formed JSON.',
    httpStatus: 400,
  },
  LGX_ERR_VALIDATION_TOO_LARGE: {
    summary: 'The input is larger than the size limit.',
    httpStatus: 413,
  },
  LGX_ERR_SCHEMA_UNKNOWN_TYPE: {
    summary: 'No schema is registered for this transaction or query type.',
    httpStatus: 400,
  },
  LGX_ERR_SCHEMA_UNKNOWN_VERSION: {
    summary: 'The type is known but not at this major version.',
    httpStatus: 400,
  },
  LGX_ERR_SCHEMA_NO_CONVERTER: {
    summary: 'No chain of converters leads from the payload version to the version asked for.',
    httpStatus: 400,
  },
  LGX_ERR_SCHEMA_DUPLICATE: {
    summary: 'A schema or converter with this id is already registered.',
    httpStatus: 500,
  },
  LGX_ERR_ADAPTER_DEFINITION_INVALID: {
    summary: 'An adapter definition (manifest, capabilities or config schema) is malformed.',
    httpStatus: 500,
  },
  LGX_ERR_ADAPTER_INCOMPATIBLE: {
    summary:
      "The adapter's supported adapter contract range (manifest.sdk) does not include the contract version the installed @lgx/core implements.",
    httpStatus: 500,
  },
  LGX_ERR_ADAPTER_CONFIG_INVALID: {
    summary: "The adapter's configuration does not match its config schema.",
    httpStatus: 500,
  },
  LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED: {
    summary: 'The adapter does not declare or implement the requested operation for this type.',
    httpStatus: 501,
  },
  LGX_ERR_ADAPTER_RETRYABLE: {
    summary: 'The back office failed in a way that may succeed if tried again later (5xx, connection error, timeout).',
    httpStatus: 502,
  },
  LGX_ERR_ADAPTER_RATE_LIMITED: {
    summary: 'The back office asked us to slow down (HTTP 429); retry after the given delay.',
    httpStatus: 503,
  },
  LGX_ERR_ADAPTER_PERMANENT: {
    summary: 'The back office rejected the request; sending it again unchanged will fail again.',
    httpStatus: 502,
  },
  LGX_ERR_ADAPTER_AUTH: {
    summary: 'The back office refused our credentials (HTTP 401/403, SOAP authentication fault).',
    httpStatus: 502,
  },
  LGX_ERR_ADAPTER_NOT_FOUND: {
    summary: 'The back office has no record with this reference.',
    httpStatus: 404,
  },
  LGX_ERR_ADAPTER_CONTRACT: {
    summary: 'An adapter returned a receipt or status update that does not match its schema; the runtime did not store it.',
    httpStatus: 500,
  },
  LGX_ERR_TRANSPORT_TIMEOUT: {
    summary: 'The back office did not answer within the timeout.',
    httpStatus: 504,
  },
  LGX_ERR_TRANSPORT_ABORTED: {
    summary: 'The call was aborted by its signal (shutdown or a caller deadline).',
    httpStatus: 504,
  },
  LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE: {
    summary: 'The back office answered with more bytes than the response size limit.',
    httpStatus: 502,
  },
  LGX_ERR_TRANSPORT_MALFORMED_RESPONSE: {
    summary: 'The back office answered with a body that could not be parsed.',
    httpStatus: 502,
  },
  LGX_ERR_TRANSPORT_TLS: {
    summary: "The back office's TLS certificate could not be verified.",
    httpStatus: 502,
  },
  LGX_ERR_SOAP_UNSAFE_XML: {
    summary: 'An XML document carried a DOCTYPE or entity declaration, which LGX refuses.',
    httpStatus: 500,
  },
  LGX_ERR_SOAP_WSDL_INVALID: {
    summary: 'The WSDL could not be loaded or does not describe the operation asked for.',
    httpStatus: 500,
  },
  LGX_ERR_RUNTIME_NO_ROUTE: {
    summary: 'The stack has no route for this transaction (its type, LGSL, council or data match none).',
    httpStatus: 422,
  },
  LGX_ERR_SOAP_UNAVAILABLE: {
    summary: "The optional 'soap' package is not installed.",
    httpStatus: 500,
  },
  LGX_ERR_GATEWAY_UNAUTHENTICATED: {
    summary: 'The request has no API key, or the key is unknown, malformed or revoked.',
    httpStatus: 401,
  },
  LGX_ERR_GATEWAY_FORBIDDEN: {
    summary: 'The API key is valid but lacks the scope the request needs, or names another council.',
    httpStatus: 403,
  },
  LGX_ERR_GATEWAY_NOT_FOUND: {
    summary: 'No such route, transaction, schema or adapter (or it belongs to another council).',
    httpStatus: 404,
  },
  LGX_ERR_GATEWAY_UNSUPPORTED_MEDIA_TYPE: {
    summary: 'The request body has a content type this endpoint does not take.',
    httpStatus: 415,
  },
  LGX_ERR_GATEWAY_KEY_STORE_INVALID: {
    summary: 'The API key file cannot be read: it is not the JSON the gateway writes.',
    httpStatus: 500,
  },
  LGX_ERR_GATEWAY_REQUEST_TIMEOUT: {
    summary: 'The client did not send the whole request (headers, or headers and body) within the time allowed.',
    httpStatus: 408,
  },
  LGX_ERR_GATEWAY_STOPPING: {
    summary: 'The gateway is shutting down and takes no new requests; send the request again after Retry-After.',
    httpStatus: 503,
  },
  LGX_ERR_GATEWAY_OVERLOADED: {
    summary: 'The gateway is above a high-water mark (queue depth or event-loop delay) and refused a submission; nothing was stored.',
    httpStatus: 503,
  },
  LGX_ERR_GATEWAY_QUOTA_EXCEEDED: {
    summary: "A council's submission went over its stack's quota (submit rate or queued deliveries) and was refused; nothing was stored.",
    httpStatus: 429,
  },
  LGX_ERR_GATEWAY_CSRF: {
    summary:
      'A console form was sent without the form token of the signed-in session (an old page, or a form from another site); nothing was changed.',
    httpStatus: 403,
  },
  LGX_ERR_CLI_USAGE: {
    summary: 'The lgx command was called with an unknown command, option or missing argument.',
    httpStatus: 500,
  },
  LGX_ERR_REPORT_PUBLISH: {
    summary:
      'Publishing report records to a Backdrop-compatible write endpoint failed: a bad URL, a refused token or records, or no success within the retries.',
    httpStatus: 500,
  },
  LGX_ERR_ADAPTER_OPENAPI_MISMATCH: {
    summary: "The adapter's OpenAPI document could not be read, or does not define a request (method and path) its configuration uses.",
    httpStatus: 500,
  },
  LGX_ERR_REPORT_QUERY: {
    summary:
      'A report query is not valid: an unknown data-set, period or field, a bad date, an end before its start, or more than 1,000 periods.',
    httpStatus: 400,
  },
  LGX_ERR_CRYPTO_KEY_INVALID: {
    summary: 'The key-encryption key is not 32 random bytes in base64.',
    httpStatus: 500,
  },
  LGX_ERR_CRYPTO_KEY_REQUIRED: {
    summary: 'The stack routes a type with bank details (a Direct Debit mandate) but has no key-encryption key: it does not start.',
    httpStatus: 500,
  },
  LGX_ERR_CRYPTO_KEY_MISMATCH: {
    summary: "A council's data key does not open with the configured key-encryption key (another key, or a changed row).",
    httpStatus: 500,
  },
  LGX_ERR_CRYPTO_DECRYPT: {
    summary: "A transaction's sealed personal data does not open: its data key is unknown, or the ciphertext was changed.",
    httpStatus: 500,
  },
  LGX_ERR_SUBJECT_SELECTOR: {
    summary:
      'A subject request does not name the subject by exactly one of email, phone, name, UPRN or reference, or the value given is not one.',
    httpStatus: 400,
  },
  LGX_ERR_SUBJECT_NO_INDEX: {
    summary: 'Subject requests need the subject index, which is kept only when the stack has an encryption key: this one has none.',
    httpStatus: 422,
  },
  LGX_ERR_SUBJECT_COUNCIL: {
    summary:
      'The council named in a subject request holds no data keys in this store: an unknown council, or one stored without encryption.',
    httpStatus: 404,
  },
  LGX_ERR_SUBJECT_CONFIRM: {
    summary: 'An erasure was asked for without its confirmation (--yes, or "confirm": "erase").',
    httpStatus: 400,
  },
  LGX_ERR_SUBJECT_ERASED: {
    summary:
      "A dead letter of a transaction whose subject was erased cannot be replayed: its personal fields hold the erased marker, not the person's data.",
    httpStatus: 409,
  },
} as const satisfies Record<string, ErrorCodeEntry>;

/** Every LGX error code. */
export type LgxErrorCode = keyof typeof errorCodes;

/** All codes, in table order. */
export const ERROR_CODES = Object.keys(errorCodes) as LgxErrorCode[];

/** The HTTP status of an error code from the table; 500 for a string that is not one of its codes. */
export function httpStatusOf(code: string): ErrorHttpStatus {
  return Object.hasOwn(errorCodes, code) ? errorCodes[code as LgxErrorCode].httpStatus : 500;
}
