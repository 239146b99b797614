-- Each run that changed document data after the lake's published state $state, with the lake
-- partitions it recorded touching (none for a run of a release that did not record them).
SELECT r.run_id, list(DISTINCT c.partition ORDER BY c.partition) FILTER (c.partition IS NOT NULL) AS partitions
FROM runs AS r
LEFT JOIN lake_changes AS c USING (run_id)
WHERE r.status = 'succeeded' AND r.docs_loaded > 0 AND r.run_id > $state
GROUP BY r.run_id
ORDER BY r.run_id;
