-- metric: sla
-- Service levels (settings slaTargets: an order that reached `from` must reach `to` within
-- `hours`; a channel's own target replaces the one for every channel). Per target, channel and
-- period in which it was decided (met: when it reached `to`; breached: at its deadline): orders due (reached `to` by $as_of, or their deadline passed by then;
-- one settled in a terminal stage without reaching `to` before its deadline is not due), met (reached
-- `to` by the deadline), breached, the breach rate and the mean lateness of the breached (to `to`,
-- or to $as_of for one still open). For the orders open at the step as of $as_of (reached `from`,
-- not `to`, not settled): due_today (deadline later today, local), open_breached (deadline passed)
-- and at_risk: not yet breached, and the probability that it misses, estimated from the step's
-- completed orders of its channel as #(duration > target) / #(duration ≥ its elapsed time) (an
-- empirical conditional survival), at least $threshold, with at least $min_history such orders.
-- The whole-range row (bucket NULL) carries the open counts; with $unit, one more row per period.
-- params: $tenant, $store_tz, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $as_of, $t_from, $t_to, $t_hours, $t_channel, $threshold, $min_history
-- columns: target string, from_stage string, to_stage string, target_hours number, channel string, bucket time, due integer, met integer, breached integer, breach_rate number, mean_late_hours number, open integer, due_today integer, at_risk integer, open_breached integer
WITH listed AS (
  SELECT i AS t, $t_from[i] AS from_stage, $t_to[i] AS to_stage, $t_hours[i] AS hours, nullif($t_channel[i], '') AS t_channel
  FROM range(1, len($t_from) + 1) r(i)
), targets AS (
  -- With the channels that have a target of their own for the same step (which this one, for
  -- every channel, leaves to them).
  SELECT g.*, (SELECT coalesce(list(x.t_channel), []) FROM listed x WHERE x.t_channel IS NOT NULL AND x.from_stage = g.from_stage AND x.to_stage = g.to_stage) AS overridden
  FROM listed g
), scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), subject AS (
  -- Each order under its channel's target for a step, else the step's target for every channel.
  SELECT o.order_key, o.channel, o.settled_at, g.t, g.from_stage, g.to_stage, g.hours,
    op_stage_at(g.from_stage, $stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS started,
    op_stage_at(g.to_stage, $stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS finished
  FROM scoped o JOIN targets g
    ON coalesce(g.t_channel = o.channel, NOT list_contains(g.overridden, o.channel))
), judged AS MATERIALIZED (
  SELECT *, started + to_microseconds((hours * 3.6e9)::BIGINT) AS deadline, CASE WHEN finished <= $as_of::TIMESTAMPTZ THEN finished END AS done
  FROM subject
  WHERE started IS NOT NULL AND started <= $as_of::TIMESTAMPTZ
), history AS (
  SELECT *, done IS NOT NULL AND done <= deadline AS met, op_us(deadline, coalesce(done, $as_of::TIMESTAMPTZ)) AS late_us
  FROM judged
  WHERE (done IS NOT NULL OR deadline <= $as_of::TIMESTAMPTZ)
    AND NOT (done IS NULL AND coalesce(settled_at <= least(deadline, $as_of::TIMESTAMPTZ), false))
), open_now AS (
  SELECT *, op_hours(started, $as_of::TIMESTAMPTZ) AS elapsed FROM judged
  WHERE done IS NULL AND NOT coalesce(settled_at <= $as_of::TIMESTAMPTZ, false)
), minutes AS (
  -- The step's completed durations per target and channel, counted per whole minute (an order's
  -- minute: the floor of its duration), and how many took at least each minute: a cumulative count
  -- over a few thousand minutes per group, not a sort of every order (1.1 of 2.3 s at 1M orders).
  SELECT t, channel, m, sum(n) OVER (PARTITION BY t, channel ORDER BY m DESC) AS at_least
  FROM (SELECT t, channel, (epoch_us(done) - epoch_us(started)) // 60000000 AS m, count(*) AS n FROM judged WHERE done IS NOT NULL GROUP BY ALL)
), survival AS (
  -- For each open order, the completed orders of its step and channel that took at least the whole
  -- minutes it has waited: the group's count at the first minute at or past that.
  SELECT o.order_key, o.t, coalesce(s.at_least, 0) AS at_least
  FROM open_now o ASOF LEFT JOIN (SELECT t, channel, -m AS neg_m, at_least FROM minutes) s
    ON s.t = o.t AND s.channel = o.channel AND -((epoch_us($as_of::TIMESTAMPTZ) - epoch_us(o.started)) // 60000000) >= s.neg_m
), over_target AS (
  SELECT t, channel, count(*) FILTER (op_hours(started, done) > hours) AS over FROM judged WHERE done IS NOT NULL GROUP BY ALL
), risk AS (
  SELECT o.t, o.channel, o.deadline,
    s.at_least >= $min_history AND o.deadline > $as_of::TIMESTAMPTZ AND coalesce(v.over, 0)::DOUBLE / s.at_least >= $threshold AS at_risk
  FROM open_now o JOIN survival s ON s.order_key = o.order_key AND s.t = o.t
  LEFT JOIN over_target v ON v.t = o.t AND v.channel = o.channel
), open_counts AS (
  SELECT t, channel, count(*) AS open,
    count(*) FILTER (deadline > $as_of::TIMESTAMPTZ AND timezone($tz, deadline)::DATE = timezone($tz, $as_of::TIMESTAMPTZ)::DATE) AS due_today,
    count(*) FILTER (at_risk) AS at_risk,
    count(*) FILTER (deadline <= $as_of::TIMESTAMPTZ) AS open_breached
  FROM risk GROUP BY ALL
), hours AS (
  -- By when each order was decided: a met one when it reached `to`, a breached one at its deadline
  -- (never after $as_of: a period is not cut short by orders not due yet). Summed per UTC hour
  -- once, for the whole range and for the periods: a zone conversion per order took 0.6 s at 1M.
  -- Lateness is summed in whole microseconds: a sum of doubles depends on the order threads add
  -- them in, and one request must give one answer (it differed in the last digit between runs).
  SELECT t, channel, epoch_us(CASE WHEN met THEN done ELSE deadline END) // 3600000000 AS hour,
    count(*) AS due, count(*) FILTER (met) AS met, sum(late_us) FILTER (NOT met) AS late_sum
  FROM history GROUP BY ALL
), whole AS (
  SELECT t, channel, sum(due) AS due, sum(met) AS met, op_us_hours(sum(late_sum) / nullif(sum(due) - sum(met), 0)) AS mean_late_hours
  FROM hours GROUP BY ALL
), periods AS (
  SELECT t, channel, op_bucket(timezone($tz, to_timestamp(hour * 3600)), $unit) AS bucket,
    sum(due) AS due, sum(met) AS met, op_us_hours(sum(late_sum) / nullif(sum(due) - sum(met), 0)) AS mean_late_hours
  FROM hours WHERE $unit IS NOT NULL GROUP BY ALL
), rows_out AS (
  SELECT coalesce(w.t, c.t) AS t, coalesce(w.channel, c.channel) AS channel, NULL AS bucket, w.due, w.met, w.mean_late_hours, c.open, c.due_today, c.at_risk, c.open_breached
  FROM whole w FULL JOIN open_counts c ON c.t = w.t AND c.channel = w.channel
  UNION ALL
  SELECT t, channel, bucket, due, met, mean_late_hours, NULL, NULL, NULL, NULL FROM periods
)
SELECT g.from_stage || '→' || g.to_stage AS target, g.from_stage, g.to_stage, g.hours AS target_hours, r.channel,
  CASE WHEN r.bucket IS NOT NULL THEN op_local_ms(op_bucket_start(r.bucket, $unit), $tz) END AS bucket,
  coalesce(r.due, 0)::INTEGER AS due, coalesce(r.met, 0)::INTEGER AS met, (coalesce(r.due, 0) - coalesce(r.met, 0))::INTEGER AS breached,
  (r.due - r.met)::DOUBLE / nullif(r.due, 0) AS breach_rate, r.mean_late_hours,
  r.open::INTEGER AS open, r.due_today::INTEGER AS due_today, r.at_risk::INTEGER AS at_risk, r.open_breached::INTEGER AS open_breached
FROM rows_out r JOIN targets g ON g.t = r.t
ORDER BY g.t, r.channel, r.bucket NULLS FIRST
