-- A stage an export states without a time (a status column with no date of its own: Olist's
-- `canceled`, Shopify's `refunded`) is stored with "at" NULL: the order reached it, but no duration
-- can be measured to or from it. Before, such stages were timed at the order's latest known time.
-- Stores imported before keep those times until the source's next export replaces the claim.
ALTER TABLE order_events ALTER COLUMN "at" DROP NOT NULL;
