-- What each source's imports found in each date-time column it reads: whether its values carry a
-- time of day (`time`) or only a date (`date`), from the latest import that read the column. A
-- definition that compares or measures times can tell a date-only source from a timed one.
CREATE TABLE source_columns (
  tenant_id   VARCHAR NOT NULL,
  source      VARCHAR NOT NULL,
  column_name VARCHAR NOT NULL,
  precision   VARCHAR NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tenant_id, source, column_name)
);
