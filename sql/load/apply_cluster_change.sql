-- Apply a clustering of some events ($clustered): their old clusters go, their new ones come,
-- and clusters left without events (all theirs superseded) are dropped.
DELETE FROM event_clusters
WHERE cluster_id IN (
    SELECT cluster_id FROM events WHERE event_id IN (SELECT event_id FROM read_parquet($clustered))
);
-- The documents whose events change cluster: their lake partitions change (touch_documents.sql).
CREATE TEMP TABLE IF NOT EXISTS touched_documents (doc_id VARCHAR);
INSERT INTO touched_documents
SELECT DISTINCT e.doc_id
FROM events AS e
JOIN read_parquet($event_cluster_map) AS c USING (event_id)
WHERE e.cluster_id IS DISTINCT FROM c.cluster_id;
UPDATE events AS e
SET cluster_id = c.cluster_id
FROM read_parquet($event_cluster_map) AS c
WHERE e.event_id = c.event_id;
DELETE FROM event_clusters
WHERE cluster_id NOT IN (SELECT cluster_id FROM events WHERE cluster_id IS NOT NULL);
INSERT INTO event_clusters BY NAME SELECT * FROM read_parquet($event_clusters);
