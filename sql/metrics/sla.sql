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
-- The history is the step's completed orders among those created in [$h_from_ts, $h_to_ts) (a
-- token's locked range, not the page's), in the other filters. The whole-range row (bucket NULL)
-- carries the open counts; with $unit, one more row per period. With $rollup (server: the targets
-- the rollups hold, an as_of at or after their watermark, whole local days [$from_day, $to_day),
-- channels alone) the decided pairs and the history come from schema/025, the open pairs from
-- the facts.
-- params: $tenant, $store_tz, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $as_of, $t_from, $t_to, $t_hours, $t_channel, $threshold, $min_history, $h_from_ts, $h_to_ts, $stage_lists, $rollup, $from_day, $to_day
-- Per order: op_sla_judged and op_sla_open (sql/macros/sla.sql), which GET /api/orders lists from too.
-- columns: target string, from_stage string, to_stage string, target_hours number, channel string, bucket time, due integer, met integer, breached integer, breach_rate number, mean_late_hours number, open integer, due_today integer, at_risk integer, open_breached integer
WITH targets AS (
  SELECT t, from_stage, to_stage, hours FROM op_sla_targets($t_from, $t_to, $t_hours, $t_channel)
), open_pairs AS MATERIALIZED (
  -- Read once: the rollups' answer reads them twice (a scan of the facts each).
  SELECT * FROM op_sla_open($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses, $stage_names,
    $as_of::TIMESTAMPTZ, $t_from, $t_to, $t_hours, $t_channel, $threshold, $min_history, $tz, $h_from_ts::TIMESTAMPTZ, $h_to_ts::TIMESTAMPTZ,
    rollup := $rollup, lists := $stage_lists
  )
), open_counts AS (
  SELECT t, channel, count(*) AS open, count(*) FILTER (due_today) AS due_today, count(*) FILTER (at_risk) AS at_risk,
    count(*) FILTER (open_breached) AS open_breached
  FROM open_pairs GROUP BY ALL
), decided AS (
  -- The due pairs by when they were decided (never after $as_of: a period is not cut short by
  -- orders not due yet), as a local time of $tz for the periods.
-- when not $rollup
  -- Summed per UTC quarter hour first, then one zone conversion per group: one per order took
  -- 0.6 s at 1M. Every zone's offset is a whole number of quarter hours, so each falls in one local day.
  SELECT t, channel, CASE WHEN $unit IS NOT NULL THEN timezone($tz, to_timestamp(qh * 900)) END AS local_ts, due, met, late_sum FROM (
    SELECT t, channel, decided_qh AS qh, count(*) AS due, count(*) FILTER (met) AS met, sum(late_us) FILTER (NOT met) AS late_sum
    FROM op_sla_judged($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses, $stage_names,
      $as_of::TIMESTAMPTZ, $t_from, $t_to, $t_hours, $t_channel, lists := $stage_lists)
    WHERE due GROUP BY ALL
  )
-- or
-- when $rollup
  SELECT t, channel, decided::TIMESTAMP AS local_ts, sum(n) AS due, coalesce(sum(n) FILTER (met), 0) AS met,
    -- A pair settled after its deadline without reaching `to` is late until $as_of.
    sum(CASE WHEN done THEN late_us ELSE n::HUGEINT * epoch_us($as_of::TIMESTAMPTZ) + late_us END) FILTER (NOT met) AS late_sum
  FROM sla_counts
  WHERE tenant_id = $tenant AND day >= $from_day::DATE AND day < $to_day::DATE AND (len($channels) = 0 OR list_contains($channels, channel))
  GROUP BY ALL
  UNION ALL
  -- The open pairs whose deadline has passed: due, breached, late until $as_of.
  SELECT t, channel, CASE WHEN $unit IS NOT NULL THEN timezone($tz, to_timestamp(decided_qh * 900)) END, count(*), 0, sum(late_us)
  FROM open_pairs WHERE open_breached GROUP BY ALL
-- end
), whole AS (
  SELECT t, channel, sum(due) AS due, sum(met) AS met, op_us_hours(sum(late_sum) / nullif(sum(due) - sum(met), 0)) AS mean_late_hours
  FROM decided GROUP BY ALL
), periods AS (
  SELECT t, channel, op_bucket(local_ts, $unit) AS bucket,
    sum(due) AS due, sum(met) AS met, op_us_hours(sum(late_sum) / nullif(sum(due) - sum(met), 0)) AS mean_late_hours
  FROM decided WHERE $unit IS NOT NULL GROUP BY ALL
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
