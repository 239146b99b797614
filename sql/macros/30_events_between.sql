-- events_between(country_a, country_b, date_from, date_to): events whose actor belongs to one
-- country and whose recipient belongs to the other (either direction), dated within the range
-- (inclusive). Countries are ISO 3166-1 alpha-3 codes of the resolved entities
-- (entities.country_code); an event without its own date counts on its report's date. The
-- sentence is left out to stay fast on large results: join event_details on event_id for it.
CREATE OR REPLACE MACRO events_between(country_a, country_b, date_from, date_to) AS TABLE
WITH parties AS (
    SELECT entity_id, name, country_code
    FROM entities
    WHERE country_code IN (upper(country_a), upper(country_b))
),
pairs AS (
    SELECT
        ev.*,
        actor.name AS actor_name,
        actor.country_code AS actor_country_code,
        recipient.name AS recipient_name,
        recipient.country_code AS recipient_country_code
    FROM events AS ev
    JOIN parties AS actor ON actor.entity_id = ev.actor_entity_id
    JOIN parties AS recipient ON recipient.entity_id = ev.recipient_entity_id
    WHERE
        (actor.country_code = upper(country_a) AND recipient.country_code = upper(country_b))
        OR (actor.country_code = upper(country_b) AND recipient.country_code = upper(country_a))
)
SELECT
    coalesce(p.event_date, d.published_at, d.load_date) AS event_day,
    p.event_type,
    p.actor_name,
    p.actor_country_code,
    p.recipient_name,
    p.recipient_country_code,
    p.trigger_text,
    p.negated,
    p.confidence,
    d.publisher,
    p.doc_id,
    p.cluster_id,
    p.event_id
FROM pairs AS p
JOIN documents AS d ON d.doc_id = p.doc_id
WHERE coalesce(p.event_date, d.published_at, d.load_date)
    BETWEEN CAST(date_from AS DATE) AND CAST(date_to AS DATE)
ORDER BY event_day, p.event_type, d.publisher, p.doc_id, p.start_char;
