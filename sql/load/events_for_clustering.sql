-- Events with what event coreference compares: type and mode (the PLOVER sub-category of its
-- trigger: "shot" and "opened fire" are both firearms), resolved participants and their
-- countries, date and its certainty, place and trigger. Every event when $all, else those of the
-- documents $doc_ids and the events $event_ids (incremental clustering).
SELECT e.event_id, e.doc_id, e.event_type, e.actor_entity_id, e.recipient_entity_id,
       e.event_date, e.date_source, e.location_text, e.location_country_code, e.trigger_text,
       e.mode, actor.country_code AS actor_country_code,
       recipient.country_code AS recipient_country_code
FROM events AS e
LEFT JOIN entities AS actor ON actor.entity_id = e.actor_entity_id
LEFT JOIN entities AS recipient ON recipient.entity_id = e.recipient_entity_id
WHERE $all
   OR e.doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
   OR e.event_id IN (SELECT unnest($event_ids::VARCHAR[]))
ORDER BY e.event_id;
