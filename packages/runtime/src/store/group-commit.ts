/** What a batch writer answers for an item it left for the next batch (e.g. it clashes with another in this one). */
export const AGAIN: unique symbol = Symbol('again');

/**
 * Group commit: items that arrive while a batch is being written wait and go together in the next one,
 * so N writers waiting on one lock (PostgreSQL's audit head row) take it once, not N times. An item
 * alone is written at once, so an idle store adds no delay. When a batch fails, its items are written
 * one by one, so one bad item fails alone.
 */
export function groupCommits<I, R>(
  write: (items: readonly I[]) => Promise<ReadonlyArray<R | typeof AGAIN>>,
  maxBatch: number,
): (item: I) => Promise<R> {
  const waiting: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let writing = false;

  const writeOne = async (entry: (typeof waiting)[number]): Promise<void> => {
    try {
      const [result] = await write([entry.item]);
      // Alone, an item cannot clash with another.
      if (result === AGAIN || result === undefined) throw new Error('a lone item was left for another batch');
      entry.resolve(result);
    } catch (error) {
      entry.reject(error);
    }
  };

  const drain = async (): Promise<void> => {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0, maxBatch);
        let results: ReadonlyArray<R | typeof AGAIN>;
        try {
          results = await write(batch.map((e) => e.item));
        } catch {
          for (const entry of batch) await writeOne(entry);
          continue;
        }
        if (results.every((r) => r === AGAIN)) {
          for (const entry of batch) await writeOne(entry);
          continue;
        }
        const again: typeof batch = [];
        batch.forEach((entry, i) => {
          const result = results[i];
          if (result === AGAIN || result === undefined) again.push(entry);
          else entry.resolve(result);
        });
        waiting.unshift(...again);
      }
    } finally {
      writing = false;
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
