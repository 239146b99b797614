-- The published rows of entity_aliases (one file in the lake).
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT * FROM entity_aliases;
