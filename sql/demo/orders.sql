-- Demo orders: $orders orders (numbered from $first) placed in [$start, $end) (local days in
-- Asia/Shanghai), deterministic for $seed. Randomness comes from hash(), not
-- random(), so the same seed gives the same rows whatever the thread count.
-- Stage times are computed here; demo/events.sql turns them into events.
CREATE OR REPLACE TEMP MACRO demo_u(seed, i, k) AS ((hash(seed, i, k) % 1000003)::DOUBLE + 0.5) / 1000003;
-- Exponential draw with the given mean (hours).
CREATE OR REPLACE TEMP MACRO demo_exp(seed, i, k, mean) AS -ln(demo_u(seed, i, k)) * mean;
-- Moves a local time outside 09:00-18:00 to the next 09:00 plus a little: clerks work office hours.
CREATE OR REPLACE TEMP MACRO demo_office(t, seed, i, k) AS
  CASE WHEN hour(t) BETWEEN 9 AND 17 THEN t
       ELSE date_trunc('day', t + CASE WHEN hour(t) >= 18 THEN INTERVAL 1 DAY ELSE INTERVAL 0 DAY END)
            + INTERVAL 9 HOUR + to_microseconds((demo_u(seed, i, k) * 3600e6)::BIGINT) END;
CREATE OR REPLACE TEMP MACRO demo_hours(h) AS to_microseconds((h * 3600e6)::BIGINT);

CREATE OR REPLACE TEMP TABLE demo_orders AS
WITH base AS (
  SELECT i,
    CASE WHEN demo_u($seed, i, 1) < 0.30 THEN 'tmall' WHEN demo_u($seed, i, 1) < 0.55 THEN 'jd'
         WHEN demo_u($seed, i, 1) < 0.75 THEN 'douyin' WHEN demo_u($seed, i, 1) < 0.90 THEN 'wechat' ELSE 'offline' END AS channel,
    CASE WHEN demo_u($seed, i, 2) < 0.30 THEN 'basic-tee' WHEN demo_u($seed, i, 2) < 0.52 THEN 'denim'
         WHEN demo_u($seed, i, 2) < 0.70 THEN 'outerwear' WHEN demo_u($seed, i, 2) < 0.85 THEN 'knitwear' ELSE 'tailored-suit' END AS sku_series,
    -- Placement: a uniform day, an hour weighted towards the evening peak.
    $start::TIMESTAMP + to_days(floor(demo_u($seed, i, 3) * datediff('day', $start::DATE, $end::DATE))::INTEGER)
      + demo_hours(7 + 16.99 * sqrt(demo_u($seed, i, 4))) AS placed_local,
    i - $first >= $orders * 0.985 AS in_surge
  FROM range($first, $first + $orders) t(i)
), placed AS (
  SELECT *,
    -- 1.5 % of orders land in three Douyin live-stream hours: the surges to flag.
    CASE WHEN in_surge THEN $start::TIMESTAMP + to_days(datediff('day', $start::DATE, $end::DATE) * (1 + (i % 3)) // 4)
                            + INTERVAL 20 HOUR + demo_hours(demo_u($seed, i, 5) * 0.99)
         ELSE placed_local END AS t0,
    CASE WHEN in_surge THEN 'douyin' ELSE channel END AS ch
  FROM base
), shaped AS (
  SELECT *, t0 >= $golive::TIMESTAMP AS after_golive,
    CASE ch WHEN 'douyin' THEN 0.19 WHEN 'offline' THEN 0.01 ELSE 0.03 END AS p_lost_after_paid
  FROM placed
), timed AS (
  SELECT *,
    demo_u($seed, i, 6) >= 0.04 AS paid,
    demo_u($seed, i, 7) < p_lost_after_paid AS lost,
    -- First human touch: credit check, 9.6 h on average before the go-live, 3.5 h after.
    -- After it the check is automated and runs around the clock; before, clerks do it in office hours.
    CASE WHEN after_golive THEN t0 + demo_hours(demo_exp($seed, i, 8, 3.6))
         ELSE demo_office(t0 + demo_hours(demo_exp($seed, i, 8, 3.4)), $seed, i, 9) END AS t_credit
  FROM shaped
), stages AS (
  SELECT *,
    t_credit + demo_hours(demo_exp($seed, i, 10, CASE WHEN after_golive THEN 0.6 ELSE 2.5 END)) AS t_stock,
    sku_series = 'tailored-suit' AS complex_sizes
  FROM timed
), flow AS (
  SELECT *,
    t_stock + demo_hours(demo_exp($seed, i, 11, 5)) AS t_dispatch
  FROM stages
), flow2 AS (
  SELECT *, t_dispatch + demo_hours(demo_exp($seed, i, 12, 3)) AS t_pick FROM flow
), flow3 AS (
  SELECT *, t_pick + demo_hours(demo_exp($seed, i, 13, 4) + CASE WHEN complex_sizes THEN 6 ELSE 0 END) AS t_ship FROM flow2
), flow4 AS (
  SELECT *, t_ship + demo_hours(18 + demo_exp($seed, i, 14, CASE ch WHEN 'offline' THEN 4 ELSE 40 END)) AS t_deliver FROM flow3
)
SELECT
  i,
  ch AS channel,
  upper(left(ch, 2)) || lpad(i::VARCHAR, 9, '0') AS order_id,
  timezone($tz, t0) AS created_at,
  timezone($tz, t0 + INTERVAL 120 HOUR) AS promised_at,
  'C' || lpad(((hash($seed, i, 20) % ($orders // 3 + 1)))::VARCHAR, 8, '0') AS customer_id,
  CASE WHEN demo_u($seed, i, 21) < 0.1 THEN 'gold' WHEN demo_u($seed, i, 21) < 0.35 THEN 'silver' ELSE 'regular' END AS customer_tier,
  sku_series || '-' || (hash($seed, i, 22) % 12)::VARCHAR AS sku,
  sku_series,
  (1 + floor(demo_exp($seed, i, 23, 0.6)))::INTEGER AS quantity,
  round(CASE sku_series WHEN 'basic-tee' THEN 79 WHEN 'denim' THEN 299 WHEN 'outerwear' THEN 699 WHEN 'knitwear' THEN 359 ELSE 1299 END
        * (1 + floor(demo_exp($seed, i, 23, 0.6))) * (0.8 + 0.4 * demo_u($seed, i, 24)), 2)::DECIMAL(18, 2) AS amount,
  'CNY' AS currency,
  ['east', 'north', 'south', 'west', 'central'][1 + (hash($seed, i, 25) % 5)::INTEGER] AS region,
  -- Four warehouses; a fifth of the orders ship from the one that has the stock rather than the nearest.
  CASE WHEN demo_u($seed, i, 26) < 0.2 THEN ['WH-Shanghai', 'WH-Beijing', 'WH-Guangzhou', 'WH-Chengdu'][1 + (hash($seed, i, 27) % 4)::INTEGER]
       ELSE CASE ['east', 'north', 'south', 'west', 'central'][1 + (hash($seed, i, 25) % 5)::INTEGER]
         WHEN 'east' THEN 'WH-Shanghai' WHEN 'north' THEN 'WH-Beijing' WHEN 'south' THEN 'WH-Guangzhou' WHEN 'west' THEN 'WH-Chengdu' ELSE 'WH-Shanghai' END
  END AS warehouse,
  -- The carrier and its waybill once the parcel has left (shipped before the export's end).
  CASE WHEN paid AND NOT lost AND t_ship < $end::TIMESTAMP THEN
    CASE WHEN ch = 'jd' THEN 'JD Logistics' WHEN ch = 'offline' THEN 'SF Express'
         ELSE ['SF Express', 'ZTO Express', 'YTO Express'][1 + (hash($seed, i, 28) % 3)::INTEGER] END END AS carrier,
  after_golive,
  complex_sizes,
  -- Stage instants; NULL where the order never got there.
  timezone($tz, t0) AS at_placed,
  CASE WHEN paid THEN timezone($tz, t0) END AS at_paid,
  CASE WHEN paid THEN timezone($tz, t_credit) END AS at_credit_checked,
  CASE WHEN paid THEN timezone($tz, t_stock) END AS at_stock_locked,
  CASE WHEN paid AND NOT lost THEN timezone($tz, t_dispatch) END AS at_dispatched,
  CASE WHEN paid AND NOT lost THEN timezone($tz, t_pick) END AS at_picked,
  CASE WHEN paid AND NOT lost THEN timezone($tz, t_ship) END AS at_shipped,
  CASE WHEN paid AND NOT lost THEN timezone($tz, t_deliver) END AS at_delivered,
  CASE WHEN NOT paid THEN timezone($tz, t0 + INTERVAL 30 MINUTE)
       WHEN lost THEN timezone($tz, t_stock + demo_hours(demo_exp($seed, i, 15, 10))) END AS at_cancelled,
  CASE WHEN paid AND NOT lost AND demo_u($seed, i, 16) < CASE ch WHEN 'douyin' THEN 0.12 ELSE 0.05 END
       THEN timezone($tz, t_deliver + demo_hours(24 + demo_exp($seed, i, 17, 72))) END AS at_returned
FROM flow4;

-- Most returns are refunded a day or two later.
ALTER TABLE demo_orders ADD COLUMN at_refunded TIMESTAMPTZ;
UPDATE demo_orders SET at_refunded = at_returned + INTERVAL 36 HOUR WHERE at_returned IS NOT NULL AND demo_u($seed, i, 18) < 0.8;
