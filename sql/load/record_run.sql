-- Record a run and every input it quarantined: one quarantine row per run and file, even when the
-- file was quarantined before for the same reason, so each run's rows say what was bad in it
-- (view quarantine_current reads the latest run of each source).
INSERT INTO runs BY NAME SELECT * FROM read_parquet($runs);
INSERT INTO quarantine BY NAME SELECT DISTINCT * FROM read_parquet($quarantine);
