-- documents_for_clustering.sql for the documents $doc_ids only: publisher, publication date and
-- most mentioned resolved entities with their document frequency (entities.n_documents: the
-- documents with a mention of the entity), for the profiles incremental clustering stores.
WITH per_document AS (
    SELECT doc_id, entity_id, count(*) AS n_mentions
    FROM entity_mentions
    WHERE entity_id IS NOT NULL AND doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
    GROUP BY ALL
),
ranked AS (
    SELECT p.doc_id, p.entity_id, p.n_mentions, e.n_documents,
           row_number() OVER (PARTITION BY p.doc_id ORDER BY p.n_mentions DESC, p.entity_id) AS rank
    FROM per_document AS p
    JOIN entities AS e USING (entity_id)
)
SELECT d.doc_id, d.publisher, d.published_at,
       (SELECT count(*) FROM documents) AS n_corpus_documents,
       list(struct_pack(entity_id := r.entity_id, n_mentions := r.n_mentions,
                        n_documents := r.n_documents) ORDER BY r.rank)
           FILTER (WHERE r.entity_id IS NOT NULL) AS salient_entities
FROM documents AS d
LEFT JOIN ranked AS r USING (doc_id)
WHERE d.doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
GROUP BY d.doc_id, d.publisher, d.published_at
ORDER BY d.doc_id;
