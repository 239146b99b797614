-- The events of $event_ids that are their cluster's only event, with that cluster.
SELECT e.event_id, e.cluster_id
FROM events AS e
JOIN event_clusters AS c USING (cluster_id)
WHERE c.n_mentions = 1
  AND e.event_id IN (SELECT unnest($event_ids::VARCHAR[]))
ORDER BY e.event_id;
