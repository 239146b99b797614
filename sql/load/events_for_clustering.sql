-- Every event with its resolved arguments and date: what clustering compares.
SELECT event_id, doc_id, event_type, actor_entity_id, recipient_entity_id, event_date
FROM events
ORDER BY event_id;
