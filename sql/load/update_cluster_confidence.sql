-- New confidences ($confidences: cluster_id, confidence) of clusters whose members stay: a
-- singleton's confidence follows its most probable pair, which a run's new pairs may change.
UPDATE event_clusters AS c
SET confidence = s.confidence
FROM read_parquet($confidences) AS s
WHERE c.cluster_id = s.cluster_id;
