-- Building blocks of the rollups (schema/013): what an order contributes, kept by
-- server/import/refresh-rollups.ts, and the exact percentiles the metric files of
-- sql/metrics/*.rollup.sql read from them.

-- The histogram bucket of a duration of `us` microseconds: -1 when negative (a data error, never
-- in a percentile), else 32 buckets per power of two by the top six bits (each spans at most 3 %
-- of its values; below 64 µs, one value each). Monotone: a larger duration never has a smaller
-- bucket, so ranks counted over buckets in order are ranks over the durations.
-- `guess` is op_log2_guess(us), computed once in a subquery: inside one expression DuckDB computed
-- the logarithm once per use, and the bucket took 2.4 times as long.
CREATE OR REPLACE TEMP MACRO op_log2_guess(us) AS CASE WHEN us >= 64 THEN least(floor(log2(us::DOUBLE))::INTEGER, 62) END;
-- floor(log2(us)) exactly: the double logarithm can be one off next to a power of two past 2^53,
-- so the guess is checked against the shifts on either side of it.
CREATE OR REPLACE TEMP MACRO op_log2_floor(us, guess) AS
  guess - ((1::BIGINT << guess) > us)::INTEGER + CASE WHEN guess < 62 THEN ((1::BIGINT << (guess + 1)) <= us)::INTEGER ELSE 0 END;
CREATE OR REPLACE TEMP MACRO op_duration_bucket(us, guess) AS CASE
  WHEN us < 0 THEN -1
  WHEN us < 64 THEN us
  ELSE (op_log2_floor(us, guess) - 5) * 32 + (us >> (op_log2_floor(us, guess) - 5))
END::SMALLINT;

-- A duration's key in duration_values.
CREATE OR REPLACE TEMP MACRO op_duration_key(measure, bucket) AS measure::BIGINT * 2048 + bucket;

-- Per period, group and measure in [measure_lo, measure_hi], over the tenant's orders created on
-- local days in [from_day, to_day) in `channels` (all when empty): the durations counted (`orders`;
-- bucket -1 apart as `negatives`), their sum in µs, and their exact percentiles `qs` in µs by
-- linear interpolation (quantile_cont's: position h = (orders − 1) × q between the values at ranks
-- floor(h) and ceil(h); q = 1 is the largest). The period is op_bucket of the day for `unit`
-- (0 when `unit` is NULL); the group is the channel when `by_channel`, else ''. With `fold`, the
-- measures in range count as one, reported as measure_lo: their durations taken together (every
-- source's merge latencies, roi-compare).
-- The histograms come from the monthly rows of the months in [months_from, months_to) and the
-- daily rows of the days in [head_from, head_to) and [tail_from, tail_to): the service splits the
-- range so (no monthly rows for days or weeks), with empty ranges as [infinity, infinity). Then
-- each rank is found in its bucket, and the value at it among that bucket's durations in scope
-- (of every measure folded into it).
CREATE OR REPLACE TEMP MACRO op_duration_quantiles(tenant, from_day, to_day, months_from, months_to, head_from, head_to,
    tail_from, tail_to, channels, by_channel, unit, measure_lo, measure_hi, qs, fold := false) AS TABLE
WITH rows_in_scope AS NOT MATERIALIZED (
  -- Three plain ranges, so DuckDB skips the row groups outside them by their min and max. Read
  -- again for the folded keys only with `fold` (materialized, it cost cycle-time 10-20 ms of 40 at 10M orders).
  SELECT period, channel, measure, bucket, n, sum_us FROM duration_counts
  WHERE tenant_id = tenant AND monthly AND period >= months_from AND period < months_to
  UNION ALL
  SELECT period, channel, measure, bucket, n, sum_us FROM duration_counts
  WHERE tenant_id = tenant AND NOT monthly AND period >= head_from AND period < head_to
  UNION ALL
  SELECT period, channel, measure, bucket, n, sum_us FROM duration_counts
  WHERE tenant_id = tenant AND NOT monthly AND period >= tail_from AND period < tail_to
), counts AS (
  SELECT coalesce(op_bucket(period, unit), 0) AS pkey, CASE WHEN by_channel THEN channel ELSE '' END AS gkey,
    CASE WHEN fold THEN measure_lo ELSE measure END AS measure, bucket, sum(n)::BIGINT AS n, sum(sum_us) AS sum_us
  FROM rows_in_scope
  WHERE measure BETWEEN measure_lo AND measure_hi AND (len(channels) = 0 OR list_contains(channels, channel))
  GROUP BY ALL
  HAVING sum(n) <> 0
), folded_keys AS (
  -- With `fold`, the keys of the measures folded into each (folded) key; none otherwise.
  SELECT DISTINCT op_duration_key(measure_lo, bucket) AS key, op_duration_key(measure, bucket) AS vkey
  FROM rows_in_scope WHERE fold AND measure BETWEEN measure_lo AND measure_hi AND bucket >= 32
), summary AS (
  SELECT pkey, gkey, measure,
    coalesce(sum(n) FILTER (bucket >= 0), 0)::BIGINT AS orders,
    sum(sum_us) FILTER (bucket >= 0) AS sum_us,
    coalesce(sum(n) FILTER (bucket < 0), 0)::BIGINT AS negatives
  FROM counts GROUP BY ALL
), cumulative AS (
  SELECT pkey, gkey, measure, bucket, n, (sum(n) OVER (PARTITION BY pkey, gkey, measure ORDER BY bucket))::BIGINT AS upto
  FROM counts WHERE bucket >= 0
), ranks AS (
  -- Each quantile i needs the values at ranks floor(h) (side 0) and ceil(h) (side 1), from 0.
  SELECT s.pkey, s.gkey, s.measure, q.i, (s.orders - 1)::DOUBLE * q.q AS h, side,
    CASE side WHEN 0 THEN floor(h) ELSE ceil(h) END::BIGINT AS r
  FROM summary s, (SELECT unnest(qs)::DOUBLE AS q, generate_subscripts(qs, 1) AS i) q, (VALUES (0), (1)) sides(side)
  WHERE s.orders > 0
), targets AS (
  -- The bucket holding each rank, and the rank's place among the bucket's durations.
  SELECT r.pkey, r.gkey, r.measure, r.i, r.h, r.side, c.bucket, r.r - (c.upto - c.n) AS place, op_duration_key(c.measure, c.bucket) AS key
  FROM ranks r JOIN cumulative c
    ON c.pkey = r.pkey AND c.gkey = r.gkey AND c.measure = r.measure AND r.r >= c.upto - c.n AND r.r < c.upto
), wanted AS (
  -- `vkey`: the keys whose durations the bucket holds, its own or (with `fold`) those folded into it.
  SELECT w.*, coalesce(f.vkey, w.key) AS vkey FROM (
    SELECT pkey, gkey, key, (max(place) + 1)::BIGINT AS k FROM targets WHERE bucket >= 32 GROUP BY ALL
  ) w LEFT JOIN folded_keys f ON f.key = w.key
), candidates AS (
  -- The wanted buckets' durations in scope: the join hands DuckDB the few keys, whose row groups
  -- alone it reads (Database.open raises DuckDB's dynamic_or_filter_threshold for it).
  SELECT w.pkey, w.gkey, w.key, w.k, v.us
  FROM wanted w JOIN duration_values v ON v.key = w.vkey AND CASE WHEN by_channel THEN v.channel ELSE '' END = w.gkey
    AND coalesce(op_bucket(v.day, unit), 0) = w.pkey
  WHERE v.tenant_id = tenant AND v.day >= from_day AND v.day < to_day AND (len(channels) = 0 OR list_contains(channels, v.channel))
), smallest AS (
  -- The k smallest of a bucket's durations: a bounded heap, not a sort.
  SELECT pkey, gkey, key, min(us, k) AS values FROM candidates GROUP BY pkey, gkey, key, k
), removed AS (
  -- The wanted keys some of whose durations (of any key folded into them) an import took away.
  SELECT DISTINCT w.key FROM wanted w SEMI JOIN duration_removed r ON r.tenant_id = tenant AND r.key = w.vkey
), running AS (
  -- A bucket some of whose durations an import took away (duration_removed) counts them out by a
  -- running sum instead; with none (no import since the last fold changed stored orders), the
  -- empty join reads nothing.
  SELECT w.pkey, w.gkey, w.key, v.us, sum(v.n) OVER (PARTITION BY w.pkey, w.gkey, w.key ORDER BY v.us) AS upto
  FROM (SELECT * FROM wanted w WHERE w.key IN (SELECT key FROM removed)) w
  JOIN duration_values v ON v.key = w.vkey AND CASE WHEN by_channel THEN v.channel ELSE '' END = w.gkey
    AND coalesce(op_bucket(v.day, unit), 0) = w.pkey
  WHERE v.tenant_id = tenant AND v.day >= from_day AND v.day < to_day AND (len(channels) = 0 OR list_contains(channels, v.channel))
), picked AS (
  SELECT t.pkey, t.gkey, t.measure, t.i, t.h, t.side,
    CASE WHEN t.bucket < 32 THEN t.bucket
         WHEN t.key IN (SELECT key FROM removed)
           THEN (SELECT min(x.us) FROM running x WHERE x.pkey = t.pkey AND x.gkey = t.gkey AND x.key = t.key AND x.upto > t.place)
         ELSE s.values[t.place + 1] END AS us
  FROM targets t LEFT JOIN smallest s ON s.pkey = t.pkey AND s.gkey = t.gkey AND s.key = t.key
), quantiles AS (
  SELECT pkey, gkey, measure, i,
    -- As quantile_cont computes it over doubles, so the two agree to the last bit.
    any_value(us) FILTER (side = 0)::DOUBLE * (1.0 - (any_value(h) - floor(any_value(h))))
      + any_value(us) FILTER (side = 1)::DOUBLE * (any_value(h) - floor(any_value(h))) AS q
  FROM picked GROUP BY ALL
)
SELECT s.pkey, s.gkey, s.measure, s.orders, s.sum_us, s.negatives, list(q.q ORDER BY q.i) FILTER (q.q IS NOT NULL) AS q
FROM summary s LEFT JOIN quantiles q ON q.pkey = s.pkey AND q.gkey = s.gkey AND q.measure = s.measure
GROUP BY ALL;

-- The tenant's additive per-day figures, touch counts and orders per hour (schema/013).
CREATE OR REPLACE TEMP MACRO op_day_totals(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM order_day_totals WHERE tenant_id = tenant;
CREATE OR REPLACE TEMP MACRO op_touch_counts(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM touch_counts WHERE tenant_id = tenant;
CREATE OR REPLACE TEMP MACRO op_hour_counts(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM order_hour_counts WHERE tenant_id = tenant;
