-- who_reported(event_type, q): for each real-world event (cluster) of that PLOVER type in which
-- the entity called q (name or alias) is the actor or the recipient, one row per publisher that
-- reported it: how many event mentions, in which documents, with which trigger words, first
-- reported when, and one sentence as evidence.
CREATE OR REPLACE MACRO who_reported(kind, q) AS TABLE
WITH target AS (
    SELECT entity_id FROM entity_matches(q)
),
reports AS (
    SELECT *
    FROM event_facts()
    WHERE
        event_type = upper(kind)
        AND cluster_id IS NOT NULL
        AND (
            actor_entity_id IN (SELECT entity_id FROM target)
            OR recipient_entity_id IN (SELECT entity_id FROM target)
        )
)
SELECT
    r.cluster_id,
    r.event_type,
    c.event_date,
    c.n_publishers,
    r.publisher,
    count(*) AS n_event_mentions,
    list(DISTINCT r.doc_id ORDER BY r.doc_id) AS doc_ids,
    list(DISTINCT r.actor_name ORDER BY r.actor_name) AS actors,
    list(DISTINCT r.recipient_name ORDER BY r.recipient_name) AS recipients,
    list(DISTINCT lower(r.trigger_text) ORDER BY lower(r.trigger_text)) AS triggers,
    min(r.report_date) AS first_reported,
    min(r.sentence_text) AS example_sentence
FROM reports AS r
LEFT JOIN event_clusters AS c ON c.cluster_id = r.cluster_id
GROUP BY r.cluster_id, r.event_type, c.event_date, c.n_publishers, r.publisher
ORDER BY c.n_publishers DESC NULLS LAST, c.event_date, r.cluster_id, r.publisher;
