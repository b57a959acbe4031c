/**
 * Duties: work that one process of a cluster does at a time (a target's status poll, retention),
 * held by an owner until a time, in the cursors table (name `duty:<duty>`, value `<until> <owner>`,
 * `until` an ISO time of 24 characters), so no migration is needed and every store has them.
 */
export const dutyCursorName = (duty: string): string => `duty:${duty}`;

/** The cursor value of a duty held by `owner` until `until`. */
export const dutyValue = (owner: string, until: Date): string => `${until.toISOString()} ${owner}`;

/**
 * The claim, for the cursors table `table`: inserts the duty, or takes it over when its holder's time
 * ran out or the claimer already holds it; returns a row only then. Parameters in order: the cursor
 * name, the new value, the update time, now (ISO) and the owner.
 */
export function claimDutySql(table: string, numbered: boolean): string {
  const p = (i: number): string => (numbered ? `$${i}` : '?');
  return `INSERT INTO ${table} AS c (name, cursor, updated_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})
    ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
    WHERE substr(c.cursor, 1, 24) <= ${p(4)} OR substr(c.cursor, 26) = ${p(5)}
    RETURNING name`;
}
