-- Every event with its resolved arguments, for clustering reports of the same real-world event.
SELECT * EXCLUDE (cluster_id)
FROM events
ORDER BY event_id;
