-- metric: throughput
-- Orders touched per actor per active day: for the events (with an actor) of the orders in scope,
-- the distinct orders each actor touched on each local day they were active, summed, divided by
-- those actor-days. By interval of the event's day and/or a dimension (or `actor`).
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, actors integer, actor_days integer, orders_touched integer, orders_per_actor_day number
-- NOT MATERIALIZED: read more than once, and rescanning the columns each reader needs beats
-- DuckDB's default of materializing every column (stage lists included) of every order in scope.
WITH scoped AS NOT MATERIALIZED (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS dim
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), touches AS (
  -- Distinct (actor, order, local day): in the tenant's zone from order_facts.touches, in another zone from the events.
  SELECT t.actor, t.day::TIMESTAMP AS day, dim
  FROM (SELECT dim, unnest(touches) AS t FROM scoped WHERE $tz = $store_tz)
  UNION ALL
  SELECT actor, day, dim FROM (
    SELECT DISTINCT e.actor, e.channel, e.order_id, date_trunc('day', timezone($tz, e."at")) AS day, o.dim
    FROM op_events($tenant) e JOIN scoped o ON o.channel = e.channel AND o.order_id = e.order_id
    WHERE e.actor IS NOT NULL AND $tz <> $store_tz
  )
), actor_days AS (
  -- Bucketed after grouping: one op_bucket per actor-day rather than per touch.
  SELECT op_bucket(day, $unit) AS bucket, * FROM (
    SELECT CASE WHEN $group_by = 'actor' THEN actor ELSE dim END AS grp, actor, day, count(*) AS orders
    FROM touches GROUP BY ALL
  )
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group",
  count(DISTINCT actor)::INTEGER AS actors,
  count(*)::INTEGER AS actor_days,
  sum(orders)::INTEGER AS orders_touched,
  sum(orders)::DOUBLE / count(*) AS orders_per_actor_day
FROM actor_days
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
