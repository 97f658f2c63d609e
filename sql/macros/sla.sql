-- Service levels per order (the sla metric counts from these rows; GET /api/orders lists them).
-- One row per order in scope and SLA target it falls under (settings slaTargets, as lists: a
-- channel's own target for a step replaces the one for every channel), for orders that had
-- reached the target's `from` stage by as_of:
--   due:  decided by as_of: reached `to` by then, or its deadline passed (one settled in a terminal
--         stage without reaching `to` before its deadline is not due);
--   met:  due, and reached `to` by the deadline; late_us: how late a breached one was (to `to`, or
--         to as_of while still open); decided_qh: the UTC quarter hour it was decided (met: when it
--         reached `to`; breached: its deadline), which every zone's local day is made of;
--   open: reached `from`, not `to`, not settled by as_of; then due_today (deadline later today in
--         zone tz), open_breached (deadline passed) and at_risk (sql/README.md, "sla").
-- The rollups (schema/025, server/import/sla-rollups.ts) hold the decided pairs with the same
-- targets and judgments (op_sla_targets, op_sla_applies, op_sla_decided_us).

-- The targets as rows: position t, the step, hours in µs, and for a target of every channel the
-- channels that have one of their own for the same step (which it leaves to them).
CREATE OR REPLACE TEMP MACRO op_sla_targets(t_from, t_to, t_hours, t_channel) AS TABLE
WITH listed AS (
  SELECT i::INTEGER AS t, t_from[i] AS from_stage, t_to[i] AS to_stage, t_hours[i] AS hours, nullif(t_channel[i], '') AS target_channel
  FROM range(1, len(t_from) + 1) r(i)
)
SELECT g.*, (SELECT coalesce(list(x.target_channel), []) FROM listed x WHERE x.target_channel IS NOT NULL AND x.from_stage = g.from_stage AND x.to_stage = g.to_stage) AS overridden,
  (g.hours * 3.6e9)::BIGINT AS hours_us
FROM listed g;

-- Whether a target (op_sla_targets' row) judges an order of `channel`: its channel's own, else the step's for every channel.
CREATE OR REPLACE TEMP MACRO op_sla_applies(target_channel, overridden, channel) AS
  coalesce(target_channel = channel, NOT list_contains(overridden, channel));

-- When a due pair was decided, in epoch µs: when it reached `to` if that was by the deadline, else the deadline.
CREATE OR REPLACE TEMP MACRO op_sla_decided_us(done_us, deadline_us) AS
  CASE WHEN done_us IS NOT NULL AND done_us <= deadline_us THEN done_us ELSE deadline_us END;

CREATE OR REPLACE TEMP MACRO op_sla_judged(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, stage_names, as_of,
    t_from, t_to, t_hours, t_channel, lists := true) AS TABLE
-- Each (order, target) pair with its start, deadline and completion by as_of, and whether it is due,
-- met, how late and when decided: what every count of the metric reads. Not materialized: each
-- reader scans the facts again in a pipeline of its own, where 40M pairs held at once (10M orders,
-- four targets) spilled a 2 GB memory limit (25 s).
WITH subject AS (
  -- Each order under its channel's target for a step, else the step's target for every channel.
  -- `lists` false (every target's stages have a time column): the stage lists are never read.
  SELECT o.row_id, o.order_key, o.channel, o.created_at, o.settled_at, g.t, g.hours_us,
    op_stage_at(g.from_stage, stage_names, CASE WHEN lists THEN o.stage_keys END, CASE WHEN lists THEN o.stage_at END, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS started,
    op_stage_at(g.to_stage, stage_names, CASE WHEN lists THEN o.stage_keys END, CASE WHEN lists THEN o.stage_at END, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS finished
  FROM op_scoped_orders(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses) o
    JOIN op_sla_targets(t_from, t_to, t_hours, t_channel) g ON op_sla_applies(g.target_channel, g.overridden, o.channel)
), timed AS (
  -- In epoch microseconds from here: an interval added to a TIMESTAMPTZ goes through the calendar
  -- (the statement took 1.05 s at 1M orders that way, 0.64 s this way), and whole microseconds sum
  -- to one answer whatever the order threads add them in (a sum of doubles differed between runs).
  SELECT row_id, order_key, channel, created_at, t, hours_us, started_us, started_us + hours_us AS deadline_us,
    CASE WHEN finished_us <= as_of_us THEN finished_us END AS done_us, settled_us, settled_at, as_of, as_of_us
  FROM (SELECT *, epoch_us(started) AS started_us, epoch_us(finished) AS finished_us, epoch_us(settled_at) AS settled_us, epoch_us(as_of) AS as_of_us FROM subject)
  WHERE started_us <= as_of_us
)
SELECT *,
  (done_us IS NOT NULL OR deadline_us <= as_of_us) AND NOT (done_us IS NULL AND coalesce(settled_us <= least(deadline_us, as_of_us), false)) AS due,
  done_us IS NOT NULL AND done_us <= deadline_us AS met,
  coalesce(done_us, as_of_us) - deadline_us AS late_us,
  op_sla_decided_us(done_us, deadline_us) // 900000000 AS decided_qh,
  -- As times, not µs: a filter on `open` reaches the scan as one on settled_at (28 against 58 ms at 10M orders).
  done_us IS NULL AND (settled_at IS NULL OR settled_at > as_of) AS open
FROM timed;

CREATE OR REPLACE TEMP MACRO op_sla_open(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, stage_names, as_of,
    t_from, t_to, t_hours, t_channel, threshold, min_history, tz, h_from_ts, h_to_ts, rollup := false, lists := true) AS TABLE
-- The pairs still open as of as_of, with due_today, open_breached and at_risk. The history they are
-- judged by: the step's pairs completed by as_of among the orders created in [h_from_ts, h_to_ts)
-- (a token's locked range; not the page's: sql/README.md, "sla"), or with `rollup` (for an as_of
-- the tenant's sla_state allows) the same counts kept at import. A bound flag is a constant when
-- DuckDB plans, so the branch not taken is never read.
WITH completed AS MATERIALIZED (
  -- The step's completed durations per target and channel, counted per whole minute (an order's
  -- minute: the floor of its duration), with how many of them took longer than the target.
  SELECT t, channel, (done_us - started_us) // 60000000 AS m, count(*) AS n, count(*) FILTER (done_us - started_us > hours_us) AS over_n
  FROM op_sla_judged(tenant, h_from_ts, h_to_ts, channels, regions, series, tiers, promotions, warehouses, stage_names, as_of, t_from, t_to, t_hours, t_channel, lists := lists)
  WHERE NOT rollup AND done_us IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT t, channel, m, sum(n), coalesce(sum(n) FILTER (over), 0) FROM sla_minutes
  WHERE rollup AND tenant_id = tenant AND (len(channels) = 0 OR list_contains(channels, channel)) GROUP BY ALL HAVING sum(n) <> 0
), minutes AS (
  -- How many took at least each minute: a cumulative count over a few thousand minutes per group,
  -- not a sort of every order (1.1 of 2.3 s at 1M orders); summed as doubles (exact below 2^53),
  -- which took 25 of the 46 ms a HUGEINT sum took over 111k minutes at 10M orders.
  SELECT t, channel, m, sum(n::DOUBLE) OVER (PARTITION BY t, channel ORDER BY m DESC) AS at_least FROM completed
), over_target AS (
  SELECT t, channel, sum(over_n) AS over FROM completed GROUP BY ALL
), open_now AS (
  SELECT * FROM op_sla_judged(tenant, from_ts, to_ts, channels, regions, series, tiers, promotions, warehouses, stage_names, as_of, t_from, t_to, t_hours, t_channel, lists := lists)
  WHERE open
), survival AS (
  -- For each open order, the completed orders of its step and channel that took at least the whole
  -- minutes it has waited: the group's count at the first minute at or past that.
  SELECT o.*, coalesce(s.at_least, 0) AS at_least
  FROM open_now o ASOF LEFT JOIN (SELECT t, channel, -m AS neg_m, at_least FROM minutes) s
    ON s.t = o.t AND s.channel = o.channel AND -((o.as_of_us - o.started_us) // 60000000) >= s.neg_m
)
SELECT o.row_id, o.order_key, o.created_at, o.t, o.channel, o.late_us, o.decided_qh,
  -- A local day is at most 25 h long: only a deadline within 26 h needs the zone's calendar.
  CASE WHEN o.deadline_us > o.as_of_us AND o.deadline_us - o.as_of_us < 93600000000
    THEN timezone(tz, 'epoch'::TIMESTAMPTZ + to_microseconds(o.deadline_us))::DATE = timezone(tz, as_of)::DATE ELSE false END AS due_today,
  o.deadline_us <= o.as_of_us AS open_breached,
  o.at_least >= min_history AND o.deadline_us > o.as_of_us AND coalesce(v.over, 0)::DOUBLE / o.at_least >= threshold AS at_risk
FROM survival o LEFT JOIN over_target v ON v.t = o.t AND v.channel = o.channel;
