-- The keys of duration_values holding durations an import took away (n = -1) since the tenant's
-- last compaction: only their buckets need a running count to find a rank; every other bucket's
-- rank is read from a bounded heap of its k smallest durations. Measured at 10M orders, reading
-- the ~800k candidate durations' signs was most of cycle-time's and stage-breakdown's time.
CREATE TABLE duration_removed (
  tenant_id VARCHAR NOT NULL,
  key       BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
INSERT INTO duration_removed SELECT DISTINCT tenant_id, key FROM duration_values WHERE n < 0;
