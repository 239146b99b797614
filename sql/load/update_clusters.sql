-- Replace the clusters a run touched: drop the stale ones, relink the reclustered events, and
-- insert their clusters. Clusters of untouched events stay as they are.
DELETE FROM event_clusters WHERE list_contains($stale_cluster_ids, cluster_id);
UPDATE events AS e
SET cluster_id = c.cluster_id
FROM read_parquet($event_cluster_map) AS c
WHERE e.event_id = c.event_id;
INSERT INTO event_clusters BY NAME SELECT * FROM read_parquet($event_clusters);
