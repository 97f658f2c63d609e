-- Definitions of #18 that change what the facts and rollups hold, with no column change: the
-- default funnel counts a step reached before the previous one (order=any; sql/README.md,
-- "channel-funnel") and the rollups hold the orders in flight at each of its steps (measures
-- 6..10); order_hour_counts holds UTC hours instead of the tenant's wall hours (surge-alerts);
-- order_day_totals.refunded counts returned orders too (the refund/return rate).
-- The facts and rollups rebuild that follows this migration recomputes them.
SELECT 1;
