-- Record the lake partitions run $run_id touched (collect_touched_partitions.sql).
CREATE TEMP TABLE IF NOT EXISTS touched_partitions (partition VARCHAR);
INSERT INTO lake_changes
SELECT DISTINCT $run_id, partition FROM touched_partitions ORDER BY ALL;
DELETE FROM touched_partitions;
