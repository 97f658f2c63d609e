-- What each import brought per source and channel (schema/023), of one tenant. A file of its own:
-- a store opened short of migration 023 (a test of an old store) has no such table, and this file
-- is then left out (database.ts, defineMacros).
CREATE OR REPLACE TEMP MACRO op_import_sources(tenant) AS TABLE
  SELECT * EXCLUDE (tenant_id) FROM import_sources WHERE tenant_id = tenant;
