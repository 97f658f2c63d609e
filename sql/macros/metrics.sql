-- Building blocks shared by the metric files of sql/metrics/. Defined on every
-- connection (TEMP), so a metric file is one statement with bound $parameters.

-- Every metric reads the store only through the op_* table macros below, each
-- of which takes the tenant first: a metric file cannot name orders, events or
-- promotions without a tenant (test/server/tenants.test.ts checks the files).

-- The tenant's orders in scope, with their per-order facts (schema/004):
-- created in [from_ts, to_ts) (a NULL bound is open) and, for each non-empty
-- list, with a value in it.
-- `currencies` (default: all): a money metric of a store with orders in several currencies adds one's.
CREATE OR REPLACE TEMP MACRO op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, currencies := []::VARCHAR[]) AS TABLE
  SELECT rowid AS row_id, * EXCLUDE (tenant_id) FROM order_facts
  WHERE tenant_id = tenant
    AND (from_ts IS NULL OR created_at >= from_ts)
    AND (to_ts IS NULL OR created_at < to_ts)
    AND op_in_filter(channel, channels) AND op_in_filter(region, regions) AND op_in_filter(sku_series, series)
    AND op_in_filter(customer_tier, tiers) AND op_in_filter(promotion_id, promotions) AND op_in_filter(warehouse, warehouses)
    AND op_in_filter(currency, currencies);

-- Whether value x passes a filter list: any value for an empty list. The lists are bound, so DuckDB
-- folds this to one branch; a one-value list (a click on a bar) is then a comparison with a constant,
-- which DuckDB applies in the scan on the column's dictionary, where list_contains is evaluated per
-- row (in DuckDB alone at 10M orders, placed → delivered for promotion P1: 11-12 against 78-83 ms;
-- cycle-time?promotion=P1 79 -> 27 ms; `x = ANY(list)` plans a join per filter, empty lists
-- included, and read every filter column: cycle-time?region=east 130 -> 205 ms).
CREATE OR REPLACE TEMP MACRO op_in_filter(x, list) AS
  len(list) = 0 OR (len(list) = 1 AND x = list[1]) OR (len(list) > 1 AND list_contains(list, x));

-- Actor names by key (schema/009): order_facts.touches hold keys, looked up after grouping.
CREATE OR REPLACE TEMP MACRO op_actor_keys() AS TABLE SELECT actor, key FROM actor_keys;

-- The tenant's order events and promotions.
CREATE OR REPLACE TEMP MACRO op_events(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM order_events WHERE tenant_id = tenant;
CREATE OR REPLACE TEMP MACRO op_promotions(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM promotions WHERE tenant_id = tenant;

-- When an order (its order_facts stage_keys and stage_at lists) first reached
-- the stage with key `k`; NULL if it never did. The service binds
-- $stage_names, every stage name at the position of its key, so a metric
-- finds a key with list_position($stage_names, 'delivered') (a constant).
CREATE OR REPLACE TEMP MACRO op_reached_at(keys, ats, k) AS ats[list_position(keys, k::SMALLINT)];

-- When an order first reached the stage named `stage` (NULL: never): the plain columns for the
-- standard pipeline stages (schema/008, schema/022), else a lookup in its stage list (the key
-- SMALLINT as the list's: bound as an INTEGER, DuckDB cast every order's list to compare). `stage`
-- is a bound parameter, so DuckDB keeps only the branch it names.
CREATE OR REPLACE TEMP MACRO op_stage_at(stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at,
    stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS
  CASE stage WHEN 'placed' THEN placed_at WHEN 'paid' THEN paid_at WHEN 'credit_checked' THEN credit_checked_at
    WHEN 'stock_locked' THEN stock_locked_at WHEN 'dispatched' THEN dispatched_at WHEN 'picked' THEN picked_at
    WHEN 'shipped' THEN shipped_at WHEN 'delivered' THEN delivered_at
    ELSE op_reached_at(stage_keys, stage_at, list_position(stage_names, stage)) END;

-- op_stage_at in two steps, for stages known to have a time column (order-forecast's, checked by the
-- service): the column's number once per stage, then the time by that number, reading no stage list.
CREATE OR REPLACE TEMP MACRO op_stage_column(stage) AS
  CASE stage WHEN 'placed' THEN 1 WHEN 'paid' THEN 2 WHEN 'credit_checked' THEN 3 WHEN 'stock_locked' THEN 4
    WHEN 'dispatched' THEN 5 WHEN 'picked' THEN 6 WHEN 'shipped' THEN 7 WHEN 'delivered' THEN 8 END;
CREATE OR REPLACE TEMP MACRO op_stage_at_column(col, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS
  CASE col WHEN 1 THEN placed_at WHEN 2 THEN paid_at WHEN 3 THEN credit_checked_at WHEN 4 THEN stock_locked_at
    WHEN 5 THEN dispatched_at WHEN 6 THEN picked_at WHEN 7 THEN shipped_at WHEN 8 THEN delivered_at END;

-- A time as epoch milliseconds rounded up, so the time itself is at or before it: a default "as
-- of the latest event" (the API's times carry milliseconds, events microseconds).
CREATE OR REPLACE TEMP MACRO op_epoch_ms_up(t) AS ceil(epoch_us(t) / 1000)::BIGINT;

-- An order's created_at as wall time in `tz`: the stored created_local when
-- `tz` is the tenant's zone (no ICU conversion per row), else converted.
CREATE OR REPLACE TEMP MACRO op_local(created_at, created_local, tz, store_tz) AS
  CASE WHEN tz = store_tz THEN created_local ELSE timezone(tz, created_at) END;

-- x rounded down to a multiple of n > 0, negative x included.
CREATE OR REPLACE TEMP MACRO op_floor_to(x, n) AS x - ((x % n) + n) % n;

-- The day, ISO week (from Monday) or month holding local wall time `local_ts`, as an integer key
-- to group on (NULL when `unit` is NULL: no interval breakdown). op_bucket_start turns a key back
-- into the bucket's first moment as wall time, once per group (then op_local_ms). Plain integer
-- arithmetic, because date_trunc costs ~20 ns per row (208 ms per 10M orders; a month key here 39 ms).
CREATE OR REPLACE TEMP MACRO op_bucket(local_ts, unit) AS CASE unit
  WHEN 'day' THEN local_ts::DATE - DATE '1970-01-01'
  WHEN 'week' THEN op_floor_to(local_ts::DATE - DATE '1970-01-05', 7) -- 1970-01-05 is a Monday
  WHEN 'month' THEN year(local_ts) * 12 + month(local_ts) - 1
END;
CREATE OR REPLACE TEMP MACRO op_bucket_start(bucket, unit) AS CASE unit
  WHEN 'day' THEN DATE '1970-01-01' + bucket::INTEGER
  WHEN 'week' THEN DATE '1970-01-05' + bucket::INTEGER
  WHEN 'month' THEN make_date(bucket // 12, bucket % 12 + 1, 1)
END::TIMESTAMP;

-- The UTC day holding instant ts, numbered from a million days (2,700 years) before 1970 so that
-- DuckDB's integer division, which rounds towards zero, rounds down (a floor of the epoch's own
-- sign costs twice as much); op_utc_day_start is its first instant.
CREATE OR REPLACE TEMP MACRO op_utc_day(ts) AS (epoch_us(ts) + 86400000000000000) // 86400000000;
CREATE OR REPLACE TEMP MACRO op_utc_day_start(d) AS to_timestamp((d - 1000000) * 86400);

-- The UTC offset of zone tz at instant ts, in microseconds.
CREATE OR REPLACE TEMP MACRO op_offset_us(tz, ts) AS epoch_us(timezone(tz, ts)) - epoch_us(ts);

-- Zone tz's UTC offset through each UTC day from the tenant's first order to its last (microseconds;
-- NULL for a day in which it changes), as one list from day `first_day`: an order's wall time in a
-- zone other than the tenant's is then its instant plus its day's offset, one list lookup where
-- timezone() per order goes through ICU (cycle-time by week in Europe/Berlin at 10M orders: 1.8 s
-- with timezone(), 0.5 s with the offsets; a join on a table of them read DuckDB's estimates of
-- its size wrongly and built the hash table on the orders, 0.8 s). Orders of a day with a change,
-- two a year where a zone has summer time, are converted with timezone(). The list spans the
-- days, not the orders: one order dated 1900 makes it 45k days long.
CREATE OR REPLACE TEMP MACRO op_zone_offsets(tenant, tz) AS TABLE
  SELECT first_day, list(CASE WHEN starts = ends THEN starts END ORDER BY d) AS offsets
  FROM (
    -- The offset at the day's first and last microsecond.
    SELECT first_day, d, op_offset_us(tz, op_utc_day_start(d)) AS starts, op_offset_us(tz, op_utc_day_start(d) + to_microseconds(86399999999)) AS ends
    FROM (SELECT first_day, unnest(range(first_day, last_day + 1)) AS d
          FROM (SELECT op_utc_day(min(created_at)) AS first_day, op_utc_day(max(created_at)) AS last_day FROM order_facts WHERE tenant_id = tenant))
  )
  GROUP BY first_day;

-- op_scoped_orders with each order's `bucket` of its created_at in zone tz (op_bucket), from the
-- stored created_local in the tenant's zone (store_tz). Bucket 0 without a unit (op_bucket_start
-- gives NULL for it): a NULL key groups more slowly than a constant one (placed → shipped by channel
-- at 10M orders: 293 against 265 ms), and a metric leaves even the constant out of its GROUP BY
-- unless $bucketed (first-response by sku_series: 250 -> 205 ms).
CREATE OR REPLACE TEMP MACRO op_bucketed_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses,
    tz, store_tz, unit, currencies := []::VARCHAR[]) AS TABLE
  SELECT *, coalesce(op_bucket(op_local(created_at, created_local, tz, store_tz), unit), 0) AS bucket
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, currencies := currencies);

-- The same with buckets in a zone other than the tenant's, by op_zone_offsets, whose one row is
-- joined to every order. A metric names one of the two in a `-- when $other_zone` block
-- (server/metrics/sql-metric.ts): with both in one macro, joined to a NULL row in the tenant's
-- zone, DuckDB took 10 ms to plan cycle-time?promotion=P1, 7 ms with only the macro it runs (and
-- 14 ms with both in a UNION ALL).
CREATE OR REPLACE TEMP MACRO op_zoned_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses,
    tz, unit, currencies := []::VARCHAR[]) AS TABLE
  SELECT s.*, op_bucket(coalesce(make_timestamp(epoch_us(s.created_at) + z.offsets[op_utc_day(s.created_at) - z.first_day + 1]), timezone(tz, s.created_at)), unit) AS bucket
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, currencies := currencies) s
  CROSS JOIN op_zone_offsets(tenant, tz) z;

-- The hour holding local wall time `local_ts`, as wall time; for the same reason as op_bucket.
CREATE OR REPLACE TEMP MACRO op_local_hour(local_ts) AS make_timestamp(op_floor_to(epoch_us(local_ts), 3600000000));

-- A wall time in `tz` as epoch milliseconds of the instant it names.
-- The UTC hour an instant falls in, as a UTC wall time (surge-alerts' hours: real hours, whatever
-- the zone's clock changes do).
CREATE OR REPLACE TEMP MACRO op_utc_hour(ts) AS make_timestamp(op_floor_to(epoch_us(ts), 3600000000));
CREATE OR REPLACE TEMP MACRO op_local_ms(local_ts, tz) AS epoch_ms(timezone(tz, local_ts))::DOUBLE;

-- An instant as epoch milliseconds, the form the service turns into ISO 8601 with offset.
CREATE OR REPLACE TEMP MACRO op_ms(ts) AS epoch_ms(ts)::DOUBLE;

-- Whole microseconds from `a` to `b` (negative when b is earlier). Percentiles are taken over
-- these and turned into hours after (op_us_hours): DuckDB's quantiles over integers take about
-- half the time they take over doubles.
CREATE OR REPLACE TEMP MACRO op_us(a, b) AS epoch_us(b) - epoch_us(a);
CREATE OR REPLACE TEMP MACRO op_us_hours(us) AS us / 3600e6;
-- Money as returned: rounded to cents once, at the end (sums and shares use the exact values).
CREATE OR REPLACE TEMP MACRO op_cents(x) AS round(x, 2);

-- Hours from `a` to `b` (negative when b is earlier).
CREATE OR REPLACE TEMP MACRO op_hours(a, b) AS op_us_hours(op_us(a, b));

-- Whole microseconds from the first time an order reached stage `from_stage` to the first time it
-- reached `to_stage` (NULL: it did not reach both): the stored delivery_us (schema/011) for placed
-- to delivered, else the difference of the two stage times. The stages are bound parameters, so
-- DuckDB keeps only the branch they name.
CREATE OR REPLACE TEMP MACRO op_gap_us(from_stage, to_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at,
    stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at, delivery_us) AS
  CASE WHEN from_stage = 'placed' AND to_stage = 'delivered' THEN delivery_us
    ELSE op_us(op_stage_at(from_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at),
               op_stage_at(to_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at)) END;

-- Whether the order reached both stages (op_gap_us is not NULL), as a test of the two times: for
-- stages with a time column it is two IS NOT NULL filters DuckDB applies in the scan, where a test of
-- the difference computed it in a filter and again in the projection (placed → shipped by channel
-- at 10M orders: 0.15 s of a 0.40 s plan).
CREATE OR REPLACE TEMP MACRO op_reached_both(from_stage, to_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at,
    stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS
  op_stage_at(from_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) IS NOT NULL
  AND op_stage_at(to_stage, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) IS NOT NULL;

-- The value of an allowlisted order dimension ('' = no breakdown: NULL for all).
CREATE OR REPLACE TEMP MACRO op_dimension(dim, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS
  CASE dim WHEN 'channel' THEN channel WHEN 'sku_series' THEN sku_series WHEN 'region' THEN region
           WHEN 'customer_tier' THEN customer_tier WHEN 'promotion_id' THEN promotion_id WHEN 'warehouse' THEN warehouse END;

-- Friction cost of one event: labour for manual work, the surcharge for expedites.
CREATE OR REPLACE TEMP MACRO op_event_cost(type, minutes, cost, minutes_per_data_move, labor_cost_per_hour) AS
  CASE type
    WHEN 'data_move' THEN minutes_per_data_move / 60.0 * labor_cost_per_hour
    WHEN 'exception' THEN coalesce(minutes, 0) / 60.0 * labor_cost_per_hour
    WHEN 'contact' THEN coalesce(minutes, 0) / 60.0 * labor_cost_per_hour
    WHEN 'expedite' THEN coalesce(cost, 0)::DOUBLE
  END;

-- Direction-aware improvement in per cent: (baseline − current) / baseline
-- where lower is better, (current − baseline) / baseline where higher is.
-- NULL when either side is missing or the baseline is 0.
CREATE OR REPLACE TEMP MACRO op_improvement_pct(baseline, current, higher_is_better) AS
  CASE WHEN baseline IS NULL OR current IS NULL OR baseline = 0 THEN NULL
       WHEN higher_is_better THEN (current - baseline) / baseline * 100
       ELSE (baseline - current) / baseline * 100 END;

-- The per-order default funnel kept at import (order_facts, schema/007; channel-funnel at query
-- time reads the stage columns instead: op_funnel_step_at below).
-- The time an order reached each funnel step (NULL: never): `step_keys` are the steps' stage keys,
-- `kept` being read at the delivered time; the step at `kept_index` (0: none) is never reached by
-- an order `undone` by a return or refund (op_undone).
CREATE OR REPLACE TEMP MACRO op_funnel_times(stage_keys, stage_at, step_keys, kept_index, undone) AS
  list_transform(step_keys, (k, i) -> CASE WHEN i = kept_index AND undone THEN NULL ELSE stage_at[list_position(stage_keys, k)] END);
CREATE OR REPLACE TEMP MACRO op_undone(stage_keys, stage_names) AS
  coalesce(list_contains(stage_keys, list_position(stage_names, 'returned')::SMALLINT), false)
    OR coalesce(list_contains(stage_keys, list_position(stage_names, 'refunded')::SMALLINT), false);
-- How many leading steps of times `t` were reached, in any timestamp order (order=any: a step
-- reached before the previous one has a negative gap, out_of_order).
CREATE OR REPLACE TEMP MACRO op_funnel_depth(t) AS coalesce(list_position(list_transform(t, x -> x IS NOT NULL), false), len(t) + 1) - 1;
CREATE OR REPLACE TEMP MACRO op_funnel_gaps(t, depth) AS list_transform(range(2, depth + 1), k -> op_us(t[k - 1], t[k]));

-- channel-funnel at query time, over columns: the time an order reached step k of `steps` (NULL
-- past the last step); `kept` at the delivered time unless the order was returned or refunded
-- (`undone`).
CREATE OR REPLACE TEMP MACRO op_funnel_step_at(steps, k, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS
  CASE WHEN k > len(steps) THEN NULL
    WHEN steps[k] = 'kept' THEN CASE WHEN NOT undone THEN delivered_at END
    ELSE op_stage_at(steps[k], stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) END;
-- Whether a step reached at `t` counts, given the step before (`previous`) and the first (`first`).
CREATE OR REPLACE TEMP MACRO op_funnel_reached(t, previous, first, strict, window_hours) AS
  t IS NOT NULL AND (NOT strict OR t >= previous) AND (window_hours IS NULL OR op_hours(first, t) <= window_hours);

-- on-time's judgement of one order as of `as_of` (sql/README.md, "on-time"), shared with
-- roi-compare's on_time_rate. Plain macros over columns the caller computes once per order (a
-- single macro binding them through lambdas made on-time 7 times slower: 390 against 55 ms per 1M):
-- `d`, the position of the order's source in `date_sources` (the sources whose promises are days;
-- NULL for others), and the promise and delivery as days of that source's zone (op_day_of).
CREATE OR REPLACE TEMP MACRO op_date_source(date_sources, source) AS
  CASE WHEN len(date_sources) > 0 THEN list_position(date_sources, source) END;
-- A day of `zone`: from the wall time stored in the tenant's zone (schema/019) when it is that zone.
CREATE OR REPLACE TEMP MACRO op_day_of(zone, store_tz, local_ts, ts) AS
  CASE WHEN zone = store_tz THEN local_ts::DATE ELSE timezone(zone, ts)::DATE END;
-- Due: the promise has passed (a day: it is over on `as_of_day`, as_of's day in its zone), and the
-- order had not settled by `as_of` without a timed delivery (cancelled, refunded before delivery).
CREATE OR REPLACE TEMP MACRO op_otif_due(d, as_of_day, promised_day, promised_at, as_of, settled_at, delivered_at) AS
  promised_at IS NOT NULL
  AND NOT coalesce(settled_at <= as_of AND delivered_at IS NULL, false)
  AND CASE WHEN d IS NOT NULL THEN as_of_day > promised_day ELSE promised_at < as_of END;
CREATE OR REPLACE TEMP MACRO op_otif_on_time(d, delivered_day, promised_day, delivered_at, promised_at) AS
  coalesce(CASE WHEN d IS NOT NULL THEN delivered_day <= promised_day ELSE delivered_at <= promised_at END, false);
-- Late by: from the promise (for a day, whole days from its end).
CREATE OR REPLACE TEMP MACRO op_otif_late_us(d, delivered_day, promised_day, delivered_at, promised_at) AS
  CASE WHEN d IS NOT NULL THEN (delivered_day - promised_day) * 86400000000 ELSE op_us(promised_at, delivered_at) END;

-- op_stuck's rules (below) over the rows of the CTE or table named `rows` (facts' columns, and `grp`): the
-- scope's, or a page of an order list already read (its rows judged where they are: picked out of
-- the facts again by row id, a page of orders sorted by friction cost read 10M orders' stage
-- columns a second time).
CREATE OR REPLACE TEMP MACRO op_stuck_of(rows, store_tz, pipeline, pipeline_keys, terminal_keys, as_of, whole_days) AS TABLE
WITH placed_by_then AS NOT MATERIALIZED (
  -- What each row carries out (its id, keys, group and what a list sorts by), then what the rules read.
  SELECT row_id, order_key, order_id, grp, created_at, promised_at, amount, data_moves, exception_minutes, contact_minutes, expedite_cost,
    last_at, settled_at, furthest_pos, furthest_at, stage_keys, stage_at
  FROM query_table(rows) WHERE created_at <= as_of
), settled_by_then AS (
  -- Orders whose every stage was reached by as_of (most, for a recent as_of): the facts hold the
  -- answer (schema/019), plain columns, no list read.
  SELECT * EXCLUDE (last_at, settled_at, furthest_pos, furthest_at, stage_keys, stage_at), furthest_pos AS pos, coalesce(furthest_at, created_at) AS since
  FROM placed_by_then
  WHERE last_at <= as_of AND settled_at IS NULL
), later AS (
  -- Orders with a stage after as_of: the stages they had reached by then, from their lists (an
  -- untimed stage has no time, so it counts only in the branch above).
  SELECT * EXCLUDE (keys, stage_keys, stage_at), CASE WHEN pos IS NULL THEN created_at ELSE stage_at[list_position(stage_keys, pipeline_keys[pos])] END AS since
  FROM (
    SELECT *, list_max(list_transform(keys, k -> list_position(pipeline_keys, k))) AS pos
    FROM (
      SELECT * EXCLUDE (last_at, settled_at, furthest_pos, furthest_at),
        list_transform(list_filter(range(1, len(stage_keys) + 1), i -> stage_at[i] <= as_of), i -> stage_keys[i]) AS keys
      FROM placed_by_then
      WHERE last_at > as_of
    )
    WHERE NOT list_has_any(keys, terminal_keys)
  )
), waiting AS (
  -- With no pipeline stage reached (a pipeline without `placed`), the order waits since placement.
  SELECT * EXCLUDE (pos, since), coalesce(pipeline[pos], 'placed') AS stage, since,
    CASE WHEN whole_days THEN (timezone(store_tz, as_of)::DATE - timezone(store_tz, since)::DATE) * 86400000000
         ELSE op_us(since, as_of) END AS age_us
  FROM (SELECT * FROM settled_by_then UNION ALL BY NAME SELECT * FROM later)
)
SELECT *, op_us_hours(age_us) AS age_hours,
  CASE WHEN age_hours < 4 AND NOT whole_days THEN 1 WHEN age_hours < 24 THEN 2 WHEN age_hours < 72 THEN 3 ELSE 4 END AS age_index
FROM waiting;

-- The orders in scope placed at or before as_of that had not settled by then, one row each, with
-- the stage they waited in, since when, and their age bucket: what stuck-orders counts and what
-- GET /api/orders lists for one of its bars (one definition, so the list's count is the bar's).
-- The rules are stuck-orders' (sql/metrics/stuck-orders.sql, sql/README.md "stuck-orders").
-- Each row carries its row id and what a list sorts by, so a stuck-orders bar's list is read from
-- here alone: joined back to the facts on the order key, DuckDB built its hash table on every order
-- in scope (10M demo orders: 630-836 ms that way, 111-186 ms this way).
CREATE OR REPLACE TEMP MACRO op_stuck(tenant, store_tz, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, group_by, pipeline, pipeline_keys, terminal_keys, as_of, whole_days) AS TABLE
WITH op_stuck_scope AS NOT MATERIALIZED (
  SELECT *, op_dimension(group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses)
)
SELECT * FROM op_stuck_of('op_stuck_scope', store_tz, pipeline, pipeline_keys, terminal_keys, as_of, whole_days);

-- An age bucket's label (stuck-orders): dates-only stages have one bucket under a day, <1d.
CREATE OR REPLACE TEMP MACRO op_age_bucket(age_index, whole_days) AS
  CASE WHEN whole_days AND age_index = 2 THEN '<1d' ELSE ['<4h', '4-24h', '1-3d', '>3d'][age_index] END;

-- An order's friction cost as friction-cost prices it (an order list's column and sort key).
CREATE OR REPLACE TEMP MACRO op_friction_cost(data_moves, exception_minutes, contact_minutes, expedite_cost, minutes_per_data_move, labor_cost_per_hour) AS
  op_cents(data_moves * minutes_per_data_move / 60.0 * labor_cost_per_hour
    + (exception_minutes + contact_minutes) / 60.0 * labor_cost_per_hour + expedite_cost);

-- An order list's sort key (sql/orders/list.sql): one number, larger first when descending, empty
-- values last either way (a finite stand-in for infinity, which a cursor's JSON could not carry).
CREATE OR REPLACE TEMP MACRO op_order_sort_value(sort_field, descending, created_at, promised_at, age_hours, amount, friction_cost) AS
  coalesce(CASE WHEN descending THEN -1 ELSE 1 END * CASE sort_field
      WHEN 'created_at' THEN epoch_us(created_at)::DOUBLE
      WHEN 'promised_at' THEN epoch_us(promised_at)::DOUBLE
      WHEN 'age' THEN age_hours
      WHEN 'amount' THEN amount::DOUBLE
      WHEN 'friction_cost' THEN friction_cost::DOUBLE
    END, 1e300);

-- One row per order of channel-funnel's scope: how many leading steps of `steps` it reached
-- (depth), whether it is in flight at the step after, and the gaps g2..g10 (sql/metrics/
-- channel-funnel.sql has the rules). The funnel counts these rows; GET /api/orders lists them for a
-- step and an outcome, so a step's count is the list's total. `skip`: no rows (the rollups answer).
CREATE OR REPLACE TEMP MACRO op_funnel_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, group_by, steps, stage_names, kept_index, precomputed, window_hours, strict, as_of, skip) AS TABLE
WITH scoped AS (
  SELECT *, op_dimension(group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses)
  WHERE NOT skip
), timed AS (
  -- Each step's time as a column (t1..t10; op_stage_at reads the stage columns, schema/022), not
  -- a list per order: custom steps over lists and lambdas took 796 ms per 1M orders, 172 over columns. A step reached
  -- after as_of is not reached yet.
  SELECT row_id, order_key, grp, settled_at, CASE WHEN s1 <= as_of THEN s1 END AS t1, CASE WHEN s2 <= as_of THEN s2 END AS t2, CASE WHEN s3 <= as_of THEN s3 END AS t3, CASE WHEN s4 <= as_of THEN s4 END AS t4, CASE WHEN s5 <= as_of THEN s5 END AS t5, CASE WHEN s6 <= as_of THEN s6 END AS t6, CASE WHEN s7 <= as_of THEN s7 END AS t7, CASE WHEN s8 <= as_of THEN s8 END AS t8, CASE WHEN s9 <= as_of THEN s9 END AS t9, CASE WHEN s10 <= as_of THEN s10 END AS t10
  FROM (
    SELECT row_id, order_key, grp, settled_at,
        op_funnel_step_at(steps, 1, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s1,
        op_funnel_step_at(steps, 2, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s2,
        op_funnel_step_at(steps, 3, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s3,
        op_funnel_step_at(steps, 4, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s4,
        op_funnel_step_at(steps, 5, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s5,
        op_funnel_step_at(steps, 6, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s6,
        op_funnel_step_at(steps, 7, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s7,
        op_funnel_step_at(steps, 8, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s8,
        op_funnel_step_at(steps, 9, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s9,
        op_funnel_step_at(steps, 10, undone, stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s10
    FROM (SELECT *, kept_index > 0 AND op_undone(stage_keys, stage_names) AS undone FROM scoped WHERE NOT precomputed)
  )
), per_order AS (
  -- Per order: how many leading steps it reached (op_funnel_reached: within the window, and under
  -- strict no earlier than the step before), whether it is in flight at the step after its last,
  -- and the microseconds from step k − 1 to step k (g2..g10; valid up to its depth). The default
  -- funnel (precomputed: default steps, no window, order=any, as of the latest event, by which
  -- every settled order has settled) is kept per order at import (order_facts.funnel_depth,
  -- funnel_us; schema/007).
  SELECT row_id, order_key, grp, funnel_depth AS depth, funnel_depth BETWEEN 1 AND len(steps) - 1 AND settled_at IS NULL AS in_flight, funnel_us[1] AS g2, funnel_us[2] AS g3, funnel_us[3] AS g4, funnel_us[4] AS g5, funnel_us[5] AS g6, funnel_us[6] AS g7, funnel_us[7] AS g8, funnel_us[8] AS g9, funnel_us[9] AS g10
  FROM scoped WHERE precomputed
  UNION ALL
  SELECT row_id, order_key, grp, depth,
    depth BETWEEN 1 AND len(steps) - 1 AND NOT coalesce(settled_at <= as_of, false)
      AND (window_hours IS NULL OR op_hours(t1, as_of) < window_hours),
    op_us(t1, t2) AS g2, op_us(t2, t3) AS g3, op_us(t3, t4) AS g4, op_us(t4, t5) AS g5, op_us(t5, t6) AS g6, op_us(t6, t7) AS g7, op_us(t7, t8) AS g8, op_us(t8, t9) AS g9, op_us(t9, t10) AS g10
  FROM (
    SELECT *, CASE WHEN t1 IS NULL THEN 0
      WHEN len(steps) < 2 OR NOT coalesce(op_funnel_reached(t2, t1, t1, strict, window_hours), false) THEN 1
      WHEN len(steps) < 3 OR NOT coalesce(op_funnel_reached(t3, t2, t1, strict, window_hours), false) THEN 2
      WHEN len(steps) < 4 OR NOT coalesce(op_funnel_reached(t4, t3, t1, strict, window_hours), false) THEN 3
      WHEN len(steps) < 5 OR NOT coalesce(op_funnel_reached(t5, t4, t1, strict, window_hours), false) THEN 4
      WHEN len(steps) < 6 OR NOT coalesce(op_funnel_reached(t6, t5, t1, strict, window_hours), false) THEN 5
      WHEN len(steps) < 7 OR NOT coalesce(op_funnel_reached(t7, t6, t1, strict, window_hours), false) THEN 6
      WHEN len(steps) < 8 OR NOT coalesce(op_funnel_reached(t8, t7, t1, strict, window_hours), false) THEN 7
      WHEN len(steps) < 9 OR NOT coalesce(op_funnel_reached(t9, t8, t1, strict, window_hours), false) THEN 8
      WHEN len(steps) < 10 OR NOT coalesce(op_funnel_reached(t10, t9, t1, strict, window_hours), false) THEN 9
      ELSE 10 END AS depth
    FROM timed
  )
)
SELECT * FROM per_order;

-- A forecast history's end time (shipped, delivered) when it falls in (history_from, as_of], else
-- NULL: order-forecast's and the order list's history (sql/README.md, "order-forecast").
CREATE OR REPLACE TEMP MACRO op_in_history(done_at, history_from, as_of) AS CASE WHEN done_at <= as_of AND done_at > history_from THEN done_at END;

-- An order's merge latency in µs: first seen in the store − placed, never below 0 (an order cannot
-- reach the store before it was placed; a placement corrected later than its arrival reads 0).
CREATE OR REPLACE TEMP MACRO op_merge_us(created_at, first_seen_at) AS greatest(epoch_us(first_seen_at) - epoch_us(created_at), 0);
