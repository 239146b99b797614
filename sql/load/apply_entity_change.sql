-- Apply an entity resolution change: the rows of the entities it touched ($touched; absent from
-- $entities when they lost their last mention), the entity of every mention of the re-resolved
-- documents ($resolved_docs), the new documents' resolution keys and the person names it
-- relinked ($relinked_names; absent from $person_names when no document holds them any more).
DELETE FROM entities WHERE entity_id IN (SELECT entity_id FROM read_parquet($touched));
INSERT INTO entities BY NAME SELECT * FROM read_parquet($entities);
DELETE FROM entity_aliases WHERE entity_id IN (SELECT entity_id FROM read_parquet($touched));
INSERT INTO entity_aliases BY NAME SELECT * FROM read_parquet($aliases);
DELETE FROM entity_tallies WHERE entity_id IN (SELECT entity_id FROM read_parquet($touched));
INSERT INTO entity_tallies BY NAME SELECT * FROM read_parquet($tallies);
INSERT INTO resolution_keys BY NAME SELECT * FROM read_parquet($resolution_keys);
DELETE FROM person_names WHERE key IN (SELECT key FROM read_parquet($relinked_names));
INSERT INTO person_names BY NAME SELECT * FROM read_parquet($person_names);
UPDATE entity_mentions
SET entity_id = NULL, label = coalesce(spacy_label, label)
WHERE doc_id IN (SELECT doc_id FROM read_parquet($resolved_docs));
UPDATE entity_mentions AS m
SET entity_id = r.entity_id
FROM read_parquet($mention_entities) AS r
WHERE m.mention_id = r.mention_id;
-- A mention carries the label of the entity it resolves to (a person is PERSON in every
-- mention): the re-resolved documents' mentions, and every mention of a touched entity (whose
-- documents' lake partitions then change too: see touch_documents.sql).
CREATE TEMP TABLE IF NOT EXISTS touched_documents (doc_id VARCHAR);
INSERT INTO touched_documents
SELECT DISTINCT m.doc_id
FROM entity_mentions AS m
JOIN entities AS e USING (entity_id)
WHERE m.label IS DISTINCT FROM e.label
  AND e.entity_id IN (SELECT entity_id FROM read_parquet($touched));
UPDATE entity_mentions AS m
SET label = e.label
FROM entities AS e
WHERE m.entity_id = e.entity_id
  AND m.label IS DISTINCT FROM e.label
  AND (m.doc_id IN (SELECT doc_id FROM read_parquet($resolved_docs))
       OR e.entity_id IN (SELECT entity_id FROM read_parquet($touched)));
UPDATE events
SET actor_entity_id = NULL, recipient_entity_id = NULL
WHERE doc_id IN (SELECT doc_id FROM read_parquet($resolved_docs));
UPDATE events AS e
SET actor_entity_id = m.entity_id
FROM entity_mentions AS m
WHERE e.actor_mention_id = m.mention_id
  AND m.doc_id IN (SELECT doc_id FROM read_parquet($resolved_docs));
UPDATE events AS e
SET recipient_entity_id = m.entity_id
FROM entity_mentions AS m
WHERE e.recipient_mention_id = m.mention_id
  AND m.doc_id IN (SELECT doc_id FROM read_parquet($resolved_docs));
