import type { ValidationIssue } from '@lgx/core';
import { isHome, KEY_HOMES, overlap, type KeyHome } from './stack-keys';

const unescape = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const parentOf = (pointer: string): string => pointer.slice(0, pointer.lastIndexOf('/'));
const lastOf = (pointer: string): string => unescape(pointer.slice(pointer.lastIndexOf('/') + 1));

/** The nearest key name on a pointer (a list item is named by the list's key). */
function nearestKey(pointer: string): string | undefined {
  return pointer
    .split('/')
    .slice(1)
    .reverse()
    .map(unescape)
    .find((segment) => !/^\d+$/.test(segment));
}

/** The objects of a stack file, in words a stack author knows. */
const PLACES: ReadonlyArray<[KeyHome, string]> = [
  ['', 'at the top level'],
  ['/adapters/*', 'inside an adapter (under adapters)'],
  ['/routes/*', 'inside a route (an item of routes)'],
  ['/routes/*/match', "inside a route's match"],
  ['/mappings/*', 'inside a mapping table (under mappings)'],
  ['/open311', 'under open311'],
  ['/open311/services/*', 'inside an Open311 service (an item of open311 services)'],
  ['/open311/services/*/attributes/*', 'inside an attribute of an Open311 service (an item of its attributes)'],
];

/** Where a pointer or a home pattern is, in words. */
function describePlace(at: string): string {
  return PLACES.find(([home]) => isHome(home, at) || home === at)?.[1] ?? `under '${nearestKey(at) ?? at}'`;
}

/** The keys to indent under, from where a key stands down to where it belongs: `match`, `adapters › <adapter id>`. */
function pathBelow(home: KeyHome, depth: number): string {
  const segments = home.split('/');
  return segments
    .slice(depth)
    .map((segment, i) =>
      segment !== '*'
        ? segment
        : `<${{ adapters: 'adapter id', routes: 'route', mappings: 'table', services: 'service', attributes: 'attribute' }[segments[depth + i - 1] ?? ''] ?? 'item'}>`,
    )
    .join(' › ');
}

interface Misplaced {
  pointer: string;
  key: string;
  issue: ValidationIssue;
}

/** A key the schema declares elsewhere, standing where it is not allowed: too deep or too shallow. */
function misplacedAt(pointer: string, rule: string): Misplaced | undefined {
  const key = lastOf(pointer);
  const homes = KEY_HOMES.get(key);
  const parent = parentOf(pointer);
  if (!homes || /^\d+$/.test(key) || homes.some((home) => isHome(home, parent))) return undefined;
  const parentKey = nearestKey(parent) ?? '';
  // Too deep: an ancestor of where it stands is where it belongs.
  if (parent !== '') {
    for (let at = parentOf(parent); ; at = parentOf(at)) {
      const home = homes.find((h) => isHome(h, at));
      if (home !== undefined) {
        const beside = unescape(pointer.slice(at.length + 1).split('/')[0]!);
        const message = `'${key}' is nested under '${parentKey}', but it belongs ${describePlace(home)}, beside '${beside}': check its indentation and line it up with '${beside}'`;
        return { pointer, key, issue: { path: pointer, rule: 'misplacedKey', message, params: { key, belongs: at, was: rule } } };
      }
      if (at === '') break;
    }
  }
  // Too shallow: it belongs in an object below where it stands.
  const depth = parent.split('/').length;
  const deeper = homes.find((home) => home.split('/').length > depth && isHome(home.split('/').slice(0, depth).join('/'), parent));
  if (deeper !== undefined) {
    const message = `'${key}' is ${describePlace(parent)}, but it belongs ${describePlace(deeper)}: check its indentation and indent it under ${pathBelow(deeper, depth)}`;
    return { pointer, key, issue: { path: pointer, rule: 'misplacedKey', message, params: { key, belongs: deeper, was: rule } } };
  }
  // Elsewhere altogether (a route's 'package', say): where it belongs says more than "check the spelling".
  const message = `'${key}' is not allowed ${describePlace(parent)}; a stack file has '${key}' only ${homes.map(describePlace).join(' or ')}`;
  return { pointer, key, issue: { path: pointer, rule: 'misplacedKey', message, params: { key, belongs: homes[0]!, was: rule } } };
}

/** The value a JSON pointer names in a parsed stack file. */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[unescape(segment)];
  }
  return node;
}

/**
 * Whether an object missing a key its place requires is really a misplaced key's value: some of its
 * own keys belong under that key's home (`services` under `open311`). An adapter that happens to be
 * named `open311` and lacks its `package` has adapter keys, and is reported as it is.
 */
function looksLikeItsHome(value: unknown, found: Misplaced): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const there = `${String(found.issue.params?.belongs ?? '')}/${found.key}`;
  return Object.keys(value).some((child) => KEY_HOMES.get(child)?.some((home) => overlap(home, there)));
}

/**
 * Explains schema issues caused by a key at the wrong indentation, which the schema alone reports as a
 * property that is not allowed ("check the spelling"), a value of the wrong type, or a required key
 * missing where it should have been: `routes:` indented under `adapters:` says so, and where `routes`
 * belongs. The issues that follow from the same mistake are dropped.
 */
export function explainMisplacedKeys(issues: readonly ValidationIssue[], value: unknown): ValidationIssue[] {
  const found: Misplaced[] = [];
  for (const issue of issues) {
    // The issue is at the key itself (not allowed here, or a value of the wrong type), or it is a key
    // missing inside it (an object that is not what its place requires).
    const pointer = issue.rule === 'required' ? parentOf(issue.path) : issue.path;
    if (pointer === '' || found.some((f) => f.pointer === pointer)) continue;
    const misplaced = misplacedAt(pointer, issue.rule);
    if (misplaced && (issue.rule !== 'required' || looksLikeItsHome(valueAt(value, pointer), misplaced))) found.push(misplaced);
  }
  if (found.length === 0) return [...issues];
  // A misplaced key inside a misplaced key's value moved with it: the outer one is the mistake.
  const outer = found.filter((f) => !found.some((other) => f.pointer.startsWith(`${other.pointer}/`)));
  const explained = (issue: ValidationIssue): boolean =>
    outer.some(
      (f) =>
        issue.path === f.pointer ||
        issue.path.startsWith(`${f.pointer}/`) ||
        // The key missing where it belongs is the same mistake.
        (issue.rule === 'required' && lastOf(issue.path) === f.key && isHome(String(f.issue.params?.belongs), parentOf(issue.path))),
    );
  return [...outer.map((f) => f.issue), ...issues.filter((issue) => !explained(issue))];
}
