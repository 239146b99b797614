-- event_facts(): every extracted event with its participants' names and countries, the report
-- that carries it (publisher, date, title) and the sentence it was read from. Shared by the
-- event macros and the event_details view (macros can only read tables and earlier macros).
CREATE OR REPLACE MACRO event_facts() AS TABLE
SELECT
    ev.event_id,
    ev.cluster_id,
    ev.event_type,
    ev.mode,
    ev.event_date,
    coalesce(d.published_at, d.load_date) AS report_date,
    ev.negated,
    ev.factuality,
    ev.confidence,
    ev.actor_entity_id,
    actor.name AS actor_name,
    ev.actor_text,
    actor.country_code AS actor_country_code,
    ev.recipient_entity_id,
    recipient.name AS recipient_name,
    ev.recipient_text,
    recipient.country_code AS recipient_country_code,
    ev.trigger_text,
    ev.location_text,
    ev.location_country_code,
    ev.doc_id,
    d.publisher,
    d.title,
    d.url,
    ev.sentence_idx,
    s.text AS sentence_text,
    ev.start_char,
    ev.end_char
FROM events AS ev
JOIN documents AS d ON d.doc_id = ev.doc_id
LEFT JOIN entities AS actor ON actor.entity_id = ev.actor_entity_id
LEFT JOIN entities AS recipient ON recipient.entity_id = ev.recipient_entity_id
LEFT JOIN sentences AS s ON s.doc_id = ev.doc_id AND s.sentence_idx = ev.sentence_idx;
