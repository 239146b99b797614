-- Replace event clusters with a new clustering.
UPDATE events SET cluster_id = NULL;
UPDATE events AS e
SET cluster_id = c.cluster_id
FROM read_parquet($event_cluster_map) AS c
WHERE e.event_id = c.event_id;
DELETE FROM event_clusters;
INSERT INTO event_clusters BY NAME SELECT * FROM read_parquet($event_clusters);
