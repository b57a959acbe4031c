/** Calls per second of `call` run `total` times by `concurrency` workers. */
export async function rate(call: (i: number) => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await call(next++);
    }),
  );
  return (total * 1e9) / Number(process.hrtime.bigint() - started);
}
