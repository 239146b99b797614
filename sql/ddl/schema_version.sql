-- The warehouse's schema version (NULL before migrations were recorded: version 1).
SELECT max(version) AS version FROM schema_migrations;
