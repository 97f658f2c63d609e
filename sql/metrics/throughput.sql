-- metric: throughput
-- Orders touched per actor per active day: for the events (with an actor) of the orders in scope,
-- the distinct orders each actor touched on each local day they were active, summed, divided by
-- those actor-days. By interval of the event's day and/or a dimension (or `actor`).
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, actors integer, actor_days integer, orders_touched integer, orders_per_actor_day number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), touches AS (
  SELECT e.actor, e.channel, e.order_id,
    timezone($tz, date_trunc('day', timezone($tz, e."at"))) AS day,
    CASE WHEN $group_by = 'actor' THEN e.actor
         ELSE op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) END AS grp
  FROM op_events($tenant) e JOIN scoped o ON o.channel = e.channel AND o.order_id = e.order_id
  WHERE e.actor IS NOT NULL
), actor_days AS (
  SELECT op_bucket(day, $unit, $tz) AS bucket, grp, actor, day, count(DISTINCT (channel, order_id)) AS orders
  FROM touches GROUP BY ALL
)
SELECT op_ms(bucket) AS bucket, grp AS "group",
  count(DISTINCT actor)::INTEGER AS actors,
  count(*)::INTEGER AS actor_days,
  sum(orders)::INTEGER AS orders_touched,
  sum(orders)::DOUBLE / count(*) AS orders_per_actor_day
FROM actor_days
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
