-- event_reports: one row per real-world event (cluster) and publisher that reported it: what
-- happened between whom, how many event mentions and documents of that publisher carry it,
-- and when the publisher first reported it.
CREATE OR REPLACE VIEW event_reports AS
SELECT
    ev.cluster_id,
    c.event_type,
    c.event_date,
    c.actor_entity_id,
    actor.name AS actor_name,
    c.recipient_entity_id,
    recipient.name AS recipient_name,
    c.n_publishers,
    d.publisher,
    count(*) AS n_event_mentions,
    count(DISTINCT ev.doc_id) AS n_documents,
    min(coalesce(d.published_at, d.load_date)) AS first_reported
FROM events AS ev
JOIN event_clusters AS c ON c.cluster_id = ev.cluster_id
JOIN documents AS d ON d.doc_id = ev.doc_id
LEFT JOIN entities AS actor ON actor.entity_id = c.actor_entity_id
LEFT JOIN entities AS recipient ON recipient.entity_id = c.recipient_entity_id
GROUP BY
    ev.cluster_id, c.event_type, c.event_date, c.actor_entity_id, actor.name,
    c.recipient_entity_id, recipient.name, c.n_publishers, d.publisher;
