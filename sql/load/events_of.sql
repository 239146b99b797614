-- The events of the documents $doc_ids and the events $event_ids, with what clustering compares.
SELECT event_id, doc_id, event_type, actor_entity_id, recipient_entity_id, event_date,
       date_source, location_text, location_country_code, trigger_text
FROM events
WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
   OR event_id IN (SELECT unnest($event_ids::VARCHAR[]))
ORDER BY event_id;
