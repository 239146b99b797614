-- Events with what event coreference compares: type and mode (the PLOVER sub-category of its
-- trigger: "shot" and "opened fire" are both firearms), resolved participants, date and its
-- certainty, place and trigger. Every event when $all, else those of the documents $doc_ids and
-- the events $event_ids (incremental clustering).
SELECT event_id, doc_id, event_type, actor_entity_id, recipient_entity_id, event_date,
       date_source, location_text, location_country_code, trigger_text, mode
FROM events
WHERE $all
   OR doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
   OR event_id IN (SELECT unnest($event_ids::VARCHAR[]))
ORDER BY event_id;
