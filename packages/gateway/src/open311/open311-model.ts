import type { StackDefinition } from '@lgx/runtime';

/**
 * The Open311 facade's configuration: the `open311` section of a stack file (jurisdiction, contact
 * text, services). The stack schema checks the section when the stack is loaded, so the section's
 * shape is written once, there, and named here, where the facade reads it.
 */
export type Open311FacadeConfig = NonNullable<StackDefinition['open311']>;

/** A service the facade lists (GET services), and the canonical transaction a request for it becomes. */
export type Open311FacadeService = Open311FacadeConfig['services'][number];

/** One question of a facade service's definition (GET services/{code}), and the canonical field its answer fills. */
export type Open311FacadeAttribute = NonNullable<Open311FacadeService['attributes']>[number];
