-- The cluster of every event (NULL for a run's new events): incremental clustering finds the
-- events whose cluster must be recomputed.
SELECT event_id, cluster_id
FROM events
ORDER BY event_id;
