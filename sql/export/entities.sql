-- The published rows of entities (one file in the lake).
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT * FROM entities;
