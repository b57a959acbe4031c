import type { SimulatedItem } from './simulated-items';

/** An AQS node as a client sends it. */
export interface AqsInput {
  type?: unknown;
  properties?: Record<string, unknown>;
  children?: unknown;
}

/** A query the simulator cannot run: answered 400 InvalidAqs, naming what was wrong. */
export class AqsError extends Error {}

type Operand =
  { kind: 'attribute'; code: string } | { kind: 'property'; name: string } | { kind: 'values'; values: unknown[]; type: string };

const children = (node: AqsInput): AqsInput[] => {
  if (!Array.isArray(node.children)) throw new AqsError(`${String(node.type)} needs children`);
  return node.children as AqsInput[];
};

function operand(node: AqsInput): Operand {
  const p = node.properties ?? {};
  switch (node.type) {
    case 'Attribute':
      if (typeof p.attributeCode !== 'string') throw new AqsError('Attribute needs properties.attributeCode');
      return { kind: 'attribute', code: p.attributeCode };
    case 'ItemProperty':
      if (p.itemPropertyName !== 'lastEditDate' && p.itemPropertyName !== 'createdDate' && p.itemPropertyName !== 'itemId')
        throw new AqsError(`unknown item property ${String(p.itemPropertyName)}`);
      return { kind: 'property', name: p.itemPropertyName };
    case 'String':
    case 'DateTime':
    case 'Number':
    case 'Boolean':
      if (!Array.isArray(p.value)) throw new AqsError(`${node.type} needs properties.value as a list`);
      return { kind: 'values', values: p.value, type: node.type };
    default:
      throw new AqsError(`unknown AQS node type ${String(node.type)}`);
  }
}

function read(item: SimulatedItem, op: Operand): unknown {
  if (op.kind === 'attribute') return item.attributes[op.code];
  if (op.kind === 'property') return op.name === 'itemId' ? item.itemId : op.name === 'createdDate' ? item.createdDate : item.lastEditDate;
  return undefined;
}

function comparable(value: unknown, type: string): number | string | boolean | undefined {
  if (type === 'DateTime') {
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (type === 'Number') return typeof value === 'number' ? value : undefined;
  if (type === 'Boolean') return typeof value === 'boolean' ? value : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A predicate over items for one filter node. */
export type ItemFilter = (item: SimulatedItem) => boolean;

/** Compiles a filter node (And, Or, Not, Equals, GreaterThan, LessThan and their operands). */
export function compileFilter(node: AqsInput): ItemFilter {
  switch (node.type) {
    case 'And': {
      const parts = children(node).map(compileFilter);
      return (item) => parts.every((f) => f(item));
    }
    case 'Or': {
      const parts = children(node).map(compileFilter);
      return (item) => parts.some((f) => f(item));
    }
    case 'Not': {
      const [inner] = children(node).map(compileFilter);
      if (!inner) throw new AqsError('Not needs one child');
      return (item) => !inner(item);
    }
    case 'Equals':
    case 'GreaterThan':
    case 'LessThan': {
      const [left, right] = children(node).map(operand);
      if (!left || !right || left.kind === 'values' || right.kind !== 'values')
        throw new AqsError(`${node.type} needs an Attribute or ItemProperty, then a value`);
      const type = right.type;
      const wanted = right.values.map((v) => comparable(v, type));
      if (node.type === 'Equals') {
        return (item) => {
          const value = read(item, left);
          const values = Array.isArray(value) ? value : [value];
          return values.some((v) => wanted.includes(comparable(v, type)));
        };
      }
      const bound = wanted[0];
      if (bound === undefined) throw new AqsError(`${node.type} needs a ${type} value`);
      return (item) => {
        const value = comparable(read(item, left), type);
        if (value === undefined) return false;
        return node.type === 'GreaterThan' ? value > bound : value < bound;
      };
    }
    default:
      throw new AqsError(`unknown AQS filter ${String(node.type)}`);
  }
}

/** An `Attribute = String` test at the top of the filter: what the simulator's attribute index answers. */
export function indexedEquality(filter: AqsInput | undefined): { code: string; value: string } | undefined {
  if (!filter) return undefined;
  const top = filter.type === 'And' && Array.isArray(filter.children) ? (filter.children as AqsInput[]) : [filter];
  for (const node of top) {
    if (node.type !== 'Equals' || !Array.isArray(node.children)) continue;
    const [left, right] = node.children as AqsInput[];
    const code = left?.type === 'Attribute' ? left.properties?.attributeCode : undefined;
    const values = right?.type === 'String' ? right.properties?.value : undefined;
    if (typeof code === 'string' && Array.isArray(values) && values.length === 1 && typeof values[0] === 'string')
      return { code, value: values[0] };
  }
  return undefined;
}
