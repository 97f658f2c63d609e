import type { Database } from '../server/db/database.js';
import { round, summarize, time } from './stats.js';

/**
 * The values the exact-percentile metrics aggregate in their default, all-time scope, listed per
 * order in order_facts: stage-breakdown's step durations (by step) and channel-funnel's gaps
 * between funnel steps (by step).
 */
const VALUE_SETS = {
  'stage-breakdown step durations': 'SELECT unnest(step_pairs) AS k, unnest(step_us) AS v FROM order_facts',
  'channel-funnel step gaps': 'SELECT unnest(range(1, len(funnel_us) + 1)) AS k, unnest(funnel_us) AS v FROM order_facts',
};

/**
 * What DuckDB itself needs for an exact percentile over those values, with nothing else in the way:
 * the values copied flat into a temp table first (no list to unnest, no filter, no dimension), then
 * grouped by step for count and mean, and for p50 and p90 by `quantile_cont` (DOMAIN.md's
 * definition). The gap between the two is the exact percentile's own cost, a bound on the metric.
 */
export async function benchPercentileBound(db: Database, runs: number): Promise<Record<string, number | string>[]> {
  const rows: Record<string, number | string>[] = [];
  await db.withConnection(async (c) => {
    for (const [values, query] of Object.entries(VALUE_SETS)) {
      await c.run(`CREATE OR REPLACE TEMP TABLE bench_flat AS SELECT k, v FROM (${query}) WHERE v IS NOT NULL`);
      const counted = (await c.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM bench_flat')).getRowObjectsJson()[0]!.n as number;
      const sample = async (sql: string) => {
        await c.run(sql);
        const samples: number[] = [];
        for (let i = 0; i < runs; i++) samples.push(await time(() => c.runAndReadAll(sql)));
        return summarize(samples);
      };
      const countMean = await sample('SELECT k, count(*), avg(v) FROM bench_flat GROUP BY k');
      const exact = await sample('SELECT k, quantile_cont(v, [0.5, 0.9]) FROM bench_flat GROUP BY k');
      rows.push({
        values,
        count: counted,
        countMeanMedian: countMean.median,
        quantileMedian: exact.median,
        quantileP95: exact.p95,
        nsPerValue: round((exact.median - countMean.median) * 1e6 / counted, 1),
      });
      console.log(`  exact percentiles over ${counted} ${values}: ${exact.median} ms (count and mean ${countMean.median} ms)`);
    }
    await c.run('DROP TABLE IF EXISTS bench_flat');
  });
  return rows;
}
