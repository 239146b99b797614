-- The published rows of quarantine (one file in the lake).
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT * FROM quarantine;
