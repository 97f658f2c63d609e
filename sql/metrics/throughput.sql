-- metric: throughput
-- Orders touched per actor per active day: for the events (with an actor) that happened in
-- [from, to) on the orders in the other filters (whenever they were created: work is counted when
-- it happened), the distinct orders each actor touched on each local day they were active, summed,
-- divided by those actor-days. By interval of the event's day and/or a dimension (or `actor`).
-- A locked token's range still bounds the orders by creation ($lock_from_ts, $lock_to_ts). Touches
-- come from the per-order facts' local days when the range is whole days of the tenant's zone
-- ($touch_days), else from the events by their instants; or from the touch counts when $rollup
-- (also: at most a channel filter, grouped by channel, actor or not at all, no locked range).
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $group_by, $rollup, $from_day, $to_day, $touch_days, $lock_from_ts, $lock_to_ts
-- columns: bucket time, group string, actors integer, actor_days integer, orders_touched integer, orders_per_actor_day number
-- NOT MATERIALIZED: read more than once, and rescanning the columns each reader needs beats
-- DuckDB's default of materializing every column (stage lists included) of every order in scope.
WITH scoped AS NOT MATERIALIZED (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS dim
  FROM op_scoped_orders($tenant, $lock_from_ts::TIMESTAMPTZ, $lock_to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
  WHERE NOT $rollup
), touches AS (
  -- Distinct (actor, order, local day), the actor as a key (schema/009): in the tenant's zone from
  -- order_facts.touches, in another zone from the events. Days stay DATEs until after grouping.
  SELECT t.actor_key, t.day, dim
  FROM (SELECT dim, unnest(touches) AS t FROM scoped WHERE $touch_days)
  WHERE t.day >= $from_day::DATE AND t.day < $to_day::DATE
  UNION ALL
  SELECT k.key, d.day, d.dim FROM (
    SELECT DISTINCT e.actor, e.order_key, timezone($tz, e."at")::DATE AS day, o.dim
    FROM op_events($tenant) e JOIN scoped o ON o.order_key = e.order_key
    WHERE e.actor IS NOT NULL AND NOT $touch_days
      AND ($from_ts IS NULL OR e."at" >= $from_ts::TIMESTAMPTZ) AND ($to_ts IS NULL OR e."at" < $to_ts::TIMESTAMPTZ)
  ) d JOIN op_actor_keys() k ON k.actor = d.actor
), actor_days AS (
  -- Bucketed and named after grouping: once per actor-day rather than per touch.
  SELECT op_bucket(g.day, $unit) AS bucket, CASE WHEN $group_by = 'actor' THEN k.actor ELSE g.dim END AS grp, g.actor_key, g.orders
  FROM (
    SELECT dim, actor_key, day, count(*) AS orders FROM touches GROUP BY ALL
    UNION ALL
    -- The same from the touch counts (schema/013), summed over the days the orders were created.
    SELECT CASE WHEN $group_by = 'channel' THEN channel END, actor_key, touch_day, sum(n)
    FROM op_touch_counts($tenant)
    WHERE $rollup AND touch_day >= $from_day::DATE AND touch_day < $to_day::DATE AND (len($channels) = 0 OR list_contains($channels, channel))
    GROUP BY ALL
    HAVING sum(n) > 0
  ) g
  JOIN op_actor_keys() k ON k.key = g.actor_key
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group",
  count(DISTINCT actor_key)::INTEGER AS actors,
  count(*)::INTEGER AS actor_days,
  sum(orders)::INTEGER AS orders_touched,
  sum(orders)::DOUBLE / count(*) AS orders_per_actor_day
FROM actor_days
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
