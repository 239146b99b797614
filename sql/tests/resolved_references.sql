-- Data test: every entity and cluster id a row refers to exists, and every entity has mentions.
SELECT 'entity_mentions.entity_id' AS reference, m.entity_id AS id
FROM entity_mentions AS m
WHERE m.entity_id IS NOT NULL AND m.entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'entity_aliases.entity_id', a.entity_id
FROM entity_aliases AS a
WHERE a.entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'events.actor_entity_id', e.actor_entity_id
FROM events AS e
WHERE e.actor_entity_id IS NOT NULL AND e.actor_entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'events.recipient_entity_id', e.recipient_entity_id
FROM events AS e
WHERE
    e.recipient_entity_id IS NOT NULL
    AND e.recipient_entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'events.cluster_id', e.cluster_id
FROM events AS e
WHERE e.cluster_id IS NOT NULL AND e.cluster_id NOT IN (SELECT cluster_id FROM event_clusters)
UNION ALL
SELECT 'entities without mentions', n.entity_id
FROM entities AS n
WHERE n.entity_id NOT IN (SELECT entity_id FROM entity_mentions WHERE entity_id IS NOT NULL);
