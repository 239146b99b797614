-- Record a run and every input it quarantined: one quarantine row per run and file, even when the
-- file was quarantined before for the same reason, so each run's rows say what was bad in it
-- (view quarantine_current reads the latest run of each source).
INSERT INTO runs BY NAME SELECT * FROM read_parquet($runs);
-- The key is (source_uri, run_id): an input refused for more than one reason in one run keeps
-- one row with its reasons joined.
INSERT INTO quarantine BY NAME
SELECT source_uri, string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reason, run_id
FROM read_parquet($quarantine)
GROUP BY source_uri, run_id;
