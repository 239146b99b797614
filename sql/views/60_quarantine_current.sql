-- quarantine_current: what is bad now. The quarantined inputs of the latest succeeded run of each
-- source folder (runs.source); a file fixed (or removed) since that folder's last run drops out.
CREATE OR REPLACE VIEW quarantine_current AS
WITH latest_runs AS (
    SELECT source, arg_max(run_id, started_at) AS run_id, max(started_at) AS started_at
    FROM runs
    WHERE status = 'succeeded' AND source IS NOT NULL
    GROUP BY source
)
SELECT q.source_uri, q.reason, q.run_id, r.source, r.started_at AS run_started_at
FROM quarantine AS q
JOIN latest_runs AS r ON r.run_id = q.run_id;
