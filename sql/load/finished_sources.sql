-- Backfill planning: every succeeded run that names its source folder, with the inputs it
-- quarantined (empty list when none), so a day folder is compared with its latest load.
SELECT
    r.source,
    r.run_id,
    r.started_at,
    coalesce(list(q.source_uri ORDER BY q.source_uri) FILTER (WHERE q.source_uri IS NOT NULL), [])
        AS quarantined
FROM runs AS r
LEFT JOIN quarantine AS q ON q.run_id = r.run_id
WHERE r.status = 'succeeded' AND r.source IS NOT NULL
GROUP BY r.source, r.run_id, r.started_at;
