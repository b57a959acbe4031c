import { stackSchema } from './stack-schema';

type SchemaNode = Record<string, unknown>;

/** A JSON pointer pattern of an object in a stack file: `''` the top, `/adapters/*` any adapter. */
export type KeyHome = string;

function resolveRef(node: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return node;
  return ((stackSchema as SchemaNode).$defs as Record<string, SchemaNode>)[ref.slice('#/$defs/'.length)] ?? node;
}

/** Every property the stack schema declares, and the objects (as pointer patterns) that declare it. */
function collectHomes(): Map<string, KeyHome[]> {
  const homes = new Map<string, KeyHome[]>();
  const visit = (raw: unknown, pattern: KeyHome, depth: number): void => {
    if (typeof raw !== 'object' || raw === null || depth > 12) return;
    const node = resolveRef(raw as SchemaNode);
    for (const branch of [node.then, node.else, ...((node.anyOf as unknown[]) ?? []), ...((node.allOf as unknown[]) ?? [])])
      visit(branch, pattern, depth + 1);
    for (const [key, child] of Object.entries((node.properties as Record<string, unknown>) ?? {})) {
      const list = homes.get(key) ?? [];
      if (!list.includes(pattern)) list.push(pattern);
      homes.set(key, list);
      visit(child, `${pattern}/${key}`, depth + 1);
    }
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${pattern}/*`, depth + 1);
    if (typeof node.items === 'object') visit(node.items, `${pattern}/*`, depth + 1);
  };
  visit(stackSchema, '', 0);
  return homes;
}

/** Where each key of a stack file belongs, from the stack schema itself. */
export const KEY_HOMES: ReadonlyMap<string, readonly KeyHome[]> = collectHomes();

/** Whether a JSON pointer names an object a home pattern describes. */
export function isHome(home: KeyHome, pointer: string): boolean {
  const want = home.split('/');
  const have = pointer.split('/');
  return want.length === have.length && want.every((segment, i) => segment === '*' || segment === have[i]);
}

/** Whether two pointer patterns can name the same object (`*` on either side stands for any segment). */
export function overlap(a: string, b: string): boolean {
  const left = a.split('/');
  const right = b.split('/');
  return left.length === right.length && left.every((segment, i) => segment === '*' || right[i] === '*' || segment === right[i]);
}
