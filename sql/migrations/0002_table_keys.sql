-- Schema version 2: entities, entity_aliases and quarantine get their contract key as a primary
-- key (version 1 had keys on documents and runs). Tables with a row per sentence, mention or
-- event keep none (see etl/schema.py WarehouseTable); sql/tests/unique_keys.sql checks them.
-- Fails, and the run with it, if a table holds duplicate keys.
ALTER TABLE entities ADD PRIMARY KEY (entity_id);
ALTER TABLE entity_aliases ADD PRIMARY KEY (entity_id, alias);
ALTER TABLE quarantine ADD PRIMARY KEY (source_uri, run_id);
