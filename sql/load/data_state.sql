-- The last run that changed document data: the lake republishes every table when it differs.
SELECT coalesce(max(run_id), '') AS state
FROM runs
WHERE status = 'succeeded' AND docs_loaded > 0;
