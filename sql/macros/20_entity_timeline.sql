-- entity_timeline(q): every document that mentions the entity called q (name or alias, see
-- entity_matches), oldest first: when, who published it, how often and in which forms the
-- entity is mentioned, the first sentence index that mentions it (join sentences for the text:
-- left out here to stay fast for heavily covered names), and the event types in which the
-- entity is the actor or the recipient in that document.
CREATE OR REPLACE MACRO entity_timeline(q) AS TABLE
WITH target AS (
    SELECT entity_id FROM entity_matches(q)
),
hits AS (
    SELECT
        m.entity_id,
        m.doc_id,
        count(*) AS n_mentions,
        list(DISTINCT m.text ORDER BY m.text) AS mention_forms,
        min(m.sentence_idx) AS first_sentence_idx
    FROM entity_mentions AS m
    WHERE m.entity_id IN (SELECT entity_id FROM target)
    GROUP BY m.entity_id, m.doc_id
),
roles AS (
    SELECT
        entity_id,
        doc_id,
        list(DISTINCT event_type ORDER BY event_type) AS event_types
    FROM (
        SELECT actor_entity_id AS entity_id, doc_id, event_type
        FROM events
        WHERE actor_entity_id IN (SELECT entity_id FROM target)
        UNION ALL
        SELECT recipient_entity_id AS entity_id, doc_id, event_type
        FROM events
        WHERE recipient_entity_id IN (SELECT entity_id FROM target)
    )
    GROUP BY entity_id, doc_id
)
SELECT
    coalesce(d.published_at, d.load_date) AS report_date,
    d.publisher,
    h.doc_id,
    d.title,
    h.entity_id,
    e.name AS entity_name,
    h.n_mentions,
    h.mention_forms,
    h.first_sentence_idx,
    coalesce(r.event_types, []) AS event_types
FROM hits AS h
JOIN documents AS d ON d.doc_id = h.doc_id
JOIN entities AS e ON e.entity_id = h.entity_id
LEFT JOIN roles AS r ON r.entity_id = h.entity_id AND r.doc_id = h.doc_id
ORDER BY report_date, d.publisher, h.doc_id;
