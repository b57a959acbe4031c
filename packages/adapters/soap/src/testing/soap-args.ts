/** Reading the arguments and headers the `soap` package hands an operation, and answering a fault. */

/** A SOAP fault for an operation to throw: the `soap` package answers it as a SOAP 1.1 Fault. */
export function soapFaultError(
  code: string,
  message: string,
  statusCode = 500,
): { Fault: { faultcode: string; faultstring: string; statusCode: number } } {
  return { Fault: { faultcode: code, faultstring: message, statusCode } };
}

/** The text of an argument: strings, numbers and booleans as text, `{ $value }` (an element with attributes) unwrapped. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && '$value' in value) return text((value as { $value: unknown }).$value);
  return undefined;
}

/** `value[key]` when `value` is an object that has it as its own property (never from its prototype). */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
