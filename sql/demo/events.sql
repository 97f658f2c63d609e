-- Demo events, promotions and order attribution from demo_orders (see
-- demo/orders.sql): stage events, then friction. Events after $end are left
-- out, so the last days hold orders still in flight.

-- Six promotions spread over the range, one channel each.
CREATE OR REPLACE TEMP TABLE demo_promotions AS
SELECT 'P' || k AS promotion_id, ch AS channel, name,
  timezone($tz, $start::TIMESTAMP + to_days((datediff('day', $start::DATE, $end::DATE) * f)::INTEGER)) AS starts_at,
  timezone($tz, $start::TIMESTAMP + to_days((datediff('day', $start::DATE, $end::DATE) * f)::INTEGER + 7)) AS ends_at,
  spend::DECIMAL(18, 2) AS spend
FROM (VALUES (1, 'tmall', 'New year sale', 0.02, 8000), (2, 'douyin', 'Spring live stream', 0.25, 30000),
             (3, 'jd', '618 mid-year', 0.44, 5000), (4, 'wechat', 'Member week', 0.55, 2500),
             (5, 'tmall', 'Double 11', 0.85, 12000), (6, 'douyin', 'Winter live stream', 0.93, 9000))
  AS p(k, ch, name, f, spend);

-- Each order has one owning clerk; twelve clerks before the go-live, six after (the same work, half the hands).
CREATE OR REPLACE TEMP MACRO demo_actor(seed, i, after) AS
  'clerk-' || lpad((1 + hash(seed, i, 'owner') % CASE WHEN after THEN 6 ELSE 12 END)::VARCHAR, 2, '0');

CREATE OR REPLACE TEMP TABLE demo_events AS
WITH stage_events AS (
  SELECT o.channel, o.order_id, s.stage, s."at",
    -- Order clerks are the actors; warehouse and carrier steps have none, so throughput is per clerk.
    CASE WHEN s.stage IN ('credit_checked', 'stock_locked', 'dispatched', 'cancelled') THEN demo_actor($seed, o.i, o.after_golive) END AS actor
  FROM demo_orders o, unnest([
    {'stage': 'placed', 'at': at_placed}, {'stage': 'paid', 'at': at_paid},
    {'stage': 'credit_checked', 'at': at_credit_checked}, {'stage': 'stock_locked', 'at': at_stock_locked},
    {'stage': 'dispatched', 'at': at_dispatched}, {'stage': 'picked', 'at': at_picked},
    {'stage': 'shipped', 'at': at_shipped}, {'stage': 'delivered', 'at': at_delivered},
    {'stage': 'cancelled', 'at': at_cancelled}, {'stage': 'returned', 'at': at_returned},
    {'stage': 'refunded', 'at': at_refunded}
  ]) u(s)
  WHERE s."at" IS NOT NULL
), friction AS (
  SELECT *,
    -- Manual copies CRM → Excel → ERP → WMS: 3.2 per order before the go-live, 0.6 after.
    floor(demo_exp($seed, i, 40, CASE WHEN after_golive THEN 0.6 ELSE 3.2 END) + 0.5)::INTEGER AS data_moves,
    -- Wrong manual splits: 31 % for the complex size matrix, 5 % elsewhere; much fewer after the go-live.
    demo_u($seed, i, 41) < CASE WHEN complex_sizes THEN (CASE WHEN after_golive THEN 0.12 ELSE 0.31 END)
                                ELSE (CASE WHEN after_golive THEN 0.02 ELSE 0.05 END) END AS has_exception,
    demo_u($seed, i, 44) < CASE WHEN after_golive THEN 0.08 ELSE 0.25 END AS chased
  FROM demo_orders WHERE at_credit_checked IS NOT NULL
), friction_events AS (
  SELECT channel, order_id, 'data_move' AS type, at_credit_checked + to_minutes((15 * (k + 1))::BIGINT) AS "at",
         demo_actor($seed, i, after_golive) AS actor, 11.0 AS minutes, NULL::DECIMAL(18, 2) AS cost
  FROM friction, range(data_moves) r(k)
  UNION ALL
  SELECT channel, order_id, 'exception', at_stock_locked + INTERVAL 20 MINUTE, demo_actor($seed, i, after_golive),
         round(20 + demo_exp($seed, i, 42, 25)), NULL
  FROM friction WHERE has_exception
  UNION ALL
  -- Most split errors are rescued with air freight.
  SELECT channel, order_id, 'expedite', coalesce(at_shipped, at_stock_locked) - INTERVAL 1 MINUTE, NULL, NULL,
         round(80 + demo_u($seed, i, 43) * 120, 2)::DECIMAL(18, 2)
  FROM friction WHERE has_exception AND demo_u($seed, i, 45) < 0.75
  UNION ALL
  SELECT channel, order_id, 'contact', at_credit_checked + demo_hours(2 + demo_exp($seed, i, 46, 12)),
         demo_actor($seed, i, after_golive), round(5 + demo_u($seed, i, 47) * 10), NULL
  FROM friction WHERE chased
)
SELECT order_id, channel, "at", 'stage' AS type, stage, actor, NULL::DOUBLE AS minutes, NULL::DECIMAL(18, 2) AS cost FROM stage_events
UNION ALL
SELECT order_id, channel, "at", type, NULL, actor, minutes, cost FROM friction_events;

DELETE FROM demo_events WHERE "at" >= timezone($tz, $end::TIMESTAMP);
