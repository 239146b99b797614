-- The numbered migrations (sql/migrations/NNNN_*.sql) applied to this warehouse: its schema
-- version is the highest. A warehouse created by a release records every migration it knew.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
);
