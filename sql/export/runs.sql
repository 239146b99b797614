-- The published rows of runs (one file in the lake).
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT * FROM runs;
