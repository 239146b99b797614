-- Every event with what event coreference compares: type and mode (the PLOVER sub-category of
-- its trigger: "shot" and "opened fire" are both firearms), resolved participants, date and its
-- certainty, place and trigger.
SELECT event_id, doc_id, event_type, actor_entity_id, recipient_entity_id, event_date,
       date_source, location_text, location_country_code, trigger_text, mode
FROM events
ORDER BY event_id;
