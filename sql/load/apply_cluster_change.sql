-- Apply a clustering of some events ($clustered): their old clusters go, their new ones come,
-- and clusters left without events (all theirs superseded) are dropped.
DELETE FROM event_clusters
WHERE cluster_id IN (
    SELECT cluster_id FROM events WHERE event_id IN (SELECT event_id FROM read_parquet($clustered))
);
UPDATE events AS e
SET cluster_id = c.cluster_id
FROM read_parquet($event_cluster_map) AS c
WHERE e.event_id = c.event_id;
DELETE FROM event_clusters
WHERE cluster_id NOT IN (SELECT cluster_id FROM events WHERE cluster_id IS NOT NULL);
INSERT INTO event_clusters BY NAME SELECT * FROM read_parquet($event_clusters);
