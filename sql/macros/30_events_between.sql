-- events_between(country_a, country_b, date_from, date_to): events whose actor belongs to one
-- country and whose recipient belongs to the other (either direction), dated within the range
-- (inclusive). Countries are ISO 3166-1 alpha-3 codes of the resolved entities
-- (entities.country_code); an event without its own date counts on its report's date.
CREATE OR REPLACE MACRO events_between(country_a, country_b, date_from, date_to) AS TABLE
SELECT
    coalesce(event_date, report_date) AS event_day,
    event_type,
    actor_name,
    actor_country_code,
    recipient_name,
    recipient_country_code,
    trigger_text,
    negated,
    confidence,
    publisher,
    doc_id,
    cluster_id,
    event_id,
    sentence_text
FROM event_facts()
WHERE
    (
        (actor_country_code = upper(country_a) AND recipient_country_code = upper(country_b))
        OR (actor_country_code = upper(country_b) AND recipient_country_code = upper(country_a))
    )
    AND coalesce(event_date, report_date)
        BETWEEN CAST(date_from AS DATE) AND CAST(date_to AS DATE)
ORDER BY event_day, event_type, publisher, doc_id, start_char;
