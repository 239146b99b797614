-- The stored counts of the entities $entity_ids, which incremental resolution adds to.
SELECT t.entity_id, t.kind, t.anchor, t.surfaces, t.labels, t.title_countries, t.group_isos,
       e.n_mentions, e.n_documents
FROM entity_tallies AS t
JOIN entities AS e USING (entity_id)
WHERE t.entity_id IN (SELECT unnest($entity_ids::VARCHAR[]));
