-- Record a run and the inputs it quarantined. A file quarantined for the same reason before keeps
-- its first row, so re-running on unchanged input adds nothing to quarantine.
INSERT INTO runs BY NAME SELECT * FROM read_parquet($runs);
INSERT INTO quarantine BY NAME
SELECT q.*
FROM read_parquet($quarantine) AS q
WHERE NOT EXISTS (
    SELECT 1 FROM quarantine AS o WHERE o.source_uri = q.source_uri AND o.reason = q.reason
);
