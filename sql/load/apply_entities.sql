-- Replace the entity tables with a new global resolution and relink mentions and event arguments.
DELETE FROM entities;
INSERT INTO entities BY NAME SELECT * FROM read_parquet($entities);
DELETE FROM entity_aliases;
INSERT INTO entity_aliases BY NAME SELECT * FROM read_parquet($aliases);
UPDATE entity_mentions SET entity_id = NULL, label = coalesce(spacy_label, label);
UPDATE entity_mentions AS m
SET entity_id = r.entity_id
FROM read_parquet($mention_entities) AS r
WHERE m.mention_id = r.mention_id;
-- A mention carries the label of the entity it resolves to (a person is PERSON in every mention).
UPDATE entity_mentions AS m
SET label = e.label
FROM entities AS e
WHERE m.entity_id = e.entity_id;
UPDATE events SET actor_entity_id = NULL, recipient_entity_id = NULL;
UPDATE events AS e
SET actor_entity_id = m.entity_id
FROM entity_mentions AS m
WHERE e.actor_mention_id = m.mention_id;
UPDATE events AS e
SET recipient_entity_id = m.entity_id
FROM entity_mentions AS m
WHERE e.recipient_mention_id = m.mention_id;
