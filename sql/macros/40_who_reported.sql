-- who_reported(event_type, q): for each real-world event (cluster) of that PLOVER type in which
-- the entity called q (name or alias) is the actor or the recipient, one row per publisher that
-- reported it: how many event mentions, in which documents, with which trigger words and
-- participants, and first reported when.
CREATE OR REPLACE MACRO who_reported(kind, q) AS TABLE
WITH target AS (
    SELECT entity_id FROM entity_matches(q)
),
hits AS (
    -- two filtered scans beat one scan with OR: each uses the small target list as a filter,
    -- the second skips events already found by the first
    SELECT * FROM events
    WHERE actor_entity_id IN (SELECT entity_id FROM target)
    UNION ALL
    SELECT * FROM events
    WHERE
        recipient_entity_id IN (SELECT entity_id FROM target)
        AND (actor_entity_id IS NULL OR actor_entity_id NOT IN (SELECT entity_id FROM target))
),
reports AS (
    SELECT
        ev.cluster_id,
        ev.event_type,
        ev.doc_id,
        ev.trigger_text,
        actor.name AS actor_name,
        recipient.name AS recipient_name,
        d.publisher,
        coalesce(d.published_at, d.load_date) AS report_date
    FROM hits AS ev
    JOIN documents AS d ON d.doc_id = ev.doc_id
    LEFT JOIN entities AS actor ON actor.entity_id = ev.actor_entity_id
    LEFT JOIN entities AS recipient ON recipient.entity_id = ev.recipient_entity_id
    WHERE ev.event_type = upper(kind) AND ev.cluster_id IS NOT NULL
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
    min(r.report_date) AS first_reported
FROM reports AS r
LEFT JOIN event_clusters AS c ON c.cluster_id = r.cluster_id
GROUP BY r.cluster_id, r.event_type, c.event_date, c.n_publishers, r.publisher
ORDER BY c.n_publishers DESC NULLS LAST, c.event_date, r.cluster_id, r.publisher;
