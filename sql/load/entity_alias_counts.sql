-- The aliases and their mention counts of the entities $entity_ids.
SELECT entity_id, alias, n_mentions
FROM entity_aliases
WHERE entity_id IN (SELECT unnest($entity_ids::VARCHAR[]));
