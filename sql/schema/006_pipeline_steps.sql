-- Each order's consecutive steps among the pipeline stages it reached, in the tenant's pipeline
-- order (settings): `step_pairs` holds from position × 65536 + to position, `step_us` the
-- microseconds between them (negative when the later stage came first). stage-breakdown expands
-- these two plain lists instead of lining up every order's stages with the pipeline per query.
-- Depends on the pipeline, so a change of it rebuilds the tenant's facts (server/settings.ts),
-- like a change of time zone. Filled for existing orders by the facts backfill after the
-- migrations (server/db/database.ts).
ALTER TABLE order_facts ADD COLUMN step_pairs INTEGER[];
ALTER TABLE order_facts ADD COLUMN step_us BIGINT[];
