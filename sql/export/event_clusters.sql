-- The published rows of event_clusters (one file in the lake).
CREATE OR REPLACE TEMP VIEW published_rows AS
SELECT * FROM event_clusters;
