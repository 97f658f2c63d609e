-- Service levels per order (the sla metric counts from these rows; GET /api/orders lists them).
-- One row per order in scope and SLA target it falls under (settings slaTargets, as lists: a
-- channel's own target for a step replaces the one for every channel), for orders that had
-- reached the target's `from` stage by as_of:
--   due:  decided by as_of: reached `to` by then, or its deadline passed (one settled in a terminal
--         stage without reaching `to` before its deadline is not due);
--   met:  due, and reached `to` by the deadline; late_us: how late a breached one was (to `to`, or
--         to as_of while still open); decided_hour: the UTC hour it was decided (met: when it
--         reached `to`; breached: its deadline);
--   open: reached `from`, not `to`, not settled by as_of; then due_today (deadline later today in
--         zone tz), open_breached (deadline passed) and at_risk (sql/README.md, "sla").
CREATE OR REPLACE TEMP MACRO op_sla_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, stage_names, as_of,
    t_from, t_to, t_hours, t_channel, threshold, min_history, tz) AS TABLE
WITH listed AS (
  SELECT i AS t, t_from[i] AS from_stage, t_to[i] AS to_stage, t_hours[i] AS hours, nullif(t_channel[i], '') AS target_channel
  FROM range(1, len(t_from) + 1) r(i)
), targets AS (
  -- With the channels that have a target of their own for the same step (which this one, for
  -- every channel, leaves to them).
  SELECT g.*, (SELECT coalesce(list(x.target_channel), []) FROM listed x WHERE x.target_channel IS NOT NULL AND x.from_stage = g.from_stage AND x.to_stage = g.to_stage) AS overridden
  FROM listed g
), subject AS (
  -- Each order under its channel's target for a step, else the step's target for every channel.
  SELECT o.order_key, o.channel, o.settled_at, g.t, g.hours,
    op_stage_at(g.from_stage, stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS started,
    op_stage_at(g.to_stage, stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS finished
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses) o JOIN targets g
    ON coalesce(g.target_channel = o.channel, NOT list_contains(g.overridden, o.channel))
), judged AS MATERIALIZED (
  SELECT *, started + to_microseconds((hours * 3.6e9)::BIGINT) AS deadline, CASE WHEN finished <= as_of THEN finished END AS done
  FROM subject
  WHERE started IS NOT NULL AND started <= as_of
), minutes AS (
  -- The step's completed durations per target and channel, counted per whole minute (an order's
  -- minute: the floor of its duration), and how many took at least each minute: a cumulative count
  -- over a few thousand minutes per group, not a sort of every order (1.1 of 2.3 s at 1M orders).
  SELECT t, channel, m, sum(n) OVER (PARTITION BY t, channel ORDER BY m DESC) AS at_least
  FROM (SELECT t, channel, (epoch_us(done) - epoch_us(started)) // 60000000 AS m, count(*) AS n FROM judged WHERE done IS NOT NULL GROUP BY ALL)
), over_target AS (
  SELECT t, channel, count(*) FILTER (op_hours(started, done) > hours) AS over FROM judged WHERE done IS NOT NULL GROUP BY ALL
), open_now AS (
  SELECT * FROM judged WHERE done IS NULL AND NOT coalesce(settled_at <= as_of, false)
), survival AS (
  -- For each open order, the completed orders of its step and channel that took at least the whole
  -- minutes it has waited: the group's count at the first minute at or past that.
  SELECT o.order_key, o.t, coalesce(s.at_least, 0) AS at_least
  FROM open_now o ASOF LEFT JOIN (SELECT t, channel, -m AS neg_m, at_least FROM minutes) s
    ON s.t = o.t AND s.channel = o.channel AND -((epoch_us(as_of) - epoch_us(o.started)) // 60000000) >= s.neg_m
), open_states AS (
  SELECT o.order_key, o.t,
    o.deadline > as_of AND timezone(tz, o.deadline)::DATE = timezone(tz, as_of)::DATE AS due_today,
    o.deadline <= as_of AS open_breached,
    s.at_least >= min_history AND o.deadline > as_of AND coalesce(v.over, 0)::DOUBLE / s.at_least >= threshold AS at_risk
  FROM open_now o JOIN survival s ON s.order_key = o.order_key AND s.t = o.t
  LEFT JOIN over_target v ON v.t = o.t AND v.channel = o.channel
)
SELECT j.order_key, j.t, j.channel, j.deadline,
  (j.done IS NOT NULL OR j.deadline <= as_of) AND NOT (j.done IS NULL AND coalesce(j.settled_at <= least(j.deadline, as_of), false)) AS due,
  j.done IS NOT NULL AND j.done <= j.deadline AS met,
  -- Whole microseconds: a sum of doubles depends on the order threads add them in, and one
  -- request must give one answer (it differed in the last digit between runs).
  op_us(j.deadline, coalesce(j.done, as_of)) AS late_us,
  epoch_us(CASE WHEN j.done IS NOT NULL AND j.done <= j.deadline THEN j.done ELSE j.deadline END) // 3600000000 AS decided_hour,
  s.order_key IS NOT NULL AS open, coalesce(s.due_today, false) AS due_today, coalesce(s.open_breached, false) AS open_breached,
  coalesce(s.at_risk, false) AS at_risk
FROM judged j LEFT JOIN open_states s ON s.order_key = j.order_key AND s.t = j.t;
