-- The stored profiles of the documents $doc_ids (publisher, publication date, salient entities
-- with their weights), as incremental clustering compares them.
SELECT d.doc_id, d.publisher, d.published_at,
       list(struct_pack(entity_id := p.entity_id, weight := p.weight) ORDER BY p.entity_id)
           FILTER (WHERE p.entity_id IS NOT NULL) AS salient
FROM documents AS d
LEFT JOIN document_profiles AS p USING (doc_id)
WHERE d.doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
GROUP BY d.doc_id, d.publisher, d.published_at;
