-- The event clusters as the previous run left them.
SELECT cluster_id, event_type, actor_entity_id, recipient_entity_id, event_date, n_mentions
FROM event_clusters;
