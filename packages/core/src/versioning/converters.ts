import { LgxSchemaError } from '../errors/lgx-error';
import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import { parseSchemaId } from '../schema/schema-id';
import { assertValidData } from '../validation/validate';
import { paymentV1ToV2 } from './payment-v1-to-v2';
import type { Envelope } from '../types';

/** Turns data valid at `from` into data valid at `to` (`to` is `from + 1`). Pure: no I/O, no clock. */
export interface Converter {
  type: string;
  from: number;
  to: number;
  /** What changed, for people reading the converter list. */
  description: string;
  convert(data: unknown): unknown;
}

/** Converters by type, each from one major version to the next. */
export class ConverterRegistry {
  private readonly byKey = new Map<string, Converter>();

  constructor(converters: readonly Converter[] = []) {
    for (const c of converters) this.register(c);
  }

  register(converter: Converter): void {
    if (converter.to !== converter.from + 1) {
      throw new LgxSchemaError(
        'LGX_ERR_SCHEMA_NO_CONVERTER',
        `a converter goes from one major version to the next (got ${converter.type} v${converter.from} to v${converter.to})`,
      );
    }
    const key = `${converter.type}@${converter.from}`;
    if (this.byKey.has(key))
      throw new LgxSchemaError('LGX_ERR_SCHEMA_DUPLICATE', `a converter for ${converter.type} v${converter.from} is already registered`);
    this.byKey.set(key, converter);
  }

  /** The chain of converters from `from` to `to`; throws LGX_ERR_SCHEMA_NO_CONVERTER if a step is missing. */
  chain(type: string, from: number, to: number): Converter[] {
    const steps: Converter[] = [];
    for (let v = from; v < to; v++) {
      const step = this.byKey.get(`${type}@${v}`);
      if (!step)
        throw new LgxSchemaError('LGX_ERR_SCHEMA_NO_CONVERTER', `no converter takes ${type} from v${v} to v${v + 1}`, {
          details: { type, from, to },
        });
      steps.push(step);
    }
    return steps;
  }

  list(): Converter[] {
    return [...this.byKey.values()];
  }
}

let defaultConverters: ConverterRegistry | undefined;

/** The converters shipped with @lgx/core. */
export function converterRegistry(): ConverterRegistry {
  return (defaultConverters ??= new ConverterRegistry([paymentV1ToV2]));
}

export interface UpcastOptions {
  /** Target major version (default: the latest registered). */
  to?: number;
  registry?: SchemaRegistry;
  converters?: ConverterRegistry;
}

/**
 * Brings an envelope's data up to a newer major version through the registered converters and
 * validates the result. Returns the envelope unchanged when it is already at the target version.
 * Never downcasts.
 */
export function upcast<T extends Envelope>(envelope: T, options: UpcastOptions = {}): T {
  const registry = options.registry ?? schemaRegistry();
  const converters = options.converters ?? converterRegistry();
  const parsed = parseSchemaId(envelope.dataschema);
  if (!parsed || parsed.type !== envelope.type) {
    throw new LgxSchemaError(
      'LGX_ERR_SCHEMA_UNKNOWN_VERSION',
      `dataschema '${envelope.dataschema}' does not name a version of '${envelope.type}'`,
    );
  }
  const target = registry.get(envelope.type, options.to);
  if (parsed.major === target.major) return envelope;
  if (parsed.major > target.major) {
    throw new LgxSchemaError('LGX_ERR_SCHEMA_NO_CONVERTER', `cannot downcast ${envelope.type} from v${parsed.major} to v${target.major}`, {
      details: { type: envelope.type, from: parsed.major, to: target.major },
    });
  }
  let data: unknown = envelope.data;
  for (const step of converters.chain(envelope.type, parsed.major, target.major)) data = step.convert(data);
  assertValidData(envelope.type, data, { version: target.major, registry });
  return { ...envelope, dataschema: target.$id, data };
}
