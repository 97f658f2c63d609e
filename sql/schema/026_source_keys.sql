-- Sources (the mappings that import orders) by a small integer key, as stage_keys numbers stages:
-- the duration rollups (schema/013) keep each order's merge latency (first seen − placed, the
-- freshness metric) under measure −1 − key, so exact medians per source and channel come from
-- the same histograms as every other duration. Kept by imports (server/import/refresh-rollups.ts);
-- the rollups are rebuilt after this migration to hold them.
CREATE TABLE source_keys (
  source VARCHAR PRIMARY KEY,
  key    INTEGER NOT NULL UNIQUE
);
INSERT INTO source_keys SELECT source, row_number() OVER (ORDER BY source) FROM (SELECT DISTINCT source FROM orders WHERE source IS NOT NULL);
