-- Which order fields and stages each date-time column of a source feeds (comma-separated, e.g.
-- `promised_at` or `created_at,placed`): a definition asks for the precision of a field (on-time
-- compares dates when the promise carries no time of day), not of a column name.
-- And the zone its wall times were read in (the mapping's, else the store's): a date-only promise
-- is a day of that zone.
ALTER TABLE source_columns ADD COLUMN fields VARCHAR;
ALTER TABLE source_columns ADD COLUMN time_zone VARCHAR;
