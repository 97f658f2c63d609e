/** Median and p95 of repeated timings, in milliseconds. */
export function summarize(samples: number[]): { median: number; p95: number; runs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => {
    const position = (sorted.length - 1) * q;
    const lower = Math.floor(position);
    return sorted[lower]! + (sorted[Math.ceil(position)]! - sorted[lower]!) * (position - lower);
  };
  return { median: round(at(0.5)), p95: round(at(0.95)), runs: sorted.length };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Samples the process's resident set size; `peak()` is the largest seen. */
export function rssSampler(intervalMs = 50) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), intervalMs);
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    reset: () => (peak = process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

/**
 * Each work once to warm DuckDB's caches and the JIT, then `count` timed rounds, the works by turns
 * (which goes first alternating), so all see the same state of the machine: the service and its own
 * SQL timed one series after the other gave stage-breakdown an overhead of 1.69 in one 10M run
 * (241 ms over HTTP, 142 ms SQL) and 1.13 in the run before, same code.
 */
export async function byTurns(works: (() => Promise<unknown>)[], count: number): Promise<ReturnType<typeof summarize>[]> {
  for (const work of works) await work();
  const samples = works.map((): number[] => []);
  for (let i = 0; i < count; i++) {
    const order = works.map((_, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) samples[j]!.push(await time(works[j]!));
  }
  return samples.map(summarize);
}
