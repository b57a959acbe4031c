import type { RouteMatch, RouteSelection, StackDefinition } from './stack-types';

/** The parts of an envelope routing reads. */
export interface RoutableEnvelope {
  type: string;
  council?: string;
  lgsl?: number;
  data?: unknown;
}

function matches(match: RouteMatch, envelope: RoutableEnvelope): boolean {
  if (match.type !== undefined && match.type !== envelope.type) return false;
  if (match.council !== undefined && match.council !== envelope.council) return false;
  // CloudEvents extensions may arrive as strings ("524") from some transports.
  if (match.lgsl !== undefined && (envelope.lgsl === undefined || Number(envelope.lgsl) !== match.lgsl)) return false;
  if (match.data !== undefined) {
    const data = envelope.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
    for (const [field, expected] of Object.entries(match.data)) {
      // Own fields only: a match on `constructor` must not see Object.prototype.
      if (!Object.prototype.hasOwnProperty.call(data, field) || (data as Record<string, unknown>)[field] !== expected) return false;
    }
  }
  return true;
}

/**
 * The first route (routes are tried in order) whose every match key agrees with the envelope: type,
 * lgsl, council and top-level data fields by equality. `undefined` when none matches.
 */
export function matchRoutes(stack: Pick<StackDefinition, 'routes'>, envelope: RoutableEnvelope): RouteSelection | undefined {
  for (const [index, route] of stack.routes.entries()) {
    if (matches(route.match, envelope)) {
      return { index, route, mode: route.mode, targets: [...route.targets], shadow: [...(route.shadow ?? [])] };
    }
  }
  return undefined;
}
