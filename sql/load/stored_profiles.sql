-- The stored profiles of the documents $doc_ids (publisher, publication date, salient entities
-- and distinctive words with their weights), as incremental clustering compares them.
WITH salient AS (
    SELECT doc_id, list(struct_pack(key := entity_id, weight := weight) ORDER BY entity_id) AS salient
    FROM document_profiles
    WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
    GROUP BY doc_id
),
terms AS (
    SELECT doc_id, list(struct_pack(key := term, weight := weight) ORDER BY term) AS terms
    FROM document_terms
    WHERE weight IS NOT NULL AND doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
    GROUP BY doc_id
)
SELECT d.doc_id, d.publisher, d.published_at, s.salient, t.terms
FROM documents AS d
LEFT JOIN salient AS s USING (doc_id)
LEFT JOIN terms AS t USING (doc_id)
WHERE d.doc_id IN (SELECT unnest($doc_ids::VARCHAR[]));
